/**
 * Trace replay (`prompts: { trace: { file: mooncake.jsonl, speedup: 2 } }`): a JSONL trace in
 * the Mooncake format, one request per line, `{"timestamp": ms, "input_length": tokens,
 * "output_length": tokens, "hash_ids": [block ids]}`, replayed on its own schedule (open loop:
 * request i is due at (timestamp_i - timestamp_0) / speedup, and `queue_ms` shows any lag).
 * Each hash id stands for one block of `block_tokens` tokens (512 in Mooncake's traces): the same
 * id gives the same text, so requests that share blocks share a real prefix and a prefix cache
 * sees the hits the trace had.
 */
import { z } from 'zod';
import { UserError } from '../../errors.js';
import { mixSeed, mulberry32 } from '../../random.js';
import { MAX_PROMPT_TOKENS, tokenCountSchema } from './distribution.js';
import { jsonlRows, type FileRef } from './read-rows.js';
import type { PromptSource, WorkloadPrompt, WorkloadTotals } from './types.js';
import { drawWords, textOfTokens, type Vocabulary } from './vocabulary.js';

export const traceSchema = z
  .strictObject({
    file: z.string().min(1).describe('A JSONL trace, relative to the spec: timestamp (ms), input_length, output_length and hash_ids per line (the Mooncake format).'),
    speedup: z.number().positive().default(1).describe('Replay this many times faster than recorded (2 = half the gaps).'),
    block_tokens: tokenCountSchema().default(512).describe('Tokens per hash_ids block (Mooncake: 512).'),
  })
  .describe('Replay a request trace on its own schedule.');
export type TraceSpec = z.infer<typeof traceSchema>;

/** A trace held as columns (a million rows take ~20 MB plus their hash ids). */
export interface Trace {
  shown: string;
  /** ms since the first row, as recorded. */
  at: Float64Array;
  input: Int32Array;
  output: Int32Array;
  /** hash_ids of row i are ids[idStart[i]] .. ids[idStart[i + 1] - 1]. */
  ids: Int32Array;
  idStart: Int32Array;
  /** Line of each row, for messages. */
  line: Int32Array;
  length: number;
}

/** Reads and checks a trace: every row well formed, timestamps never going backwards. */
export async function readTrace(ref: FileRef): Promise<Trace> {
  const at: number[] = [];
  const input: number[] = [];
  const output: number[] = [];
  const ids: number[] = [];
  const idStart: number[] = [0];
  const lines: number[] = [];
  let first: number | undefined;
  let previous = -Infinity;
  for await (const row of jsonlRows(ref)) {
    const where = `${ref.shown}:${row.line}`;
    const v = row.value as Record<string, unknown> | null;
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new UserError(`${where}: each line must be an object {"timestamp", "input_length", "output_length", "hash_ids"}`);
    const ts = v.timestamp;
    if (typeof ts !== 'number' || !Number.isFinite(ts) || ts < 0) throw new UserError(`${where}: "timestamp" must be a number of ms (0 or more), got ${JSON.stringify(ts)}`);
    if (ts < previous) {
      throw new UserError(
        `${where}: timestamp ${ts} is before the previous row's ${previous}: the trace goes back in time; sort it by timestamp (e.g. jq -s -c 'sort_by(.timestamp)[]')`,
      );
    }
    previous = ts;
    first ??= ts;
    const inLen = lengthField(v, 'input_length', where);
    const outLen = lengthField(v, 'output_length', where);
    const h = v.hash_ids;
    if (h !== undefined) {
      if (!Array.isArray(h) || !h.every((x) => Number.isInteger(x) && x >= 0 && x <= 0x7fffffff)) {
        throw new UserError(`${where}: "hash_ids" must be a list of block ids (whole numbers 0 or more)`);
      }
      for (const x of h as number[]) ids.push(x);
    }
    idStart.push(ids.length);
    at.push(ts - first);
    input.push(inLen);
    output.push(outLen);
    lines.push(row.line);
  }
  if (at.length === 0) throw new UserError(`${ref.at}: trace '${ref.shown}' has no requests`);
  return {
    shown: ref.shown,
    at: Float64Array.from(at),
    input: Int32Array.from(input),
    output: Int32Array.from(output),
    ids: Int32Array.from(ids),
    idStart: Int32Array.from(idStart),
    line: Int32Array.from(lines),
    length: at.length,
  };
}

function lengthField(v: Record<string, unknown>, key: string, where: string): number {
  const n = v[key];
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_PROMPT_TOKENS) {
    throw new UserError(`${where}: "${key}" must be a whole number of tokens from 1 to ${MAX_PROMPT_TOKENS.toLocaleString('en-US')}, got ${JSON.stringify(n)}`);
  }
  return n;
}

/** A trace as a cell's prompts, plus the schedule. */
export interface TraceSource extends PromptSource {
  /** ms after the cell's start when request i is due (speed-up applied). */
  dueMs(i: number): number;
  /** Requests in the trace. */
  length: number;
}

export interface TraceOptions {
  trace: Trace;
  spec: TraceSpec;
  vocab: Vocabulary;
  seed: number;
  /** The cell's key: blocks differ between cells, so one cell never warms another's cache. */
  key: string;
}

export function traceSource(o: TraceOptions): TraceSource {
  const { trace, spec, vocab } = o;
  const block = (id: number) => drawWords(vocab, spec.block_tokens, mulberry32(mixSeed(o.seed, 'block', o.key, id)));
  return {
    kind: 'trace',
    length: trace.length,
    dueMs: (i) => trace.at[i] / spec.speedup,
    prompt(i: number): WorkloadPrompt {
      // Warmup requests (negative i) replay the trace's first rows with text of their own.
      const r = ((i % trace.length) + trace.length) % trace.length;
      const tokens = trace.input[r];
      const words = tokens - vocab.base;
      let head = '';
      let headWords = 0;
      for (let j = trace.idStart[r]; j < trace.idStart[r + 1] && headWords < words; j++) {
        const take = Math.min(spec.block_tokens, words - headWords);
        const b = block(trace.ids[j]);
        head += take === spec.block_tokens ? b : cutWords(b, take);
        headWords += take;
      }
      // Tokens past the blocks are the request's own.
      const text = textOfTokens(vocab, tokens, mulberry32(mixSeed(o.seed, 'tail', o.key, i)), head, headWords);
      return {
        id: i,
        messages: [{ role: 'user', content: text }],
        text,
        origin: `${trace.shown}:${trace.line[r]}`,
        inputTokens: tokens,
        outputTokens: trace.output[r],
      };
    },
  };
}

/** The first n words of a text made by drawWords (each word starts with a space). */
function cutWords(text: string, n: number): string {
  let at = 0;
  for (let k = 0; k <= n && at >= 0; k++) {
    if (k === n) return text.slice(0, at);
    at = text.indexOf(' ', at + 1);
  }
  return text;
}

/** Token totals of the first `requests` requests of a trace (all of it by default), for `plan`. */
export function traceTotals(trace: Trace, requests = trace.length): WorkloadTotals {
  let inputTokens = 0;
  let outputTokens = 0;
  for (let i = 0; i < requests; i++) {
    inputTokens += trace.input[i % trace.length];
    outputTokens += trace.output[i % trace.length];
  }
  return { inputTokens, outputTokens };
}
