/**
 * The per-cell summary, computed only from what requests.csv holds, so a summary rebuilt
 * from the file (`llm-sweep report`) equals the one written during the run.
 */
import type { RequestRecord } from '../records/types.js';
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
  /** Client health, measured by the runner during the cell (not derivable from requests.csv). */
  client?: ClientHealth;
  /** Filled by the threshold check: pass, fail, or undefined when none apply. */
  threshold?: 'pass' | 'fail';
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

/** Wall-clock ms of a record's send, from its ISO started_at. */
function startMs(r: RequestRecord): number {
  return Date.parse(r.started_at);
}

export function summarizeCell(
  cell: string,
  params: Record<string, unknown>,
  records: readonly RequestRecord[],
  opts: SummaryOptions = {},
): CellSummary {
  const ok = records.filter((r) => r.status === 'ok');
  let first = Infinity;
  let last = -Infinity;
  for (const r of records) {
    const s = startMs(r);
    if (!Number.isFinite(s)) continue;
    first = Math.min(first, s);
    last = Math.max(last, s + (r.latency_ms ?? 0));
  }
  const durationMs = Number.isFinite(first) && last > first ? last - first : 0;
  const duration_s = durationMs / 1000;
  let outTokens = 0;
  for (const r of ok) outTokens += r.completion_tokens ?? 0;
  const errors_by_kind: Record<string, number> = {};
  for (const r of records) {
    if (r.status !== 'error') continue;
    const key = errorKey(r);
    errors_by_kind[key] = (errors_by_kind[key] ?? 0) + 1;
  }
  return {
    cell,
    params,
    requests: records.length,
    ok: ok.length,
    errors: records.length - ok.length,
    error_rate: records.length > 0 ? (records.length - ok.length) / records.length : 0,
    duration_s,
    requests_per_s: duration_s > 0 ? ok.length / duration_s : 0,
    output_tokens_per_s: duration_s > 0 ? outTokens / duration_s : 0,
    latency_ms: stats(ok.map((r) => r.latency_ms)),
    ttft_ms: stats(ok.map((r) => r.ttft_ms)),
    tpot_ms: stats(ok.map((r) => r.tpot_ms)),
    itl_ms: stats(ok.map((r) => r.itl_p50_ms)),
    prompt_tokens_mean: mean(ok.map((r) => r.prompt_tokens)),
    completion_tokens_mean: mean(ok.map((r) => r.completion_tokens)),
    estimated_tokens: ok.filter((r) => r.tokens_source === 'estimate').length,
    errors_by_kind,
    ...openLoop(records, ok, duration_s, opts.rate),
    ...goodput(records, ok, duration_s, opts.slo),
  };
}

function openLoop(records: readonly RequestRecord[], ok: readonly RequestRecord[], duration_s: number, rate?: number) {
  if (!records.some((r) => r.queue_ms !== undefined)) return {};
  return {
    queue_ms: stats(records.map((r) => r.queue_ms)),
    e2e_latency_ms: stats(ok.map((r) => (r.latency_ms ?? NaN) + (r.queue_ms ?? 0))),
    offered_rps: rate,
    achieved_rps: duration_s > 0 ? records.length / duration_s : undefined,
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

function goodput(records: readonly RequestRecord[], ok: readonly RequestRecord[], duration_s: number, slo?: Slo) {
  if (!slo || Object.values(slo).every((v) => v === undefined)) return {};
  const good = ok.filter((r) => meetsSlo(r, slo)).length;
  return {
    slo_attainment: records.length > 0 ? good / records.length : undefined,
    goodput_rps: duration_s > 0 ? good / duration_s : 0,
  };
}

/** "HTTP 503", "timeout", "network" ...: what an error count is grouped by. */
export function errorKey(r: RequestRecord): string {
  if (r.http_status !== undefined && r.http_status >= 400) return `HTTP ${r.http_status}`;
  return r.error_kind ?? 'error';
}
