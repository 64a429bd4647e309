/**
 * Reading requests.csv back (report, resume, merge, compare). A crash can leave a torn last
 * line; it is dropped (and counted) rather than failing the read.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { UserError } from '../errors.js';
import { LEADING, TRAILING, rowToRecord } from './columns.js';
import type { RequestRecord } from './types.js';

export interface RequestsFile {
  /** The header, in file order. */
  columns: string[];
  /** Matrix columns between `cell` and `prompt_id`, in file order. */
  axes: string[];
  records: RequestRecord[];
  /** Rows dropped because they were incomplete (a torn last line). */
  dropped: number;
}

export function readRequestsCsv(path: string): RequestsFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`${path}: cannot read (${code === 'ENOENT' ? 'no such file' : (e as Error).message})`);
  }
  return parseRequestsCsv(text, path);
}

export function parseRequestsCsv(text: string, path = 'requests.csv'): RequestsFile {
  let dropped = 0;
  // A row is complete only when its newline was written; anything after the last newline
  // is a torn write.
  const lastNl = text.lastIndexOf('\n');
  if (lastNl < text.length - 1) {
    if (text.slice(lastNl + 1).trim() !== '') dropped++;
    text = text.slice(0, lastNl + 1);
  }
  let rows: string[][];
  try {
    rows = parse(text, { bom: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true });
  } catch (e) {
    throw new UserError(`${path}: not a readable requests.csv (${(e as Error).message})`);
  }
  if (rows.length === 0) return { columns: [], axes: [], records: [], dropped };
  const header = rows[0];
  if (header[0] !== LEADING[0] || !header.includes(TRAILING[0])) {
    throw new UserError(`${path}: not a requests.csv written by llm-sweep (header starts with '${header[0]}')`);
  }
  const axes = header.slice(1, header.indexOf(TRAILING[0]));
  const records: RequestRecord[] = [];
  for (const row of rows.slice(1)) {
    if (row.length !== header.length) {
      dropped++;
      continue;
    }
    const obj: Record<string, string> = {};
    header.forEach((h, i) => (obj[h] = row[i]));
    const rec = rowToRecord(obj, axes);
    if (rec) records.push(rec);
    else dropped++;
  }
  return { columns: header, axes, records, dropped };
}
