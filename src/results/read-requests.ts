/**
 * Reading requests.csv back (report, resume, merge, compare): the only reader of the file.
 * Rows stream in blocks of whole lines, so a 100,000-row file never sits in memory as text,
 * parsed fields and records at once. A crash can leave a torn last line; it is dropped (and
 * counted) rather than failing the read.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { UserError } from '../errors.js';
import { requestAxes, requestReader } from '../records/columns.js';
import type { RequestRecord } from '../records/types.js';

export interface RequestsReading {
  /** Matrix columns between `cell` and `prompt_id`, in file order. */
  axes: string[];
  /** The rows, read as they are iterated (once). */
  records: Iterable<RequestRecord>;
  /** Rows dropped because they were incomplete (a torn last line); final once `records` is done. */
  dropped: number;
}

/**
 * Bytes read at a time: ~1,300 rows. Small enough that a block's text, fields and records
 * die young (100,000 rows: ~125 MB peak RSS for `report`, ~155 MB with 1 MiB blocks), large
 * enough that the per-block work is noise.
 */
const BLOCK = 1 << 17;

/** Bytes up to and including the last line break outside a quoted field; -1 when none. */
function rowsEnd(buf: Uint8Array): number {
  let quoted = false;
  let end = -1;
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i];
    if (b === 0x22) quoted = !quoted;
    else if (b === 0x0a && !quoted) end = i + 1;
  }
  return end;
}

function parseLines(text: string, path: string, first: boolean): string[][] {
  try {
    return parse(text, { bom: first, relax_column_count: true, relax_quotes: true, skip_empty_lines: true }) as string[][];
  } catch (e) {
    throw new UserError(`${path}: not a readable requests.csv (${(e as Error).message})`);
  }
}

/** Whole-line blocks of a file, read on demand; a last piece without its newline is `torn`. */
function* blocks(path: string): Generator<{ text: string; torn?: boolean }> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`${path}: cannot read (${code === 'ENOENT' ? 'no such file' : (e as Error).message})`);
  }
  try {
    let offset = 0;
    let size = BLOCK;
    for (;;) {
      const buf = Buffer.allocUnsafe(size);
      const got = readSync(fd, buf, 0, size, offset);
      if (got === 0) return;
      const cut = rowsEnd(buf.subarray(0, got));
      if (cut < 0) {
        // No whole line in the block: a longer line gets a bigger block, the file's end a torn line.
        if (got < size) return yield { text: buf.toString('utf8', 0, got), torn: true };
        size *= 2;
        continue;
      }
      size = BLOCK;
      offset += cut;
      yield { text: buf.toString('utf8', 0, cut) };
    }
  } finally {
    closeSync(fd);
  }
}

/** The names in a CSV file's first line (requests.csv or summary.csv); empty for an empty file. */
export function csvHeader(path: string): string[] {
  const first = blocks(path).next();
  if (first.done) return [];
  const text = first.value.text;
  return parseLines(text.slice(0, text.indexOf('\n') + 1 || undefined), path, true)[0] ?? [];
}

/** Streams `path`'s rows. Throws a UserError when the file is missing or not a requests.csv. */
export function readRequests(path: string): RequestsReading {
  const source = blocks(path);
  const head = source.next();
  return fromBlocks(head.done ? undefined : head.value, source, path);
}

/** The same for a whole file's text (tests, small files). */
export function parseRequestsCsv(text: string, path = 'requests.csv'): { axes: string[]; records: RequestRecord[]; dropped: number } {
  const lastNl = text.lastIndexOf('\n');
  const whole = { text: text.slice(0, lastNl + 1) };
  const rest = lastNl + 1 < text.length ? [{ text: text.slice(lastNl + 1), torn: true }] : [];
  const reading = fromBlocks(whole.text ? whole : rest.shift(), rest.values(), path);
  const records = [...reading.records];
  return { axes: reading.axes, records, dropped: reading.dropped };
}

function fromBlocks(first: { text: string; torn?: boolean } | undefined, rest: Iterator<{ text: string; torn?: boolean }>, path: string): RequestsReading {
  if (!first || first.torn) {
    // An empty file, or a header torn before its newline: no rows.
    return { axes: [], records: [], dropped: first && first.text.trim() !== '' ? 1 : 0 };
  }
  const nl = first.text.indexOf('\n');
  const [header] = parseLines(first.text.slice(0, nl + 1), path, true);
  const axes = header ? requestAxes(header) : undefined;
  if (!header || !axes) {
    throw new UserError(`${path}: not a requests.csv written by llm-sweep (header starts with '${header?.[0] ?? ''}')`);
  }
  const read = requestReader(header);
  const reading: RequestsReading = { axes, records: [], dropped: 0 };
  reading.records = (function* () {
    let block: { text: string; torn?: boolean } | undefined = { text: first.text.slice(nl + 1) };
    while (block) {
      if (block.torn) {
        if (block.text.trim() !== '') reading.dropped++;
      } else {
        for (const fields of parseLines(block.text, path, false)) {
          const r = read(fields);
          if (r) yield r;
          else reading.dropped++;
        }
      }
      const next = rest.next();
      block = next.done ? undefined : next.value;
    }
  })();
  return reading;
}
