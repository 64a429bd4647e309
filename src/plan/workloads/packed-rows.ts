/**
 * Sampled dataset rows packed into a few typed arrays, so they cross from the worker thread
 * that sampled them to the runner without a copy (the buffers are transferred): ten thousand
 * rows would otherwise exist twice while they are cloned. A row's text is decoded when asked
 * for.
 */
import type { DatasetRow } from './dataset.js';

/** Rows as the runner reads them: an array, or packed rows. */
export interface RowList {
  readonly length: number;
  at(i: number): DatasetRow | undefined;
}

/** The transferable form of a RowList. */
export interface PackedRows {
  kind: 'packed';
  /** UTF-8 of every prompt, end to end. */
  text: Uint8Array;
  /** Row i's prompt is text[start[i] .. start[i + 1]). */
  start: Int32Array;
  inputTokens: Int32Array;
  /** -1 when the row has no output length. */
  outputTokens: Int32Array;
  line: Int32Array;
  /** Conversations keep every turn; rare enough to stay plain data. */
  turns?: (string[] | undefined)[];
}

export function packRows(rows: readonly DatasetRow[]): PackedRows {
  const encoder = new TextEncoder();
  const bytes = rows.reduce((n, r) => n + Buffer.byteLength(r.prompt), 0);
  const text = new Uint8Array(bytes);
  const start = new Int32Array(rows.length + 1);
  let at = 0;
  rows.forEach((r, i) => {
    start[i] = at;
    at += encoder.encodeInto(r.prompt, text.subarray(at)).written;
  });
  start[rows.length] = at;
  const turns = rows.some((r) => r.turns) ? rows.map((r) => r.turns) : undefined;
  return {
    kind: 'packed',
    text,
    start,
    inputTokens: Int32Array.from(rows, (r) => r.inputTokens),
    outputTokens: Int32Array.from(rows, (r) => r.outputTokens ?? -1),
    line: Int32Array.from(rows, (r) => r.line),
    turns,
  };
}

/** The buffers to transfer with postMessage. */
export function transferables(p: PackedRows): ArrayBuffer[] {
  return [p.text, p.start, p.inputTokens, p.outputTokens, p.line].map((a) => a.buffer as ArrayBuffer);
}

export function unpackRows(p: PackedRows): RowList {
  const decoder = new TextDecoder();
  const length = p.line.length;
  return {
    length,
    at(i: number): DatasetRow | undefined {
      if (i < 0 || i >= length) return undefined;
      const out = p.outputTokens[i];
      return {
        line: p.line[i],
        prompt: decoder.decode(p.text.subarray(p.start[i], p.start[i + 1])),
        inputTokens: p.inputTokens[i],
        outputTokens: out < 0 ? undefined : out,
        turns: p.turns?.[i],
      };
    },
  };
}
