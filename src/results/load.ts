/**
 * A finished result, read back as one typed view for compare, report, resume and merge: a
 * results folder (requests.csv, else summary.csv; run.json when present), or a summary.csv
 * or requests.csv path. With per-request rows, each cell's summary is rebuilt with the
 * runner's own `summarizeCell` (over what only run.json knows: client health, the threshold
 * verdict), and its rows are kept column by column; `rows()` streams them again whole.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserError } from '../errors.js';
import { CellColumns } from '../metrics/cell-columns.js';
import { summarizeCell, type CellSummary, type Slo, type SummaryOptions } from '../metrics/summary.js';
import { requestAxes } from '../records/columns.js';
import { rateValue } from '../spec/params.js';
import type { Spec } from '../spec/schema.js';
import type { CapacityEntry } from '../search/result.js';
import { CAPACITY_CSV, parseCapacityCsv } from './capacity-csv.js';
import { REQUESTS_CSV } from './exporters/requests-csv.js';
import { SUMMARY_CSV } from './exporters/summary-csv.js';
import { csvHeader, readRequests, type RequestsReading } from './read-requests.js';
import { readRunJson, type RunJson } from './run-json.js';
import { parseSummaryCsv } from './summary-csv.js';

export interface ResultCell {
  cell: string;
  params: Record<string, unknown>;
  summary: CellSummary;
  /** The cell's rows column by column, when the result has requests.csv. */
  columns?: CellColumns;
  /** The spec's SLOs, to test slo_attainment and goodput per request. */
  slo?: Slo;
}

export interface LoadedResult {
  /** As given. */
  path: string;
  /** The results folder. */
  dir: string;
  source: 'requests.csv' | 'summary.csv';
  run?: RunJson;
  axes: string[];
  /** run.json's cells first (plan order), then cells only the rows have. */
  cells: ResultCell[];
  /** Rows of requests.csv skipped as incomplete (a torn write). */
  dropped: number;
  /** Things worth a line on stderr (torn rows dropped, ...). */
  warnings: string[];
  /** requests.csv's rows, streamed again (merge, resume); none for a summary.csv result. */
  rows(): RequestsReading;
  /** With a search: the capacity of every searched cell (run.json's, else capacity.csv's). */
  capacity?: CapacityEntry[];
}

export function loadResult(path: string): LoadedResult {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw new UserError(`${path}: no such file or folder; give a results folder or a summary.csv`);
  }
  const dir = isDir ? path : dirname(path);
  const run = readRunJson(dir);
  let file = path;
  if (isDir) {
    file = [REQUESTS_CSV, SUMMARY_CSV].map((f) => join(path, f)).find((f) => existsSync(f)) ?? '';
    if (!file) throw new UserError(`${path}: no requests.csv or summary.csv in this folder; is it an llm-sweep results folder?`);
  }
  const header = csvHeader(file);
  const capacity = run?.capacity ?? readCapacity(dir);
  const withCapacity = capacity ? { capacity } : {};
  if (requestAxes(header)) return { ...fromRows(path, dir, file, run), ...withCapacity };
  if (header[0] === 'cell' && header.includes('requests')) {
    const { axes, summaries } = parseSummaryCsv(readText(file), file);
    const cells = summaries.map((s) => ({ cell: s.cell, params: s.params, summary: s }));
    return { path, dir, source: 'summary.csv', run, axes, cells, dropped: 0, warnings: [], rows: () => ({ axes, records: [], dropped: 0 }), ...withCapacity };
  }
  throw new UserError(`${file}: neither a requests.csv nor a summary.csv written by llm-sweep (${basename(file)})`);
}

function fromRows(path: string, dir: string, file: string, run: RunJson | undefined): LoadedResult {
  const reading = readRequests(file);
  const byCell = new Map<string, { params: Record<string, unknown>; columns: CellColumns; seen: Set<number> }>();
  for (const r of reading.records) {
    let c = byCell.get(r.cell);
    if (!c) byCell.set(r.cell, (c = { params: r.params, columns: new CellColumns(), seen: new Set() }));
    // A row is (cell, prompt_id, repeat); a second one can only come from a hand-edited file.
    const key = r.prompt_id * 2 ** 26 + r.repeat;
    if (c.seen.has(key)) continue;
    c.seen.add(key);
    c.columns.push(r);
  }
  const given = new Map((run?.cells ?? []).map((s) => [s.cell, s]));
  const ids = [...given.keys(), ...[...byCell.keys()].filter((id) => !given.has(id))];
  const cells = ids.map((id): ResultCell => {
    const prev = given.get(id);
    const rows = byCell.get(id);
    const params = prev?.params ?? rows!.params;
    const opts = summaryOptions(run?.spec, params);
    if (!rows || rows.columns.length === 0) return { cell: id, params, summary: prev!, slo: opts.slo };
    const rebuilt = summarizeCell(id, params, rows.columns, opts);
    // What the rows cannot say (client health, the verdict) comes from run.json.
    const summary = prev ? ({ ...prev, ...defined(rebuilt) } as CellSummary) : rebuilt;
    return { cell: id, params, summary, columns: rows.columns, slo: opts.slo };
  });
  const warnings = reading.dropped > 0 ? [`${file}: ${reading.dropped} incomplete row(s) skipped`] : [];
  return {
    path,
    dir,
    source: 'requests.csv',
    run,
    axes: reading.axes,
    cells,
    dropped: reading.dropped,
    warnings,
    rows: () => readRequests(file),
  };
}

/** capacity.csv of a folder without run.json; undefined when there is none. */
function readCapacity(dir: string): CapacityEntry[] | undefined {
  const file = join(dir, CAPACITY_CSV);
  return existsSync(file) ? parseCapacityCsv(readText(file), file) : undefined;
}

/**
 * What `summarizeCell` needs beyond the rows, from the spec as run.json records it: the
 * SLOs (for slo_attainment and goodput), the cell's offered rate (a matrix value, else
 * params), and whether it has checks and prices, as the runner passes them.
 */
export function summaryOptions(spec: Spec | undefined, params: Record<string, unknown>): SummaryOptions {
  const rate = 'rate' in params ? params.rate : spec?.params?.rate;
  // A search judged by an SLO summarizes its steps by that SLO, so a step's slo_attainment is its attainment.
  const search = spec?.search;
  const slo = search && search.thresholds === undefined ? (search.slo ?? spec.slo) : spec?.slo;
  return {
    slo,
    rate: rateValue(rate),
    checks: (spec?.checks?.length ?? 0) > 0,
    priced: spec?.pricing !== undefined,
    percentiles: spec?.percentiles,
  };
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new UserError(`${file}: cannot read (${(e as Error).message})`);
  }
}
