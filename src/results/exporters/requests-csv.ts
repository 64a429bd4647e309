/**
 * requests.csv, appended as requests end. Rows are buffered and written in batches (a
 * timer and a size bound), so the hot path never does file I/O itself; each finished cell
 * flushes the buffer, and a crash loses at most the last fraction of a second of rows,
 * which `--resume` runs again. Always written: resume, report and compare read it.
 */
import { existsSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { requestTable } from '../../records/columns.js';
import type { Exporter } from '../types.js';

export const REQUESTS_CSV = 'requests.csv';

const FLUSH_MS = 200;
const FLUSH_BYTES = 256 * 1024;

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
  async open(dir, run) {
    const path = join(dir, REQUESTS_CSV);
    const table = requestTable(run.axes);
    // Resume appends to the rows already there.
    const fresh = !existsSync(path) || statSync(path).size === 0;
    const handle = await open(path, 'a');
    let buffer: string[] = fresh ? [csvLine(table.header())] : [];
    let bufferedBytes = buffer.join('').length;
    let timer: NodeJS.Timeout | undefined;
    let chain: Promise<void> = Promise.resolve();
    const flush = (): Promise<void> => {
      if (timer) clearTimeout(timer);
      timer = undefined;
      if (buffer.length === 0) return chain;
      const text = buffer.join('');
      buffer = [];
      bufferedBytes = 0;
      chain = chain.then(() => handle.appendFile(text, 'utf8'));
      return chain;
    };
    return {
      record(r) {
        const line = csvLine(table.row(r));
        buffer.push(line);
        bufferedBytes += line.length;
        if (bufferedBytes >= FLUSH_BYTES) void flush();
        else if (!timer) {
          timer = setTimeout(() => void flush(), FLUSH_MS);
          timer.unref();
        }
      },
      write: () => flush(),
      async close() {
        await flush();
        await handle.close();
      },
    };
  },
};
