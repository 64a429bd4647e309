/**
 * A file that grows by whole lines (requests.csv, responses.jsonl), written with plain
 * write(2) calls as lines come, so that a line handed over is in the kernel's page cache
 * and survives a SIGKILL of the process. Lines wait in a buffer at most `maxLines` lines
 * and `maxMs` ms (both bounds; see FLUSH_LINES). When a write fails (a full disk), the
 * file is cut back to its last whole line and every later call throws the WriteFault.
 */
import { closeSync, fstatSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { writeFault, type WriteFault } from '../write-fault.js';

/**
 * Lines buffered before a write, and how long the oldest may wait, ms. One line: every
 * finished request is written as it ends, so a crash loses only the requests in flight (the
 * contract); bench/results.md measures what it costs against batches.
 */
export const FLUSH_LINES = Number(process.env.LLM_SWEEP_FLUSH_LINES) || 1;
export const FLUSH_MS = 50;

export interface AppendFile {
  /** Size when opened, bytes (0 for a new file). */
  readonly sizeAtOpen: number;
  /** Adds a line (with its newline); throws a WriteFault when the file cannot be written. */
  append(line: string): void;
  /** Writes what is buffered; throws a WriteFault. */
  flush(): void;
  close(): void;
}

export function openAppendFile(path: string, opts: { maxLines?: number; maxMs?: number } = {}): AppendFile {
  const maxLines = opts.maxLines ?? FLUSH_LINES;
  const maxMs = opts.maxMs ?? FLUSH_MS;
  let fd: number;
  let size: number;
  try {
    fd = openSync(path, 'a');
    size = fstatSync(fd).size;
  } catch (e) {
    throw writeFault(e, path);
  }
  const sizeAtOpen = size;
  let buffer = '';
  let lines = 0;
  let timer: NodeJS.Timeout | undefined;
  let fault: WriteFault | undefined;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (fault) throw fault;
    if (lines === 0) return;
    const bytes = Buffer.from(buffer, 'utf8');
    buffer = '';
    lines = 0;
    try {
      for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
      size += bytes.length;
    } catch (e) {
      fault = writeFault(e, path);
      // A write cut short leaves half a line: cut the file back to its last whole one.
      try {
        ftruncateSync(fd, size);
      } catch {
        // A read-only file system cannot be cut either; resume cuts a torn line itself.
      }
      throw fault;
    }
  };
  return {
    sizeAtOpen,
    append(line) {
      if (fault) throw fault;
      buffer += line;
      lines += 1;
      if (lines >= maxLines) flush();
      else if (!timer) {
        timer = setTimeout(() => {
          try {
            flush();
          } catch {
            // Kept in `fault`: the next append or flush throws it where it can be handled.
          }
        }, maxMs);
        timer.unref();
      }
    },
    flush,
    close() {
      try {
        flush();
      } finally {
        closeSync(fd);
      }
    },
  };
}
