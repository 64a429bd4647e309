/**
 * A CSV file appended to as rows arrive (requests.csv, server-metrics.csv), on
 * append-file.ts: each row is handed to the kernel as it comes, so a crash of the process
 * loses nothing written, and a full disk is a WriteFault with the file cut back to its last
 * whole row. The file is opened on the first row unless `eager`, so a file that gets no row
 * is never created; a file already there (resume) is appended to, its header kept.
 */
import { openAppendFile, type AppendFile } from './append-file.js';

export interface CsvAppender {
  /** One line, `\n` included; throws a WriteFault when the file cannot be written. */
  push(line: string): void;
  /** Writes what is buffered; throws (rejects with) a WriteFault. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** `header` is written first when the file is new or empty. */
export function csvAppender(path: string, header: string, opts: { eager?: boolean } = {}): CsvAppender {
  let file: AppendFile | undefined;
  const opened = () => {
    if (!file) {
      file = openAppendFile(path);
      if (file.sizeAtOpen === 0) file.append(header);
    }
    return file;
  };
  if (opts.eager) opened();
  return {
    push: (line) => opened().append(line),
    flush: async () => file?.flush(),
    close: async () => file?.close(),
  };
}
