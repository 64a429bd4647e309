/**
 * From a run's files to everything the report shows. Pure: `buildReportData` takes what
 * was read (run.json's fields, requests.csv's rows) and returns plain data.
 */
import { CellColumns } from '../metrics/cell-columns.js';
import { summarizeCell, type CellSummary } from '../metrics/summary.js';
import type { RequestRecord } from '../records/types.js';
import { cellLabel, sweptAxes } from './axes.js';
import { axisCharts, distributionCharts, errorChart, errorGroups, throughputChart } from './charts.js';
import { chartMarks, collectWarnings, definitions, formatDuration, metaRows, runDurationS, sweepRows, verdicts } from './meta.js';
import { cellTable, formatNumber } from './table.js';
import type { ReportData, ReportInput } from './types.js';

/**
 * What the report keeps of a cell's rows: the summary's columns (see metrics/cell-columns.ts)
 * and the failed rows whole (for the error groups), not every row as an object: a report
 * rebuilt after each cell of a 100,000-request run would otherwise hold 100,000 records.
 */
export interface CellRows {
  params: Record<string, unknown>;
  columns: CellColumns;
  errors: RequestRecord[];
}

/** Adds rows to `by` (by cell id, cells in order of first appearance); returns `by`. */
export function addRecords(by: Map<string, CellRows>, records: Iterable<RequestRecord>): Map<string, CellRows> {
  for (const r of records) {
    let rows = by.get(r.cell);
    if (!rows) by.set(r.cell, (rows = { params: r.params, columns: new CellColumns(), errors: [] }));
    rows.columns.push(r);
    if (r.status === 'error') rows.errors.push(r);
  }
  return by;
}

/** Rows by cell id, cells in order of first appearance. */
export function groupRecords(records: readonly RequestRecord[]): Map<string, CellRows> {
  return addRecords(new Map(), records);
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * The cells to show: each one's summary rebuilt from its rows (so a report rebuilt from
 * requests.csv equals the one written during the run), over what the runner or run.json
 * knew that the rows do not (threshold verdicts, client health, ...). Order: the given
 * cells first (plan order), then cells found only in the rows.
 */
export function mergeSummaries(given: readonly CellSummary[], byCell: ReadonlyMap<string, CellRows>): CellSummary[] {
  const out: CellSummary[] = [];
  const seen = new Set<string>();
  for (const g of given) {
    const rows = byCell.get(g.cell);
    out.push(rows && rows.columns.length > 0 ? ({ ...g, ...defined(summarizeCell(g.cell, g.params, rows.columns)) } as CellSummary) : g);
    seen.add(g.cell);
  }
  for (const [cell, rows] of byCell) {
    if (seen.has(cell) || rows.columns.length === 0) continue;
    out.push(summarizeCell(cell, rows.params, rows.columns));
  }
  return out;
}

function pct(v: number): string {
  return `${(v * 100).toFixed(v > 0 && v < 0.01 ? 2 : 1)}%`;
}

function overview(v: ReportData['verdicts'], cells: readonly CellSummary[], meta: Record<string, unknown>, label: (c: CellSummary) => string) {
  const out: ReportData['overview'] = [];
  const total = typeof meta.total_cells === 'number' ? meta.total_cells : undefined;
  out.push({ label: 'Cells', value: total !== undefined && total !== cells.length ? `${cells.length} of ${total}` : String(cells.length) });
  const requests = cells.reduce((s, c) => s + c.requests, 0);
  const errors = cells.reduce((s, c) => s + c.errors, 0);
  out.push({ label: 'Requests', value: requests.toLocaleString('en-US') });
  out.push({
    label: 'Failed requests',
    value: errors > 0 ? `${errors.toLocaleString('en-US')} (${pct(errors / requests)})` : '0',
    tone: errors > 0 ? 'bad' : 'good',
  });
  const withLatency = cells.filter((c) => c.latency_ms && c.ok > 0);
  if (withLatency.length > 0) {
    const best = withLatency.reduce((a, b) => (b.output_tokens_per_s > a.output_tokens_per_s ? b : a));
    out.push({ label: 'Peak output throughput', value: `${formatNumber(best.output_tokens_per_s)} tokens/s (${label(best)})` });
    const fastest = withLatency.reduce((a, b) => (b.latency_ms!.p95 < a.latency_ms!.p95 ? b : a));
    out.push({ label: 'Lowest latency p95', value: `${formatNumber(fastest.latency_ms!.p95)} ms (${label(fastest)})` });
  }
  if (v.any) {
    const failed = Math.max(v.failedCells.length, v.rows.filter((r) => r.state === 'fail').length);
    out.push(
      v.anyFailed
        ? { label: 'Thresholds', value: `${failed} failed`, tone: 'bad' }
        : { label: 'Thresholds', value: 'all passed', tone: 'good' },
    );
  }
  const dur = runDurationS(meta);
  if (dur !== undefined) out.push({ label: 'Run time', value: formatDuration(dur) });
  return out;
}

/** Everything the report shows. `input.cells` are final (see `mergeSummaries`); rows give distributions and errors. */
export function buildReportData(input: ReportInput, now = new Date()): ReportData {
  const { meta, cells } = input;
  const byCell = input.byCell ?? groupRecords(input.records ?? []);
  const swept = sweptAxes(cells, input.axes);
  const label = (c: CellSummary) => cellLabel(c, swept);
  const groups = errorGroups(cells, byCell, swept);
  const v = verdicts(meta, cells, label);
  const marks = chartMarks(meta, v.rows);
  const tool = typeof meta.tool === 'object' && meta.tool !== null ? (meta.tool as { version?: unknown }) : {};
  const spec = typeof meta.spec === 'object' && meta.spec !== null ? (meta.spec as { description?: unknown }) : {};
  return {
    title: typeof meta.spec_name === 'string' ? meta.spec_name : 'llm-sweep results',
    description: typeof spec.description === 'string' ? spec.description : undefined,
    meta: metaRows(meta),
    sweep: sweepRows(meta, cells, input.axes),
    overview: overview(v, cells, meta, label),
    verdicts: v,
    warnings: collectWarnings(meta, cells, label, input.dropped),
    axisCharts: axisCharts(cells, swept, marks),
    throughput: throughputChart(cells, swept, marks),
    distributions: distributionCharts(cells, byCell, swept),
    errors: { groups, chart: errorChart(cells, byCell, swept, groups) },
    table: cellTable(cells, input.axes),
    definitions: definitions(meta),
    swept,
    generatedAt: now.toISOString(),
    toolVersion: typeof tool.version === 'string' ? tool.version : '',
  };
}
