/**
 * requests.csv, appended as requests end. Rows are buffered and written in batches (a
 * timer and a size bound), so the hot path never does file I/O itself; `flush()` drains
 * the buffer, and a crash loses at most the last fraction of a second of rows, which
 * `--resume` runs again.
 */
import { closeSync, existsSync, openSync, statSync, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { stringify } from 'csv-stringify/sync';
import { recordToRow, requestColumns } from '../../records/columns.js';
import type { RequestRecord } from '../../records/types.js';

export interface RecordSink {
  write(record: RequestRecord): void;
  /** Writes everything buffered. */
  flush(): Promise<void>;
  /** Flushes and closes the file. */
  close(): Promise<void>;
  /** Last resort at process exit: writes the buffer synchronously. */
  flushSync(): void;
  readonly path: string;
}

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

export async function openCsvSink(path: string, axes: readonly string[]): Promise<RecordSink> {
  const fresh = !existsSync(path) || statSync(path).size === 0;
  const handle: FileHandle = await open(path, 'a');
  let buffer: string[] = [];
  let bufferedBytes = 0;
  let timer: NodeJS.Timeout | undefined;
  let chain: Promise<void> = Promise.resolve();
  let closed = false;
  if (fresh) {
    const header = stringify([requestColumns(axes)]);
    buffer.push(header);
    bufferedBytes += header.length;
  }
  const take = (): string => {
    const text = buffer.join('');
    buffer = [];
    bufferedBytes = 0;
    if (timer) clearTimeout(timer);
    timer = undefined;
    return text;
  };
  const flush = (): Promise<void> => {
    if (buffer.length === 0) return chain;
    const text = take();
    chain = chain.then(() => handle.appendFile(text, 'utf8'));
    return chain;
  };
  return {
    path,
    write(record) {
      if (closed) throw new Error('requests.csv sink is closed');
      const line = csvLine(recordToRow(record, axes));
      buffer.push(line);
      bufferedBytes += line.length;
      if (bufferedBytes >= FLUSH_BYTES) void flush();
      else if (!timer) {
        timer = setTimeout(() => void flush(), FLUSH_MS);
        timer.unref();
      }
    },
    flush,
    async close() {
      if (closed) return chain;
      await flush();
      closed = true;
      await handle.close();
    },
    flushSync() {
      if (buffer.length === 0) return;
      const text = take();
      const fd = openSync(path, 'a');
      try {
        writeSync(fd, text);
      } finally {
        closeSync(fd);
      }
    },
  };
}
