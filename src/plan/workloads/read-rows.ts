/**
 * Dataset files streamed row by row, never read whole, each row with the line it starts on:
 * JSON Lines (one value per line), a JSON array (ShareGPT's format: one big array of
 * conversations, split into its elements by a small scanner that tracks strings and nesting,
 * each element then parsed by JSON.parse), and CSV (csv-parse's streaming parser).
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parse as parseCsv } from 'csv-parse';
import { UserError } from '../../errors.js';
import { jsonErrorMessage, jsonErrorPosition } from '../../json.js';

/** One row of a dataset file. */
export interface RawRow {
  /** 1-based line the row starts on. */
  line: number;
  /** The row parsed: a JSON value, or a CSV record (column -> text). */
  value: unknown;
}

/** A row too big to be a prompt is a broken file, not a prompt; refusing it bounds memory. */
export const MAX_ROW_CHARS = 64 * 1024 * 1024;

/** How a file is shown in messages (as the spec wrote it) and where the spec names it. */
export interface FileRef {
  path: string;
  shown: string;
  /** `file:line:col` of the spec's `file:` value. */
  at: string;
  /** Bytes read at a time (64 KiB: faster and leaner than bigger chunks); tests make it tiny to cut rows across chunks. */
  chunkBytes?: number;
}

/** The file as a stream of text chunks; read errors surface when iterating (see readError). */
function open(ref: FileRef): NodeJS.ReadableStream {
  return createReadStream(ref.path, { encoding: 'utf8', highWaterMark: ref.chunkBytes ?? 1 << 16 });
}

/** A read error as a UserError that names the file and the fix. */
export function readError(e: unknown, ref: FileRef): unknown {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new UserError(`${ref.at}: dataset file '${ref.shown}' not found; paths are relative to the spec's folder`);
  if (code === 'EISDIR') return new UserError(`${ref.at}: dataset file '${ref.shown}' is a folder; give a .json, .jsonl or .csv file`);
  if (code === 'EACCES') return new UserError(`${ref.at}: no permission to read dataset file '${ref.shown}'`);
  return e;
}

/** JSON Lines: one value per non-blank line. A line that is not JSON is a UserError at file:line:col. */
export async function* jsonlRows(ref: FileRef): AsyncGenerator<RawRow> {
  const stream = open(ref);
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const raw of lines) {
      line++;
      const text = line === 1 ? raw.replace(/^\uFEFF/, '') : raw;
      if (text.trim() === '') continue;
      if (text.length > MAX_ROW_CHARS) throw tooBig(ref, line);
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (e) {
        const { col } = jsonErrorPosition(text, e);
        throw new UserError(`${ref.shown}:${line}:${col}: not valid JSON (${jsonErrorMessage(e)}); each line must be one JSON value`);
      }
      yield { line, value };
    }
  } catch (e) {
    throw readError(e, ref);
  } finally {
    lines.close();
    (stream as unknown as { destroy(): void }).destroy();
  }
}

/**
 * A JSON array of objects (ShareGPT's whole-file array of conversations), element by element,
 * in constant memory apart from the element being read.
 */
export async function* jsonArrayRows(ref: FileRef): AsyncGenerator<RawRow> {
  const stream = open(ref);
  let line = 1;
  let state: 'before' | 'between' | 'element' | 'after' = 'before';
  let expectValue = true; // after '[' or ','
  let elements = 0;
  let depth = 0; // nesting inside the element
  let inString = false;
  let escaped = false;
  let parts: string[] = [];
  let size = 0;
  let elementLine = 0;
  let elementCol = 0;
  let lineStart = 0; // offset in this chunk where the current line starts (may be negative)
  let first = true;
  const bad = (what: string) => new UserError(`${ref.shown}:${line}: ${what}; a ShareGPT file is one JSON array of conversations`);
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      const text = first ? chunk.replace(/^\uFEFF/, '') : chunk;
      first = false;
      let from = 0;
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c === 10) {
          line++;
          lineStart = i + 1;
        }
        if (state === 'element') {
          if (inString) {
            if (escaped) escaped = false;
            else if (c === 92) escaped = true; // backslash
            else if (c === 34) inString = false; // quote
          } else if (c === 34) inString = true;
          else if (c === 123 || c === 91) depth++;
          else if ((c === 125 || c === 93) && --depth === 0) {
            parts.push(text.slice(from, i + 1));
            const whole = parts.join('');
            parts = [];
            state = 'between';
            elements++;
            yield parseElement(whole, elementLine, elementCol, ref);
          }
          continue;
        }
        if (c <= 32) continue;
        if (state === 'before') {
          if (c !== 91) throw bad(`the file starts with '${text[i]}', not '['`);
          state = 'between';
        } else if (state === 'after') {
          throw bad('text after the closing ]');
        } else if (c === 93) {
          if (expectValue && elements > 0) throw bad('a comma before ]');
          state = 'after';
        } else if (c === 44) {
          if (expectValue) throw bad(elements === 0 ? 'a comma after [' : 'two commas in a row');
          expectValue = true;
        } else if (c === 123 || c === 91) {
          if (!expectValue) throw bad("a ',' is missing between two elements");
          expectValue = false;
          state = 'element';
          depth = 1;
          from = i;
          size = 0;
          elementLine = line;
          elementCol = i - lineStart + 1;
        } else {
          throw bad(`element ${elements + 1} starts with '${text[i]}': each element must be a conversation object {...}`);
        }
      }
      lineStart -= text.length;
      if (state === 'element') {
        const piece = text.slice(from);
        size += piece.length;
        if (size > MAX_ROW_CHARS) throw tooBig(ref, elementLine);
        parts.push(piece);
      }
    }
  } catch (e) {
    throw readError(e, ref);
  } finally {
    (stream as unknown as { destroy(): void }).destroy();
  }
  const end: string = state;
  if (end === 'before') throw new UserError(`${ref.shown}:1: the file is empty; a ShareGPT file is one JSON array of conversations`);
  if (end !== 'after') throw new UserError(`${ref.shown}:${line}: the file ends inside the array (no closing ]); was it cut short?`);
}

function parseElement(text: string, startLine: number, startCol: number, ref: FileRef): RawRow {
  try {
    return { line: startLine, value: JSON.parse(text) };
  } catch (e) {
    const at = jsonErrorPosition(text, e);
    // On the element's first line, columns count from where the element starts.
    const col = at.line === 1 ? at.col + startCol - 1 : at.col;
    throw new UserError(`${ref.shown}:${startLine + at.line - 1}:${col}: not valid JSON (${jsonErrorMessage(e)}) in the element that starts on line ${startLine}`);
  }
}

/** CSV with a header line; each record as column -> text, with the line it starts on. */
export async function* csvRows(ref: FileRef): AsyncGenerator<RawRow> {
  const stream = open(ref);
  const parser = parseCsv({ columns: true, bom: true, skip_empty_lines: true, relax_column_count: true, info: true, max_record_size: MAX_ROW_CHARS });
  stream.on('error', (e) => parser.destroy(e as Error));
  stream.pipe(parser);
  try {
    for await (const r of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      yield { line: r.info.lines, value: r.record };
    }
  } catch (e) {
    if (e instanceof UserError) throw e;
    const err = readError(e, ref);
    if (err !== e) throw err;
    const at = (e as { lines?: number }).lines;
    throw new UserError(`${ref.shown}:${at ?? 1}: not valid CSV: ${(e as Error).message}`);
  } finally {
    (stream as unknown as { destroy(): void }).destroy();
  }
}

function tooBig(ref: FileRef, line: number): UserError {
  return new UserError(`${ref.shown}:${line}: a row of more than ${MAX_ROW_CHARS / 1024 / 1024} MiB of text; is this the right file?`);
}
