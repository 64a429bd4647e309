/** summary.csv: one row per cell (DESIGN.md section 3). Pure. */
import { stringify } from 'csv-stringify/sync';
import { SUMMARY_METRICS, type CellSummary } from '../metrics/summary.js';
import type { Stats } from '../metrics/stats.js';
import { axisCell } from '../records/columns.js';

const AGGS = ['mean', 'p50', 'p90', 'p95', 'p99'] as const satisfies readonly (keyof Stats)[];

export function summaryColumns(axes: readonly string[]): string[] {
  return [
    'cell',
    ...axes,
    'requests',
    'ok',
    'errors',
    'error_rate',
    'duration_s',
    'requests_per_s',
    'output_tokens_per_s',
    ...SUMMARY_METRICS.flatMap((m) => AGGS.map((a) => `${m}_${a}`)),
    'prompt_tokens_mean',
    'completion_tokens_mean',
    'threshold',
    // Beyond DESIGN.md's list, appended so its columns keep their positions.
    'e2e_latency_ms_p50',
    'e2e_latency_ms_p95',
    'e2e_latency_ms_p99',
    'queue_ms_p50',
    'queue_ms_p99',
    'offered_rps',
    'achieved_rps',
    'slo_attainment',
    'goodput_rps',
    'client_loop_delay_p99_ms',
    'client_cpu',
    'client_bound',
    'connect_ms_mean',
    'connect_ms_p50',
    'server_queue_ms_p50',
    'server_prefill_ms_p50',
    'server_decode_ms_p50',
    'server_total_ms_p50',
    'cached_tokens_p50',
    'client_overhead_ms_p50',
  ];
}

function n(v: number | undefined, digits = 3): string {
  if (v === undefined || !Number.isFinite(v)) return '';
  const f = 10 ** digits;
  return String(Math.round(v * f) / f);
}

export function summaryRow(s: CellSummary, axes: readonly string[]): string[] {
  return [
    s.cell,
    ...axes.map((a) => axisCell(s.params[a])),
    String(s.requests),
    String(s.ok),
    String(s.errors),
    n(s.error_rate, 4),
    n(s.duration_s),
    n(s.requests_per_s),
    n(s.output_tokens_per_s),
    ...SUMMARY_METRICS.flatMap((m) => AGGS.map((a) => n(s[m]?.[a]))),
    n(s.prompt_tokens_mean, 1),
    n(s.completion_tokens_mean, 1),
    s.threshold ?? '',
    n(s.e2e_latency_ms?.p50),
    n(s.e2e_latency_ms?.p95),
    n(s.e2e_latency_ms?.p99),
    n(s.queue_ms?.p50),
    n(s.queue_ms?.p99),
    n(s.offered_rps),
    n(s.achieved_rps),
    n(s.slo_attainment, 4),
    n(s.goodput_rps),
    n(s.client?.loop_delay_p99_ms),
    n(s.client?.cpu),
    s.client ? String(s.client.bound) : '',
    n(s.connect_ms?.mean),
    n(s.connect_ms?.p50),
    n(s.server?.queue_ms_p50),
    n(s.server?.prefill_ms_p50),
    n(s.server?.decode_ms_p50),
    n(s.server?.total_ms_p50),
    n(s.server?.cached_tokens_p50),
    n(s.client_overhead_ms_p50),
  ];
}

export function serializeSummaryCsv(summaries: readonly CellSummary[], axes: readonly string[]): string {
  return stringify([summaryColumns(axes), ...summaries.map((s) => summaryRow(s, axes))]);
}
