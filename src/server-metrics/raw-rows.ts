/**
 * server-metrics.csv: every sample of every scrape, one row each, so nothing is lost for a
 * user who wants more than the maps give. A failed scrape is one row with the reason in
 * `error`. Pure.
 */
import type { Scrape } from './types.js';

export const RAW_HEADER = ['cell', 'source', 'phase', 'time', 'metric', 'labels', 'value', 'error'] as const;

export type RawRow = Record<(typeof RAW_HEADER)[number], string | number>;

/** Labels the way the exposition writes them, without braces: `engine="0",model_name="m"`. */
export function formatLabels(labels: Readonly<Record<string, string>>): string {
  return Object.keys(labels)
    .map((k) => `${k}="${labels[k].replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`)
    .join(',');
}

/** Rows of one scrape; `timeOrigin` turns performance.now() into wall-clock time (performance.timeOrigin). */
export function rawRows(cell: string, scrape: Scrape, timeOrigin: number): RawRow[] {
  const base = { cell, source: scrape.url, phase: scrape.phase, time: new Date(timeOrigin + scrape.at).toISOString() };
  if (!scrape.ok) return [{ ...base, metric: '', labels: '', value: '', error: scrape.error }];
  return scrape.samples.map((s) => ({ ...base, metric: s.name, labels: formatLabels(s.labels), value: numberText(s.value), error: '' }));
}

/** Prometheus' spellings for the special values, so a spreadsheet shows what the server said. */
function numberText(v: number): string | number {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return v;
}
