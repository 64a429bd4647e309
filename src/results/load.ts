/**
 * Reading a finished result back for compare and merge: a results folder (requests.csv,
 * else summary.csv; run.json when present), or a summary.csv or requests.csv path. With
 * per-request rows, cell summaries are rebuilt with the runner's own `summarizeCell`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { UserError } from '../errors.js';
import type { RunJson } from './run-json.js';
import type { Stats } from '../metrics/stats.js';
import { SUMMARY_METRICS, summarizeCell, type CellSummary, type Slo, type SummaryOptions } from '../metrics/summary.js';
import { parseAxisCell } from '../records/columns.js';
import { readRequestsCsv } from './read-requests.js';
import type { RequestRecord } from '../records/types.js';

export interface ResultCell {
  cell: string;
  params: Record<string, unknown>;
  summary: CellSummary;
  /** Per-request rows, when the result has requests.csv. */
  records?: RequestRecord[];
  /** The spec's SLOs, to test slo_attainment and goodput per request. */
  slo?: Slo;
}

export interface LoadedResult {
  path: string;
  source: 'requests.csv' | 'summary.csv';
  axes: string[];
  cells: ResultCell[];
  run?: RunJson;
  /** Things worth a line on stderr (torn rows dropped, ...). */
  warnings: string[];
}

export function loadResult(path: string): LoadedResult {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw new UserError(`${path}: no such file or folder; give a results folder or a summary.csv`);
  }
  const dir = isDir ? path : dirname(path);
  const runPath = join(dir, 'run.json');
  const run = existsSync(runPath) ? readRunJson(runPath) : undefined;
  let file = path;
  if (isDir) {
    file = ['requests.csv', 'summary.csv'].map((f) => join(path, f)).find((f) => existsSync(f)) ?? '';
    if (!file) throw new UserError(`${path}: no requests.csv or summary.csv in this folder; is it an llm-sweep results folder?`);
  }
  const text = readText(file);
  const header = text.slice(0, text.indexOf('\n') + 1 || undefined);
  if (/(^|,)prompt_id(,|$)/m.test(header)) {
    const rf = readRequestsCsv(file);
    const warnings = rf.dropped > 0 ? [`${file}: ${rf.dropped} incomplete row(s) skipped`] : [];
    return { path, source: 'requests.csv', axes: rf.axes, cells: cellsFromRecords(rf.records, run), run, warnings };
  }
  if (/^cell,/.test(header) && /(^|,)requests(,|$)/m.test(header)) {
    const { axes, summaries } = parseSummaryCsv(text, file);
    return { path, source: 'summary.csv', axes, cells: summaries.map((s) => ({ cell: s.cell, params: s.params, summary: s })), run, warnings: [] };
  }
  throw new UserError(`${file}: neither a requests.csv nor a summary.csv written by llm-sweep (${basename(file)})`);
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new UserError(`${file}: cannot read (${(e as Error).message})`);
  }
}

export function readRunJson(path: string): RunJson {
  let doc: unknown;
  try {
    doc = JSON.parse(readText(path));
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  const d = doc as Partial<RunJson> | null;
  if (!d || typeof d !== 'object' || typeof d.spec_hash !== 'string' || !Array.isArray(d.axes)) {
    throw new UserError(`${path}: not a run.json written by llm-sweep (no spec_hash/axes)`);
  }
  return d as RunJson;
}

/**
 * What `summarizeCell` needs beyond the rows, from the spec as run.json records it: the
 * SLOs (for slo_attainment and goodput) and the cell's offered rate (a matrix value, else
 * params), as the runner passes them.
 */
export function summaryOptions(spec: unknown, params: Record<string, unknown>): SummaryOptions {
  const s = (spec ?? {}) as { slo?: SummaryOptions['slo']; params?: Record<string, unknown> };
  const rate = 'rate' in params ? params.rate : s.params?.rate;
  return { slo: s.slo, rate: typeof rate === 'number' ? rate : undefined };
}

/** Groups rows by cell in order of first appearance and summarizes each cell. */
export function cellsFromRecords(records: readonly RequestRecord[], run?: RunJson): ResultCell[] {
  const byCell = new Map<string, RequestRecord[]>();
  for (const r of records) {
    const list = byCell.get(r.cell);
    if (list) list.push(r);
    else byCell.set(r.cell, [r]);
  }
  const typed = new Map((run?.cells ?? []).map((c) => [c.cell, c.params]));
  return [...byCell].map(([cell, rows]) => {
    const params = typed.get(cell) ?? rows[0].params;
    const opts = summaryOptions(run?.spec, params);
    return { cell, params, summary: summarizeCell(cell, params, rows, opts), records: rows, slo: opts.slo };
  });
}

const AGG_COLUMNS = ['mean', 'p50', 'p90', 'p95', 'p99'] as const;
const COUNT_COLUMNS = new Set(['requests', 'ok', 'errors']);

/**
 * summary.csv back into summaries: the fixed columns by name, and any other numeric column
 * (a metric added later, e.g. slo_attainment) kept under its own name. Values summary.csv
 * does not hold (min, max, counts of a distribution) are NaN, so they read as not measured.
 */
export function parseSummaryCsv(text: string, file = 'summary.csv'): { axes: string[]; summaries: CellSummary[] } {
  let rows: string[][];
  try {
    rows = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true });
  } catch (e) {
    throw new UserError(`${file}: not a readable summary.csv (${(e as Error).message})`);
  }
  const header = rows[0] ?? [];
  const end = header.indexOf('requests');
  if (header[0] !== 'cell' || end < 0) throw new UserError(`${file}: not a summary.csv written by llm-sweep`);
  const axes = header.slice(1, end);
  const summaries = rows.slice(1).map((row) => {
    const col = (name: string): string => row[header.indexOf(name)] ?? '';
    const num = (name: string): number => (col(name) === '' ? NaN : Number(col(name)));
    const params: Record<string, unknown> = {};
    for (const a of axes) {
      const v = parseAxisCell(col(a));
      if (v !== undefined) params[a] = v;
    }
    const s: Record<string, unknown> = {};
    for (const [i, name] of header.entries()) {
      if (i > end && !COUNT_COLUMNS.has(name) && row[i] !== '' && Number.isFinite(Number(row[i]))) s[name] = Number(row[i]);
    }
    for (const m of SUMMARY_METRICS) {
      const values = AGG_COLUMNS.map((a) => num(`${m}_${a}`));
      if (values.every((v) => Number.isNaN(v))) continue;
      const stats: Stats = { count: NaN, min: NaN, max: NaN, mean: values[0], p50: values[1], p90: values[2], p95: values[3], p99: values[4] };
      s[m] = stats;
      for (const a of AGG_COLUMNS) delete s[`${m}_${a}`];
    }
    const threshold = col('threshold');
    return {
      ...s,
      cell: col('cell'),
      params,
      requests: num('requests'),
      ok: num('ok'),
      errors: num('errors'),
      estimated_tokens: 0,
      errors_by_kind: {},
      threshold: threshold === 'pass' || threshold === 'fail' ? threshold : undefined,
    } as CellSummary;
  });
  return { axes, summaries };
}
