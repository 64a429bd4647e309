/**
 * A CSV file appended to as rows arrive: rows are buffered and written in batches (a timer
 * and a size bound), so a hot path never does file I/O itself, and a crash loses at most the
 * last fraction of a second of rows. The file is opened on the first row, so a file that
 * gets no row is never created; a file already there (resume) is appended to, its header
 * kept.
 */
import { existsSync, statSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

const FLUSH_MS = 200;
const FLUSH_BYTES = 256 * 1024;

export interface CsvAppender {
  /** One line, `\n` included. */
  push(line: string): void;
  /** Writes what is buffered; resolves when it is on disk. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** `header` is written first when the file is new or empty. */
export function csvAppender(path: string, header: string, opts: { eager?: boolean } = {}): CsvAppender {
  let handle: Promise<FileHandle> | undefined;
  let buffer: string[] = [];
  let bufferedBytes = 0;
  let timer: NodeJS.Timeout | undefined;
  let chain: Promise<void> = Promise.resolve();
  const file = () => {
    if (!handle) {
      const fresh = !existsSync(path) || statSync(path).size === 0;
      if (fresh) buffer.unshift(header);
      handle = open(path, 'a');
    }
    return handle;
  };
  const flush = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (buffer.length === 0) return chain;
    const text = buffer.join('');
    buffer = [];
    bufferedBytes = 0;
    const h = file();
    chain = chain.then(async () => (await h).appendFile(text, 'utf8'));
    return chain;
  };
  if (opts.eager) file();
  return {
    push(line) {
      file();
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
      await flush();
      if (handle) await (await handle).close();
    },
  };
}
