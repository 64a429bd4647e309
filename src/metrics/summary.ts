/**
 * The per-cell summary, computed only from what requests.csv holds, so a summary rebuilt
 * from the file (`llm-sweep report`) equals the one written during the run.
 */
import type { RequestRecord } from '../records/types.js';
import { CellColumns, errorKey } from './cell-columns.js';
import { mean, stats, type Stats } from './stats.js';

export const SUMMARY_METRICS = ['latency_ms', 'ttft_ms', 'tpot_ms', 'itl_ms'] as const;

/** Per-request service-level objectives (spec `slo:`), all in ms. */
export interface Slo {
  ttft_ms?: number;
  tpot_ms?: number;
  latency_ms?: number;
  itl_ms?: number;
}

export interface SummaryOptions {
  slo?: Slo;
  /** The cell's offered rate (requests/s) in open loop. */
  rate?: number;
}
export type SummaryMetric = (typeof SUMMARY_METRICS)[number];

export interface CellSummary {
  cell: string;
  /** Matrix values of the cell, by axis. */
  params: Record<string, unknown>;
  requests: number;
  ok: number;
  errors: number;
  /** errors / requests; 0 for an empty cell. */
  error_rate: number;
  /** Wall time from the first send to the last completion, s. */
  duration_s: number;
  /** Successful requests / duration. */
  requests_per_s: number;
  /** Sum of completion tokens of successful requests / duration. */
  output_tokens_per_s: number;
  /** Over successful requests. `itl_ms` is the distribution of each request's median gap. */
  latency_ms?: Stats;
  ttft_ms?: Stats;
  tpot_ms?: Stats;
  itl_ms?: Stats;
  prompt_tokens_mean?: number;
  completion_tokens_mean?: number;
  /** How many requests had estimated (not server-reported) token counts. */
  estimated_tokens: number;
  /** Error counts by short error text (status or kind), for reports. */
  errors_by_kind: Record<string, number>;
  /**
   * Latency from the *scheduled* time (queue_ms + latency_ms): what a user arriving at that
   * moment waited. Differs from latency_ms when the client held requests back.
   */
  e2e_latency_ms?: Stats;
  queue_ms?: Stats;
  /** Offered (spec) and achieved (sent / duration) request rates in open loop, requests/s. */
  offered_rps?: number;
  achieved_rps?: number;
  /** Share of recorded requests that succeeded and met every SLO; undefined without `slo`. */
  slo_attainment?: number;
  /** Requests meeting every SLO per second of cell wall time (vLLM's goodput). */
  goodput_rps?: number;
  /** Connection setup per successful request (0 when a pooled connection was reused), ms. */
  connect_ms?: Stats;
  /** Medians of what the server reported about successful requests; undefined when it reported nothing. */
  server?: ServerSummary;
  /**
   * Median over successful streamed requests of TTFT - (server queue + prefill), ms, where
   * the server reports prefill: the part of TTFT the server does not account for (network,
   * HTTP stack, client).
   */
  client_overhead_ms_p50?: number;
  /** Client health, measured by the runner during the cell (not derivable from requests.csv). */
  client?: ClientHealth;
  /** Filled by the threshold check: pass, fail, or undefined when none apply. */
  threshold?: 'pass' | 'fail';
}

/** p50s of the server-reported columns of requests.csv (docs/metrics.md). */
export interface ServerSummary {
  queue_ms_p50?: number;
  prefill_ms_p50?: number;
  decode_ms_p50?: number;
  total_ms_p50?: number;
  cached_tokens_p50?: number;
}

export interface ClientHealth {
  /** p99 of the runner's event-loop delay during the cell, ms. */
  loop_delay_p99_ms: number;
  /** Max event-loop delay, ms. */
  loop_delay_max_ms: number;
  /** CPU time of the client process / wall time (1 = one core busy). */
  cpu: number;
  /** p99 of open-loop dispatch lag (timer fired vs arrival due), ms; undefined in closed loop. */
  dispatch_lag_p99_ms?: number;
  /** True when these say the client, not the server, limited the measurement. */
  bound: boolean;
  /** Why, in words, when bound. */
  reason?: string;
}

export function summarizeCell(
  cell: string,
  params: Record<string, unknown>,
  records: readonly RequestRecord[] | CellColumns,
  opts: SummaryOptions = {},
): CellSummary {
  const c = records instanceof CellColumns ? records : CellColumns.from(records);
  const n = c.length;
  const okCount = c.okCount;
  let first = Infinity;
  let last = -Infinity;
  let outTokens = 0;
  let estimated = 0;
  for (let i = 0; i < n; i++) {
    const s = c.startMs[i];
    if (Number.isFinite(s)) {
      const lat = c.latency[i];
      first = Math.min(first, s);
      last = Math.max(last, s + (Number.isNaN(lat) ? 0 : lat));
    }
    if (c.ok[i] === 1) {
      const t = c.completionTokens[i];
      if (!Number.isNaN(t)) outTokens += t;
      estimated += c.estimate[i];
    }
  }
  const durationMs = Number.isFinite(first) && last > first ? last - first : 0;
  const duration_s = durationMs / 1000;
  const errors_by_kind: Record<string, number> = {};
  for (const [key, count] of c.errorsByKey) errors_by_kind[key] = count;
  return {
    cell,
    params,
    requests: n,
    ok: okCount,
    errors: n - okCount,
    error_rate: n > 0 ? (n - okCount) / n : 0,
    duration_s,
    requests_per_s: duration_s > 0 ? okCount / duration_s : 0,
    output_tokens_per_s: duration_s > 0 ? outTokens / duration_s : 0,
    latency_ms: stats(c.okValues(c.latency)),
    ttft_ms: stats(c.okValues(c.ttft)),
    tpot_ms: stats(c.okValues(c.tpot)),
    itl_ms: stats(c.okValues(c.itl)),
    prompt_tokens_mean: mean(c.okValues(c.promptTokens)),
    completion_tokens_mean: mean(c.okValues(c.completionTokens)),
    estimated_tokens: estimated,
    errors_by_kind,
    connect_ms: stats(c.okValues(c.connect)),
    ...serverSide(c),
    ...openLoop(c, duration_s, opts.rate),
    ...goodput(c, duration_s, opts.slo),
  };
}

/** The server's own numbers and what TTFT holds beyond them. */
function serverSide(c: CellColumns): Pick<CellSummary, 'server' | 'client_overhead_ms_p50'> {
  if (!c.anyServer) return {};
  const p50 = (col: Float64Array) => stats(c.okValues(col))?.p50;
  const server: ServerSummary = {};
  const set = (key: keyof ServerSummary, v: number | undefined) => {
    if (v !== undefined) server[key] = v;
  };
  set('queue_ms_p50', p50(c.serverQueue));
  set('prefill_ms_p50', p50(c.serverPrefill));
  set('decode_ms_p50', p50(c.serverDecode));
  set('total_ms_p50', p50(c.serverTotal));
  set('cached_tokens_p50', p50(c.cachedTokens));
  const overhead: number[] = [];
  for (let i = 0; i < c.length; i++) {
    if (c.ok[i] !== 1 || Number.isNaN(c.ttft[i]) || Number.isNaN(c.serverPrefill[i])) continue;
    const queue = c.serverQueue[i];
    overhead.push(c.ttft[i] - c.serverPrefill[i] - (Number.isNaN(queue) ? 0 : queue));
  }
  const out: Pick<CellSummary, 'server' | 'client_overhead_ms_p50'> = {};
  if (Object.keys(server).length > 0) out.server = server;
  const o = stats(overhead)?.p50;
  if (o !== undefined) out.client_overhead_ms_p50 = o;
  return out;
}

function openLoop(c: CellColumns, duration_s: number, rate?: number) {
  if (!c.anyQueue) return {};
  const e2e = new Float64Array(c.okCount);
  for (let i = 0, j = 0; i < c.length; i++) {
    if (c.ok[i] !== 1) continue;
    const q = c.queue[i];
    e2e[j++] = c.latency[i] + (Number.isNaN(q) ? 0 : q);
  }
  return {
    queue_ms: stats(c.queue.subarray(0, c.length)),
    e2e_latency_ms: stats(e2e),
    offered_rps: rate,
    achieved_rps: duration_s > 0 ? c.length / duration_s : undefined,
  };
}

/** Does a successful request meet every given SLO? */
export function meetsSlo(r: RequestRecord, slo: Slo): boolean {
  if (r.status !== 'ok') return false;
  const within = (v: number | undefined, limit: number | undefined) => limit === undefined || (v !== undefined && v <= limit);
  return (
    within(r.ttft_ms, slo.ttft_ms) &&
    // A one-token answer has no TPOT; it cannot miss a TPOT objective.
    (slo.tpot_ms === undefined || r.tpot_ms === undefined || r.tpot_ms <= slo.tpot_ms) &&
    within(r.latency_ms, slo.latency_ms) &&
    (slo.itl_ms === undefined || r.itl_p50_ms === undefined || r.itl_p50_ms <= slo.itl_ms)
  );
}

function goodput(c: CellColumns, duration_s: number, slo?: Slo) {
  if (!slo || Object.values(slo).every((v) => v === undefined)) return {};
  // meetsSlo on the columns (NaN = missing: `NaN <= x` is false, as `undefined` was).
  const within = (v: number, limit: number | undefined) => limit === undefined || v <= limit;
  const optional = (v: number, limit: number | undefined) => limit === undefined || Number.isNaN(v) || v <= limit;
  let good = 0;
  for (let i = 0; i < c.length; i++) {
    if (
      c.ok[i] === 1 &&
      within(c.ttft[i], slo.ttft_ms) &&
      optional(c.tpot[i], slo.tpot_ms) &&
      within(c.latency[i], slo.latency_ms) &&
      optional(c.itl[i], slo.itl_ms)
    ) {
      good++;
    }
  }
  return {
    slo_attainment: c.length > 0 ? good / c.length : undefined,
    goodput_rps: duration_s > 0 ? good / duration_s : 0,
  };
}

export { errorKey };
