/**
 * The per-cell summary, computed only from what requests.csv holds, so a summary rebuilt
 * from the file (`llm-sweep report`) equals the one written during the run.
 */
import { z } from 'zod';
import { serverMetricsSummarySchema } from '../server-metrics/columns.js';
import type { RequestRecord } from '../records/types.js';
import { CellColumns } from './cell-columns.js';
import { checkPassRate } from './check-pass-rate.js';
import { cellCost, type CellCost } from './cost.js';
import { BASE_PERCENTILES, mean, stats, type Stats } from './stats.js';

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
  /** The spec has `checks:`: the summary gets a pass rate (absent when no answer was checked). */
  checks?: boolean;
  /** The spec has `pricing:`: the summary gets cost figures (0 when nothing was costed). */
  priced?: boolean;
  /** Percentiles beyond p50/p90/p95/p99 of latency, TTFT, TPOT and ITL (spec `percentiles:`). */
  percentiles?: readonly number[];
}
export type SummaryMetric = (typeof SUMMARY_METRICS)[number];

const statsSchema = z
  .object({ count: z.number(), mean: z.number(), min: z.number(), max: z.number(), p50: z.number(), p90: z.number(), p95: z.number(), p99: z.number() })
  .catchall(z.number())
  .describe("Statistics over the requests of a cell, in the metric's unit; further percentiles the spec's `percentiles:` asked for as p99.9 and so on.") as unknown as z.ZodType<Stats>;
const optionalStats = (what: string) => statsSchema.optional().describe(what);
const optionalNumber = (what: string) => z.number().optional().describe(what);

/** p50s of the server-reported columns of requests.csv (docs/metrics.md). */
const serverSummarySchema = z
  .object({
    queue_ms_p50: optionalNumber('Server-reported queue time, ms.'),
    prefill_ms_p50: optionalNumber('Server-reported prefill time, ms.'),
    decode_ms_p50: optionalNumber('Server-reported decode time, ms.'),
    total_ms_p50: optionalNumber('Server-reported whole time, ms.'),
    cached_tokens_p50: optionalNumber('Prompt tokens from the prefix cache.'),
  })
  .describe('Medians of what the server reported about successful requests; absent when it reported nothing.');
export type ServerSummary = z.output<typeof serverSummarySchema>;

export const clientHealthSchema = z
  .object({
    loop_delay_p99_ms: z
      .number()
      .describe("p99 of the event-loop delay during the cell, ms: the runner's loop, or with worker threads the worst worker's."),
    loop_delay_max_ms: z.number().describe('Max event-loop delay, ms (the worst worker with worker threads).'),
    cpu: z.number().describe('CPU time of the client process / wall time (1 = one core busy).'),
    dispatch_lag_p99_ms: optionalNumber('p99 of open-loop dispatch lag (timer fired vs arrival due), ms; absent in closed loop.'),
    ttft_delay_p50_ms: optionalNumber(
      "p50 over successful streamed requests of the client's own delay in seeing the first token, ms (an upper bound: how long the loop was busy while those bytes waited); absent when nothing streamed.",
    ),
    ttft_delay_p99_ms: optionalNumber('p99 of the same, ms.'),
    workers: optionalNumber('Worker threads that sent and timed the cell (`workers:`); absent when the main thread did (one loop).'),
    bound: z.boolean().describe('True when these say the client, not the server, limited the measurement.'),
    reason: z.string().optional().describe('Why, in words, when bound.'),
    concurrency: optionalNumber("The cell's concurrency, for the advice a flagged cell gets."),
    open_loop: z.boolean().optional().describe('True when the cell had a rate (open loop).'),
  })
  .describe('Client health, measured by the runner during the cell (not derivable from requests.csv).');
export type ClientHealth = z.output<typeof clientHealthSchema>;

/**
 * One cell's summary: what run.json's `cells` hold and summary.csv shows, rounded. Declared
 * in the order `summarizeCell` builds it, which is also the order parsing gives.
 */
export const cellSummarySchema = z
  .object({
    cell: z.string().describe('Cell id.'),
    params: z.record(z.string(), z.unknown()).describe('Matrix values of the cell, by axis.'),
    requests: z.number().describe('Recorded requests.'),
    ok: z.number().describe('Successful requests.'),
    errors: z.number().describe('Failed requests.'),
    error_rate: z.number().describe('errors / requests; 0 for an empty cell.'),
    duration_s: z.number().describe('Wall time from the first send to the last completion, s (summed over rounds).'),
    requests_per_s: z.number().describe('Successful requests / duration.'),
    output_tokens_per_s: z.number().describe('Sum of completion tokens of successful requests / duration.'),
    concurrency_mean: optionalNumber(
      "Mean requests in flight over the cell's wall time, by Little's law: the sum of every recorded request's latency / duration. In a closed loop it sits a few % under `concurrency` (the cell's last requests drain), and further under it when the client was slow to send the next request (see client.bound): the load the server got.",
    ),
    latency_ms: optionalStats('Latency of successful requests, ms.'),
    ttft_ms: optionalStats('Time to first token of successful streamed requests, ms.'),
    tpot_ms: optionalStats('Time per output token after the first, ms.'),
    itl_ms: optionalStats("Distribution of each request's median inter-token gap, ms."),
    prompt_tokens_mean: optionalNumber('Mean prompt tokens of successful requests.'),
    completion_tokens_mean: optionalNumber('Mean completion tokens of successful requests.'),
    estimated_tokens: z.number().default(0).describe('Requests whose token counts are estimates (no usage from the server).'),
    errors_by_kind: z.record(z.string(), z.number()).default({}).describe('Failed requests by HTTP status or error kind (see errorKey).'),
    connect_ms: optionalStats('Connection setup per successful request (0 when a pooled connection was reused), ms.'),
    server: serverSummarySchema.optional(),
    client_overhead_ms_p50: optionalNumber(
      'Median over successful streamed requests of TTFT - (server queue + prefill), ms, where the server reports prefill: the part of TTFT the server does not account for (network, HTTP stack, client).',
    ),
    queue_ms: optionalStats('Open loop: scheduled time to send, ms.'),
    e2e_latency_ms: optionalStats('Open loop: latency from the scheduled time (queue_ms + latency_ms): what a user arriving then waited, ms.'),
    offered_rps: optionalNumber('Open loop: the rate asked for, requests/s.'),
    achieved_rps: optionalNumber('Open loop: recorded requests / duration, requests/s.'),
    slo_attainment: optionalNumber('With slo: share of recorded requests that succeeded and met every objective.'),
    goodput_rps: optionalNumber("With slo: requests meeting every objective / duration, requests/s (vLLM's goodput)."),
    check_pass_rate: optionalNumber('With checks: share of checked answers that passed every check (failed requests are not checked).'),
    check_pass_rate_low: optionalNumber('Lower bound of the 95% Wilson score interval of check_pass_rate.'),
    check_pass_rate_high: optionalNumber('Upper bound of the 95% Wilson score interval of check_pass_rate.'),
    cost_total: optionalNumber('With pricing: sum of the request costs, in the pricing currency.'),
    cost_per_1k_requests: optionalNumber('With pricing: cost_total / requests x 1000.'),
    cost_per_1m_output_tokens: optionalNumber('With pricing: cost_total / completion tokens x 1,000,000.'),
    cost_estimated: z.boolean().optional().describe('With pricing: true when some costed request had estimated token counts.'),
    client: clientHealthSchema.optional(),
    server_metrics: serverMetricsSummarySchema.optional(),
    threshold: z.enum(['pass', 'fail']).optional().describe('The threshold verdict of the cell; absent when none applied.'),
    search_step: z.number().int().optional().describe("A capacity search's step: its 0-based order in the search of its cell; absent outside a search."),
    search_verdict: z
      .enum(['pass', 'fail', 'undecided'])
      .optional()
      .describe("A search step's verdict: its attainment's interval wholly at or above the target, wholly below, or neither at the cap."),
    input_tokens_requested: optionalNumber("Workloads: mean prompt tokens the workload wrote, by the spec's tokenizer, over successful requests (compare prompt_tokens_mean)."),
    output_tokens_requested: optionalNumber('Workloads: mean output tokens asked for, over successful requests.'),
    ttft_by_turn: z
      .array(
        z
          .object({
            turn: z.number().describe('0-based turn.'),
            count: z.number().describe('Successful streamed requests of that turn.'),
            mean: z.number().describe('Mean TTFT, ms.'),
            p50: z.number().describe('Median TTFT, ms.'),
            p95: z.number().describe('p95 of TTFT, ms.'),
          })
          .describe('TTFT of one turn.'),
      )
      .optional()
      .describe('Conversations: TTFT by turn (later turns carry the history: the prefix-cache effect).'),
  })
  .describe('The summary of one cell (summary.csv holds the same figures, rounded).');
export type CellSummary = z.output<typeof cellSummarySchema>;

export function summarizeCell(
  cell: string,
  params: Record<string, unknown>,
  records: readonly RequestRecord[] | CellColumns,
  opts: SummaryOptions = {},
): CellSummary {
  const c = records instanceof CellColumns ? records : CellColumns.from(records);
  const n = c.length;
  const okCount = c.okCount;
  const extra = extraPercentiles(opts.percentiles);
  // Wall time per round (first send to last completion), summed: with repeat_cells other
  // cells run between a cell's rounds, and that time is not this cell's.
  const rounds = c.maxRound + 1;
  const first = new Float64Array(rounds).fill(Infinity);
  const last = new Float64Array(rounds).fill(-Infinity);
  let outTokens = 0;
  let estimated = 0;
  // Time some request was in flight, summed over requests (failed ones hold a slot too).
  let busyMs = 0;
  for (let i = 0; i < n; i++) {
    const s = c.startMs[i];
    if (Number.isFinite(s)) {
      const lat = c.latency[i];
      const r = c.round[i];
      first[r] = Math.min(first[r], s);
      last[r] = Math.max(last[r], s + (Number.isNaN(lat) ? 0 : lat));
      if (!Number.isNaN(lat)) busyMs += lat;
    }
    if (c.ok[i] === 1) {
      const t = c.completionTokens[i];
      if (!Number.isNaN(t)) outTokens += t;
      estimated += c.estimate[i];
    }
  }
  let durationMs = 0;
  for (let r = 0; r < rounds; r++) if (Number.isFinite(first[r]) && last[r] > first[r]) durationMs += last[r] - first[r];
  const duration_s = durationMs / 1000;
  const errors_by_kind: Record<string, number> = {};
  for (const [key, tally] of c.errors) errors_by_kind[key] = tally.count;
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
    concurrency_mean: durationMs > 0 ? busyMs / durationMs : undefined,
    latency_ms: stats(c.okValues(c.latency), extra),
    ttft_ms: stats(c.okValues(c.ttft), extra),
    tpot_ms: stats(c.okValues(c.tpot), extra),
    itl_ms: stats(c.okValues(c.itl), extra),
    prompt_tokens_mean: mean(c.okValues(c.promptTokens)),
    completion_tokens_mean: mean(c.okValues(c.completionTokens)),
    estimated_tokens: estimated,
    errors_by_kind,
    connect_ms: stats(c.okValues(c.connect)),
    ...serverSide(c),
    ...openLoop(c, duration_s, opts.rate),
    ...goodput(c, duration_s, opts.slo),
    ...quality(c, opts.checks),
    ...costs(c, opts.priced),
    ...workload(c),
  };
}

/** The pass rate of the checked answers, with its Wilson interval. */
function quality(c: CellColumns, checks?: boolean): Pick<CellSummary, 'check_pass_rate' | 'check_pass_rate_low' | 'check_pass_rate_high'> {
  if (!checks && !c.anyChecks) return {};
  const r = checkPassRate(c.checksPassed.subarray(0, c.length), c.checksTotal.subarray(0, c.length));
  return r ? { check_pass_rate: r.rate, check_pass_rate_low: r.low, check_pass_rate_high: r.high } : {};
}

function costs(c: CellColumns, priced?: boolean): Partial<CellCost> {
  if (!priced && !c.anyCost) return {};
  const n = c.length;
  return cellCost({ requests: n, costs: c.cost.subarray(0, n), completionTokens: c.completionTokens.subarray(0, n), estimated: c.estimate.subarray(0, n) });
}

/** The asked-for percentiles that are not among p50/p90/p95/p99, in ascending order. */
export function extraPercentiles(asked: readonly number[] | undefined): number[] {
  const base: readonly number[] = BASE_PERCENTILES;
  return [...new Set(asked ?? [])].filter((q) => !base.includes(q)).sort((a, b) => a - b);
}

/** What a workload asked for, and TTFT by turn for conversations. */
function workload(c: CellColumns): Pick<CellSummary, 'input_tokens_requested' | 'output_tokens_requested' | 'ttft_by_turn'> {
  const out: Pick<CellSummary, 'input_tokens_requested' | 'output_tokens_requested' | 'ttft_by_turn'> = {};
  if (c.anyRequested) {
    const input = mean(c.okValues(c.inputRequested));
    const output = mean(c.okValues(c.outputRequested));
    if (input !== undefined) out.input_tokens_requested = input;
    if (output !== undefined) out.output_tokens_requested = output;
  }
  if (c.anyTurn) {
    const byTurn = new Map<number, number[]>();
    for (let i = 0; i < c.length; i++) {
      if (c.ok[i] !== 1 || Number.isNaN(c.turn[i]) || Number.isNaN(c.ttft[i])) continue;
      let list = byTurn.get(c.turn[i]);
      if (!list) byTurn.set(c.turn[i], (list = []));
      list.push(c.ttft[i]);
    }
    out.ttft_by_turn = [...byTurn.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([turn, v]) => {
        const st = stats(v)!;
        return { turn, count: st.count, mean: st.mean, p50: st.p50, p95: st.p95 };
      });
  }
  return out;
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
    // rate: inf offers no rate to compare with what was achieved.
    offered_rps: rate !== undefined && Number.isFinite(rate) ? rate : undefined,
    achieved_rps: duration_s > 0 ? c.length / duration_s : undefined,
  };
}

/** Whether the SLO names any objective at all (an empty `slo: {}` does not). */
export function hasSlo(slo: Slo | undefined): slo is Slo {
  return slo !== undefined && Object.values(slo).some((v) => v !== undefined);
}

/** How many of the cell's requests succeeded and met every SLO. */
export function countMeetingSlo(c: CellColumns, slo: Slo): number {
  let good = 0;
  for (let i = 0; i < c.length; i++) if (c.meetsSlo(i, slo)) good++;
  return good;
}

function goodput(c: CellColumns, duration_s: number, slo?: Slo) {
  if (!hasSlo(slo)) return {};
  const good = countMeetingSlo(c, slo);
  return {
    slo_attainment: c.length > 0 ? good / c.length : undefined,
    goodput_rps: duration_s > 0 ? good / duration_s : 0,
  };
}
