/**
 * requests.csv, appended as requests end: each row is handed to the kernel as its request
 * ends (csv-appender.ts), so a crash of the process loses at most the requests in flight,
 * which `--resume` runs again. Always written: resume, report and compare read it.
 */
import { join } from 'node:path';
import { requestTable } from '../../records/columns.js';
import type { Exporter } from '../types.js';
import { csvAppender } from './csv-appender.js';

export const REQUESTS_CSV = 'requests.csv';

const NEEDS_QUOTES = /[",\n\r]/;

/**
 * One CSV line, exactly as csv-stringify writes it with its defaults (quote a field that
 * holds a comma, a quote or a line break; double the quotes; '\n' at the end), without
 * building a stringifier per row: that cost ~10 KB of garbage per request.
 */
export function csvLine(fields: readonly string[]): string {
  let line = '';
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    if (i > 0) line += ',';
    line += NEEDS_QUOTES.test(f) ? `"${f.replaceAll('"', '""')}"` : f;
  }
  return `${line}\n`;
}

export const requestsCsv: Exporter = {
  file: REQUESTS_CSV,
  async open(dir, run, scrub) {
    const table = requestTable(run.axes);
    // Created at the start even with no row yet: resume, report and compare expect it.
    const out = csvAppender(join(dir, REQUESTS_CSV), csvLine(table.header()), { eager: true });
    return {
      record: (r) => out.push(scrub(csvLine(table.row(r)))),
      write: () => out.flush(),
      close: () => out.close(),
    };
  },
};
