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
  ];
}

export function serializeSummaryCsv(summaries: readonly CellSummary[], axes: readonly string[]): string {
  return stringify([summaryColumns(axes), ...summaries.map((s) => summaryRow(s, axes))]);
}
