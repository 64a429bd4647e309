/**
 * summary.csv, column by column (DESIGN.md section 3): one row per cell, written and read
 * back by the same table (the requests.csv one is records/columns.ts). Numbers are rounded
 * on the way out, so a file read back gives the figures a spreadsheet shows.
 */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { UserError } from '../errors.js';
import { percentileKey, round, type Stats } from '../metrics/stats.js';
import { extraPercentiles, SUMMARY_METRICS, type CellSummary, type ClientHealth } from '../metrics/summary.js';
import { SERVER_COLUMNS } from '../server-metrics/columns.js';
import { axisColumn, csvTable, numberCell, parseNumberCell, type Column, type CsvTable } from '../records/columns.js';

type Scalar = 'requests' | 'ok' | 'errors' | 'error_rate' | 'duration_s' | 'requests_per_s' | 'output_tokens_per_s'
  | 'prompt_tokens_mean' | 'completion_tokens_mean' | 'offered_rps' | 'achieved_rps' | 'slo_attainment' | 'goodput_rps'
  | 'client_overhead_ms_p50' | 'check_pass_rate' | 'check_pass_rate_low' | 'check_pass_rate_high' | 'cost_total'
  | 'cost_per_1k_requests' | 'cost_per_1m_output_tokens' | 'input_tokens_requested' | 'output_tokens_requested' | 'concurrency_mean';
type StatsField = 'latency_ms' | 'ttft_ms' | 'tpot_ms' | 'itl_ms' | 'e2e_latency_ms' | 'queue_ms' | 'connect_ms';
type Agg = 'mean' | 'p50' | 'p90' | 'p95' | 'p99' | `p${number}`;

function scalar(name: Scalar, doc: string, digits = 3, type: 'integer' | 'number' = 'number'): Column<CellSummary> {
  return {
    name,
    doc,
    type,
    get: (s) => numberCell(round(s[name], digits)),
    // Counts read back as NaN when empty, so they read as not measured rather than 0.
    parse: (t, s) => ((s as unknown as Record<string, number | undefined>)[name] = parseNumberCell(t) ?? (type === 'integer' ? NaN : undefined)),
  };
}

const NO_STATS: Stats = { count: NaN, mean: NaN, min: NaN, max: NaN, p50: NaN, p90: NaN, p95: NaN, p99: NaN };

/** One aggregate of a distribution; summary.csv holds no min, max or count (they read back as NaN). */
function aggregate(field: StatsField, agg: Agg, doc: string): Column<CellSummary> {
  return {
    name: `${field}_${agg}`,
    doc,
    type: 'number',
    get: (s) => numberCell(round(s[field]?.[agg])),
    parse: (t, s) => {
      const v = parseNumberCell(t);
      if (v !== undefined) (s[field] ??= { ...NO_STATS })[agg] = v;
    },
  };
}

/** A median of what the server reported (`server_queue_ms_p50`, ..., `cached_tokens_p50`). */
function server(key: 'queue_ms' | 'prefill_ms' | 'decode_ms' | 'total_ms' | 'cached_tokens', doc: string): Column<CellSummary> {
  const field = `${key}_p50` as const;
  return {
    name: key === 'cached_tokens' ? 'cached_tokens_p50' : `server_${field}`,
    doc,
    type: 'number',
    get: (s) => numberCell(round(s.server?.[field])),
    parse: (t, s) => {
      const v = parseNumberCell(t);
      if (v !== undefined) (s.server ??= {})[field] = v;
    },
  };
}

function client(name: string, key: 'loop_delay_p99_ms' | 'cpu' | 'ttft_delay_p50_ms' | 'ttft_delay_p99_ms', doc: string): Column<CellSummary> {
  return {
    name,
    doc,
    type: 'number',
    get: (s) => numberCell(round(s.client?.[key])),
    parse: (t, s) => {
      const v = parseNumberCell(t);
      if (v !== undefined) (s.client ??= blankClient())[key] = v;
    },
  };
}

function blankClient(): ClientHealth {
  return { loop_delay_p99_ms: NaN, loop_delay_max_ms: NaN, cpu: NaN, bound: false };
}

const STATS_DOC: Record<(typeof SUMMARY_METRICS)[number], string> = {
  latency_ms: 'over **successful** requests, ms',
  ttft_ms: 'over **successful** (streamed) requests, ms',
  tpot_ms: 'over **successful** requests with more than one output token, ms',
  itl_ms: "distribution of each request's `itl_p50_ms` (a per-request median, so one long stream cannot dominate the cell), ms",
};

const CELL: Column<CellSummary> = {
  name: 'cell',
  doc: 'cell id (as in requests.csv)',
  type: 'string',
  get: (s) => s.cell,
  parse: (t, s) => (s.cell = t),
};

/** The columns after the matrix axes, in file order. Columns added later go at the end. */
export const SUMMARY_COLUMNS: readonly Column<CellSummary>[] = [
  scalar('requests', 'recorded requests', 3, 'integer'),
  scalar('ok', 'successful requests', 3, 'integer'),
  scalar('errors', 'failed requests', 3, 'integer'),
  scalar('error_rate', 'errored requests / recorded requests', 4),
  scalar('duration_s', 'cell wall time: first send → last completion, s (from `started_at` + `latency_ms`, so a summary rebuilt from `requests.csv` is identical); with `repeat_cells`, the sum over the rounds (time other cells ran in between is not the cell\'s)'),
  scalar('requests_per_s', 'successful requests / `duration_s`'),
  scalar('output_tokens_per_s', 'sum of `completion_tokens` of successful requests / `duration_s` (vLLM\'s "output token throughput")'),
  ...SUMMARY_METRICS.flatMap((m) =>
    (['mean', 'p50', 'p90', 'p95', 'p99'] as const).map((a) => aggregate(m, a, `${a} of ${m} ${STATS_DOC[m]}`)),
  ),
  scalar('prompt_tokens_mean', 'mean prompt tokens of successful requests', 1),
  scalar('completion_tokens_mean', 'mean completion tokens of successful requests', 1),
  {
    name: 'threshold',
    doc: '`pass` or `fail` when thresholds apply to the cell (see docs/ci.md), else empty',
    type: 'string',
    values: ['pass', 'fail'],
    get: (s) => s.threshold ?? '',
    parse: (t, s) => (s.threshold = t === 'pass' || t === 'fail' ? t : undefined),
  },
  // Beyond DESIGN.md's list, appended so its columns keep their positions.
  ...(['p50', 'p95', 'p99'] as const).map((a) =>
    aggregate('e2e_latency_ms', a, `open loop: ${a} of \`queue_ms + latency_ms\`, latency from the **scheduled** time, ms: what a user arriving on schedule waited (coordinated omission made visible)`),
  ),
  ...(['p50', 'p99'] as const).map((a) => aggregate('queue_ms', a, `open loop: ${a} of \`queue_ms\`, ms`)),
  scalar('offered_rps', 'open loop: the `rate` asked for, requests/s'),
  scalar('achieved_rps', 'open loop: recorded requests / `duration_s`'),
  scalar(
    'slo_attainment',
    'with `slo:` in the spec: share of recorded requests that succeeded and met **every** given objective (`ttft_ms`, `tpot_ms`, `latency_ms`, `itl_ms` per request; a one-token answer cannot miss `tpot_ms`)',
    4,
  ),
  scalar('goodput_rps', "requests meeting every SLO / `duration_s`: vLLM's goodput"),
  client('client_loop_delay_p99_ms', 'loop_delay_p99_ms', "p99 of the client's event-loop delay during the cell, ms (client health, below)"),
  client('client_cpu', 'cpu', 'CPU time of the client process / wall time (1 = one core busy)'),
  client(
    'client_ttft_delay_ms_p50',
    'ttft_delay_p50_ms',
    "median over successful streamed requests of the client's own delay in seeing the first token, ms: an upper bound of how much of `ttft_ms_p50` is the client's (TTFT p50 412 ms, of which client <= 3 ms; client health, below)",
  ),
  client('client_ttft_delay_ms_p99', 'ttft_delay_p99_ms', 'p99 of the same, ms'),
  {
    name: 'client_bound',
    doc: '`true` when the client, not the server, may have limited the cell',
    type: 'boolean',
    get: (s) => (s.client ? String(s.client.bound) : ''),
    parse: (t, s) => {
      if (t !== '') (s.client ??= blankClient()).bound = t === 'true';
    },
  },
  // Issue 11: connections and what the server reported.
  aggregate('connect_ms', 'mean', 'mean connection setup per successful request, ms; well above 0 means connections were not reused (the server closes them, see *Connections*)'),
  aggregate('connect_ms', 'p50', 'median connection setup per successful request, ms'),
  ...(['queue_ms', 'prefill_ms', 'decode_ms', 'total_ms', 'cached_tokens'] as const).map((k) =>
    server(k, `median of the per-request ${k === 'cached_tokens' ? k : `server_${k}`} over successful requests; empty when the server reported none`),
  ),
  scalar(
    'client_overhead_ms_p50',
    'median over successful streamed requests of `ttft_ms − (server_queue_ms + server_prefill_ms)`, ms, for requests where the server reports its prefill (a missing queue counts as 0). It is the part of TTFT the server does not account for: network, HTTP framing and the client. A few ms on loopback; when it is large, the gap is not the model. llama.cpp reports no queue time, so with every slot busy its queueing lands here too.',
  ),
  // Issue 20: quality checks and cost (empty without checks: / pricing:).
  scalar('check_pass_rate', 'with `checks:`: share of checked answers (successful requests) that passed **every** check (docs/checks.md)', 4),
  scalar('check_pass_rate_low', 'lower bound of the 95% Wilson score interval of `check_pass_rate`', 4),
  scalar('check_pass_rate_high', 'upper bound of the 95% Wilson score interval of `check_pass_rate`', 4),
  scalar('cost_total', 'with `pricing:`: sum of the requests\' `cost`, in the pricing currency (docs/cost.md)', 9),
  scalar('cost_per_1k_requests', '`cost_total / requests × 1000`: what a thousand requests like these cost, failed ones included', 9),
  scalar('cost_per_1m_output_tokens', '`cost_total / completion tokens × 10⁶`: the blended price per output token, input included', 9),
  {
    name: 'cost_estimated',
    doc: '`true` when some costed request had estimated token counts (`tokens_source=estimate`), so the cost is an estimate too',
    type: 'boolean',
    get: (s) => (s.cost_estimated === undefined ? '' : String(s.cost_estimated)),
    parse: (t, s) => {
      if (t !== '') s.cost_estimated = t === 'true';
    },
  },
  // Issue 17: the steps of a capacity search (docs/search.md).
  {
    name: 'search_step',
    doc: 'a capacity search\'s step: its 0-based order in the search of its cell (`search:` in the spec); empty outside a search',
    type: 'integer',
    get: (s) => (s.search_step === undefined ? '' : String(s.search_step)),
    parse: (t, s) => (s.search_step = parseNumberCell(t)),
  },
  {
    name: 'search_verdict',
    doc: "a search step's verdict: `pass` or `fail` when the Wilson interval of its attainment lies wholly at or above, or below, the target; `undecided` when it straddles it after the last round",
    type: 'string',
    values: ['pass', 'fail', 'undecided'],
    get: (s) => s.search_verdict ?? '',
    parse: (t, s) => (s.search_verdict = t === 'pass' || t === 'fail' || t === 'undecided' ? t : undefined),
  },
  // Issue 16: workloads.
  scalar(
    'input_tokens_requested',
    "workloads: mean prompt tokens the workload wrote (by the spec's `tokenizer`) over successful requests; compare `prompt_tokens_mean`, the server's count: `run` warns when they differ by more than 5%",
    1,
  ),
  scalar('output_tokens_requested', 'workloads: mean output tokens asked for over successful requests; compare `completion_tokens_mean`', 1),
  // Issue 15: the load the server got.
  scalar(
    'concurrency_mean',
    "mean requests in flight over the cell's wall time (Little's law: sum of `latency_ms` of every recorded request / `duration_s`). In a closed loop a few % under `concurrency` as the cell's last requests drain, and further under it when the client was slow to send the next one (`client_bound`): the load the server really got. Open loop: the concurrency the rate produced",
    1,
  ),
];

/**
 * The server's metrics (target.metrics, docs/server-metrics.md), after every other column;
 * written only when a cell has them, so a run without target.metrics keeps its header.
 */
export const SERVER_METRICS_COLUMNS: readonly Column<CellSummary>[] = SERVER_COLUMNS.map((c) => ({
  name: c.name,
  doc: c.doc,
  type: 'number' as const,
  get: (s: CellSummary) => numberCell(round(s.server_metrics?.[c.name], 4)),
  parse: (t: string, s: CellSummary) => {
    const v = parseNumberCell(t);
    if (v !== undefined) (s.server_metrics ??= {})[c.name] = v;
  },
}));

function blankSummary(): CellSummary {
  return {
    cell: '',
    params: {},
    requests: NaN,
    ok: NaN,
    errors: NaN,
    error_rate: NaN,
    duration_s: NaN,
    requests_per_s: NaN,
    output_tokens_per_s: NaN,
    estimated_tokens: 0,
    errors_by_kind: {},
  };
}

/**
 * Columns of the spec's further percentiles (`percentiles: [99.9]`), after every other
 * column: `latency_ms_p99.9`, `ttft_ms_p99.9`, ... per percentile.
 */
export function percentileColumns(extra: readonly number[]): Column<CellSummary>[] {
  return extra.flatMap((q) => SUMMARY_METRICS.map((m) => aggregate(m, percentileKey(q), `p${q} of ${m} (spec \`percentiles:\`)`)));
}

/** The further percentiles the summaries hold (keys beyond p50/p90/p95/p99). */
export function percentilesIn(summaries: readonly CellSummary[]): number[] {
  const found = new Set<number>();
  for (const s of summaries) {
    for (const m of SUMMARY_METRICS) for (const k of Object.keys(s[m] ?? {})) if (/^p\d/.test(k)) found.add(Number(k.slice(1)));
  }
  return extraPercentiles([...found]);
}

export interface SummaryTableOptions {
  /** With the server-metrics columns (issue 19). */
  serverMetrics?: boolean;
  /** The spec's further percentiles (`percentiles:`), columns after all others. */
  percentiles?: readonly number[];
}

export function summaryTable(axes: readonly string[], opts: SummaryTableOptions = {}): CsvTable<CellSummary> {
  const server = opts.serverMetrics ? SERVER_METRICS_COLUMNS : [];
  return csvTable(
    [CELL, ...axes.map((a) => axisColumn<CellSummary>(a)), ...SUMMARY_COLUMNS, ...server, ...percentileColumns(opts.percentiles ?? [])],
    blankSummary,
  );
}

export function serializeSummaryCsv(summaries: readonly CellSummary[], axes: readonly string[]): string {
  const table = summaryTable(axes, { serverMetrics: summaries.some((s) => s.server_metrics !== undefined), percentiles: percentilesIn(summaries) });
  return stringify([table.header(), ...summaries.map(table.row)]);
}

/** summary.csv back into summaries; values the file does not hold read as NaN (not measured). */
export function parseSummaryCsv(text: string, file = 'summary.csv'): { axes: string[]; summaries: CellSummary[] } {
  let rows: string[][];
  try {
    rows = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true }) as string[][];
  } catch (e) {
    throw new UserError(`${file}: not a readable summary.csv (${(e as Error).message})`);
  }
  const header = rows[0] ?? [];
  const end = header.indexOf(SUMMARY_COLUMNS[0].name);
  if (header[0] !== CELL.name || end < 0) throw new UserError(`${file}: not a summary.csv written by llm-sweep`);
  const axes = header.slice(1, end);
  const extra = header.flatMap((h) => {
    const m = /^latency_ms_p(\d+(?:\.\d+)?)$/.exec(h);
    return m ? [Number(m[1])] : [];
  });
  const read = summaryTable(axes, { serverMetrics: true, percentiles: extraPercentiles(extra) }).reader(header);
  return { axes, summaries: rows.slice(1).map(read) };
}
