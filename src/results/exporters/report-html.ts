/**
 * Writes report.html for a results folder: at the end of each cell during a run, and from
 * `llm-sweep report <dir>`. Both go through `writeReport`, so they produce the same file.
 */
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../../errors.js';
import { METRIC_DEFINITIONS } from '../run-json.js';
import type { CellSummary } from '../../metrics/summary.js';
import { parseRequestsCsv } from '../read-requests.js';
import { addRecords, buildReportData, mergeSummaries, type CellRows } from '../../report/data.js';
import { renderReportHtml } from '../../report/html.js';

export const REPORT_FILE = 'report.html';

/** What run.json holds (any version): top-level fields plus per-cell summaries. */
export type RunLike = Record<string, unknown> & { cells?: readonly CellSummary[]; axes?: readonly string[] };

interface CsvState {
  path: string;
  ino: number;
  /** Bytes of complete rows read so far. */
  offset: number;
  header?: string;
  axes: string[];
  byCell: Map<string, CellRows>;
  /** Rows read. */
  count: number;
  dropped: number;
}

let cache: CsvState | undefined;

const BLOCK = 1 << 20;

/** Bytes up to and including the last line break outside a quoted field; -1 when none. */
function rowsEnd(buf: Buffer): number {
  let quoted = false;
  let end = -1;
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i];
    if (b === 0x22) quoted = !quoted;
    else if (b === 0x0a && !quoted) end = i + 1;
  }
  return end;
}

/**
 * requests.csv's rows, read incrementally: during a run the report is rebuilt after every
 * cell, and re-reading the whole file each time would make a long sweep quadratic. Only
 * rows after the last read are parsed; a partial last line waits for the next read. A
 * different or shorter file starts over.
 */
export function readRequestsIncrementally(path: string): { axes: string[]; byCell: Map<string, CellRows>; count: number; dropped: number } {
  if (!existsSync(path)) return { axes: [], byCell: new Map(), count: 0, dropped: 0 };
  const fd = openSync(path, 'r');
  try {
    const st = fstatSync(fd);
    if (!cache || cache.path !== path || cache.ino !== st.ino || st.size < cache.offset) {
      cache = { path, ino: st.ino, offset: 0, axes: [], byCell: new Map(), count: 0, dropped: 0 };
    }
    const state = cache;
    // Read and parse in blocks of whole rows: the first report of a 100,000-request cell
    // would otherwise hold the whole file as text, as parsed rows and as records at once.
    let size = BLOCK;
    while (state.offset < st.size) {
      const len = Math.min(size, st.size - state.offset);
      const buf = Buffer.allocUnsafe(len);
      const got = readSync(fd, buf, 0, len, state.offset);
      const cut = rowsEnd(buf.subarray(0, got));
      if (cut < 0) {
        // No complete row in the block: a partial last line waits, a long row gets a bigger block.
        if (state.offset + got >= st.size) break;
        size *= 2;
        continue;
      }
      size = BLOCK;
      let text = buf.toString('utf8', 0, cut);
      state.offset += cut;
      if (state.header === undefined) {
        const end = text.indexOf('\n') + 1;
        state.header = text.slice(0, end);
        text = text.slice(end);
      }
      const parsed = parseRequestsCsv(state.header + text, path);
      state.axes = parsed.axes;
      addRecords(state.byCell, parsed.records);
      state.count += parsed.records.length;
      state.dropped += parsed.dropped;
    }
    return { axes: state.axes, byCell: state.byCell, count: state.count, dropped: state.dropped };
  } finally {
    closeSync(fd);
  }
}

export interface WriteReportOptions {
  /** Where to write; default `<dir>/report.html`. */
  out?: string;
}

export interface WrittenReport {
  path: string;
  /** Summaries rebuilt from requests.csv over the given ones (for summary.csv). */
  cells: CellSummary[];
  axes: string[];
}

/** Builds and writes report.html from `<dir>/requests.csv` and the run's metadata. */
export function writeReport(dir: string, run: RunLike, opts: WriteReportOptions = {}): WrittenReport {
  const csv = readRequestsIncrementally(join(dir, 'requests.csv'));
  const axes = csv.axes.length > 0 ? csv.axes : [...(run.axes ?? [])];
  const byCell = csv.byCell;
  const cells = mergeSummaries(run.cells ?? [], byCell);
  const meta = { metric_definitions: METRIC_DEFINITIONS, ...run };
  const html = renderReportHtml(buildReportData({ meta, cells, axes, byCell, dropped: csv.dropped }));
  const path = opts.out ?? join(dir, REPORT_FILE);
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, html);
  renameSync(tmp, path);
  return { path, cells, axes };
}

/** run.json of a results folder, or an empty object when there is none (formats without json). */
export function readRunJson(dir: string): RunLike {
  const path = join(dir, 'run.json');
  if (!existsSync(path)) return {};
  try {
    const doc = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error('not an object');
    return doc as RunLike;
  } catch (e) {
    throw new UserError(`${path}: not a readable run.json (${(e as Error).message})`);
  }
}

/** Checks that `dir` is a results folder with requests.csv; a UserError names what is missing. */
export function checkResultsDir(dir: string): void {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`${dir}: no such results folder`);
  if (!existsSync(join(dir, 'requests.csv'))) {
    throw new UserError(`${dir}: no requests.csv here; give the folder a run wrote (results/<name>/<timestamp>)`);
  }
}
