/**
 * What the latency model (latency-model.ts) implies in steady state, worked out on paper
 * rather than measured: per-request times and throughput at a concurrency (closed loop) or
 * a constant arrival rate (open loop), and from them the capacity the model has for an SLO.
 * Tests use it as the truth a capacity search must find; docs/search.md explains it.
 * Jitter is left out (it averages out of a request's TPOT, and tests give the SLO a margin),
 * and every request is alike: `promptTokens` in, `outputTokens` out (stop_probability 0).
 *
 * With `a` sequences in the batch, a request's TTFT is T0 = ttft_ms + prefill_ms_per_token x P
 * plus any queue wait, its TPOT is itl_ms x (1 + batch_slowdown x (a - 1)), and it occupies
 * its slot for S(a) = T0 + (N - 1) x TPOT.
 *
 * - Closed loop at concurrency C: a = min(C, max_batch). Up to max_batch nobody queues; past
 *   it the batch stays full and C - max_batch requests wait (mean wait S(B) x (C - B) / B by
 *   Little's law).
 * - Constant arrivals at rate r (per ms): the number in the batch n solves n = r x S(n),
 *   n = r A / (1 - r D) with A = T0 + (N - 1) itl (1 - slowdown), D = (N - 1) itl slowdown,
 *   while n <= max_batch. At r = max_batch / S(max_batch) the batch is full for good, and
 *   beyond it the queue grows without bound, so TTFT and latency grow with the run.
 */
import type { Slo } from '../metrics/summary.js';
import type { LatencyParams } from './types.js';

/** The requests of a run: all alike. */
export interface Workload {
  promptTokens: number;
  /** Output tokens per request; >= 2 so TPOT exists. */
  outputTokens: number;
}

export interface SteadyState {
  /** Sequences in the batch on average. */
  active: number;
  /** TTFT before any queue wait, ms. */
  ttft_ms: number;
  tpot_ms: number;
  /** Request latency before any queue wait, ms. */
  latency_ms: number;
  /** Mean queue wait for a batch slot, ms; Infinity past saturation (open loop). */
  queue_ms: number;
  requests_per_s: number;
  output_tokens_per_s: number;
}

/** A request's time before its first token, without queueing, ms. */
function firstToken(p: LatencyParams, w: Workload): number {
  return p.ttft_ms + p.prefill_ms_per_token * w.promptTokens;
}

function tpot(p: LatencyParams, active: number): number {
  return p.itl_ms * (1 + p.batch_slowdown * Math.max(0, active - 1));
}

/** Time a request holds its batch slot with `active` sequences in the batch, ms. */
export function serviceMs(p: LatencyParams, w: Workload, active: number): number {
  return firstToken(p, w) + (w.outputTokens - 1) * tpot(p, active);
}

function state(p: LatencyParams, w: Workload, active: number, queue_ms: number, requestsPerMs: number): SteadyState {
  const t0 = firstToken(p, w);
  return {
    active,
    ttft_ms: t0,
    tpot_ms: tpot(p, active),
    latency_ms: serviceMs(p, w, active),
    queue_ms,
    requests_per_s: requestsPerMs * 1000,
    output_tokens_per_s: requestsPerMs * 1000 * w.outputTokens,
  };
}

/** Closed loop: `concurrency` clients, each sending its next request when the last ends. */
export function closedLoopState(p: LatencyParams, w: Workload, concurrency: number): SteadyState {
  const a = Math.min(concurrency, p.max_batch);
  const s = serviceMs(p, w, a);
  return state(p, w, a, (s * Math.max(0, concurrency - p.max_batch)) / p.max_batch, a / s);
}

/** The highest rate the batch sustains: max_batch / S(max_batch), requests/s. */
export function saturationRate(p: LatencyParams, w: Workload): number {
  return (p.max_batch / serviceMs(p, w, p.max_batch)) * 1000;
}

/** Open loop with evenly spaced arrivals at `rate` requests/s. */
export function openLoopState(p: LatencyParams, w: Workload, rate: number): SteadyState {
  const sat = saturationRate(p, w);
  if (rate >= sat) return state(p, w, p.max_batch, rate > sat ? Infinity : 0, sat / 1000);
  const r = rate / 1000;
  const span = (w.outputTokens - 1) * p.itl_ms;
  const n = (r * (firstToken(p, w) + span * (1 - p.batch_slowdown))) / (1 - r * span * p.batch_slowdown);
  return state(p, w, n, 0, r);
}

/** Does a request with these times (no queue wait) meet every SLO? */
function meets(s: SteadyState, slo: Slo, waitMs = 0): boolean {
  const ok = (v: number, limit?: number) => limit === undefined || v <= limit;
  return ok(s.ttft_ms + waitMs, slo.ttft_ms) && ok(s.latency_ms + waitMs, slo.latency_ms) && ok(s.tpot_ms, slo.tpot_ms) && ok(s.tpot_ms, slo.itl_ms);
}

export interface ImpliedCapacity {
  /** The largest value in [min, max] at which the SLO holds; undefined when it fails at min. */
  capacity?: number;
  /** Where it stops holding: the next integer (concurrency), or the same rate (rate). */
  firstFail?: number;
}

/**
 * The capacity the model implies for an SLO held by `attainment` of the requests, over
 * concurrency (closed loop) or constant-rate arrivals. Throws when the model does not pin it
 * down (a queue that only some requests wait in, whose share is too small to decide).
 */
export function impliedCapacity(
  p: LatencyParams,
  w: Workload,
  slo: Slo,
  search: { over: 'concurrency' | 'rate'; min: number; max: number; attainment: number },
): ImpliedCapacity {
  return search.over === 'concurrency' ? concurrencyCapacity(p, w, slo, search) : rateCapacity(p, w, slo, search);
}

function concurrencyCapacity(
  p: LatencyParams,
  w: Workload,
  slo: Slo,
  { min, max, attainment }: { min: number; max: number; attainment: number },
): ImpliedCapacity {
  const B = p.max_batch;
  const full = closedLoopState(p, w, B);
  // Past max_batch, requests queue. Whether clients stay in step (a share (C - B) / B waits a
  // whole service time) or drift apart (everyone waits about S / B per extra client), at
  // least min(1, (C - B) / B) of the requests wait at least S / B: when that breaks the SLO
  // and is more than 1 - attainment, the SLO fails at B + 1 however the queue behaves.
  const queueWaitBreaks = !meets(full, slo, full.latency_ms / B);
  const queueShareBreaks = 1 / B > 1 - attainment;
  const holds = (c: number): boolean => {
    if (c <= B) return meets(closedLoopState(p, w, c), slo);
    if (slo.ttft_ms === undefined && slo.latency_ms === undefined) return meets(full, slo);
    if (queueWaitBreaks && queueShareBreaks) return false;
    throw new Error(
      `the model does not pin the capacity past max_batch ${B}: a queued request waits ${full.latency_ms / B} ms or more, a share ${1 / B} of them or more`,
    );
  };
  let capacity: number | undefined;
  for (let c = min; c <= max; c++) {
    if (!holds(c)) return { capacity, firstFail: c };
    capacity = c;
  }
  return { capacity };
}

function rateCapacity(p: LatencyParams, w: Workload, slo: Slo, { min, max }: { min: number; max: number }): ImpliedCapacity {
  // Below saturation nothing queues and every per-request time grows with the batch size n,
  // so the capacity is the rate whose n makes the first SLO bind: solve for n, then r = n / S(n).
  const t0 = firstToken(p, w);
  const span = (w.outputTokens - 1) * p.itl_ms;
  const limits: number[] = [p.max_batch];
  if ((slo.ttft_ms !== undefined && t0 > slo.ttft_ms) || (slo.latency_ms !== undefined && t0 + span > slo.latency_ms)) {
    return { capacity: undefined, firstFail: min };
  }
  // itl * (1 + k (n - 1)) <= L  <=>  n <= 1 + (L / itl - 1) / k
  const batchFor = (perToken: number) => (p.batch_slowdown === 0 ? Infinity : 1 + (perToken / p.itl_ms - 1) / p.batch_slowdown);
  if (slo.tpot_ms !== undefined) limits.push(batchFor(slo.tpot_ms));
  if (slo.itl_ms !== undefined) limits.push(batchFor(slo.itl_ms));
  if (slo.latency_ms !== undefined) limits.push(batchFor((slo.latency_ms - t0) / (w.outputTokens - 1)));
  const n = Math.min(...limits);
  if (n < 1) return { capacity: undefined, firstFail: min };
  // At saturation a TPOT-only SLO is still met at any rate: the batch cannot grow past full.
  const rate = n >= p.max_batch && slo.ttft_ms === undefined && slo.latency_ms === undefined ? Infinity : (n / serviceMs(p, w, n)) * 1000;
  if (rate < min) return { capacity: undefined, firstFail: min };
  if (rate >= max) return { capacity: max };
  return { capacity: rate, firstFail: rate };
}
