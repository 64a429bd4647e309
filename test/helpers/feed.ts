/** Feed bytes to a StreamParser in the chunkings that break naive framing code. */
import type { StreamParser } from '../../src/providers/stream-parser.js';
import { mulberry32 } from '../../src/random.js';

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Feed `chunks` then end(); the parser is made by `make`, which collects into `out`. */
export function feed<T>(make: (out: T[]) => StreamParser, chunks: Uint8Array[]): T[] {
  const out: T[] = [];
  const parser = make(out);
  for (const c of chunks) parser.push(c);
  parser.end();
  return out;
}

/** The whole buffer as one chunk. */
export const whole = (bytes: Uint8Array): Uint8Array[] => [bytes];

/** Two pieces, cut before byte `at` (either piece may be empty). */
export const splitAt = (bytes: Uint8Array, at: number): Uint8Array[] => [
  bytes.subarray(0, at),
  bytes.subarray(at),
];

/** One byte per chunk. */
export function bytewise(bytes: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i++) out.push(bytes.subarray(i, i + 1));
  return out;
}

/** `bytes` cut before each of `cuts` (ascending byte offsets; pieces may be empty). */
export function cutAt<B extends Uint8Array>(bytes: B, cuts: readonly number[]): B[] {
  const chunks: B[] = [];
  let prev = 0;
  for (const c of cuts) {
    chunks.push(bytes.subarray(prev, c) as B);
    prev = c;
  }
  chunks.push(bytes.subarray(prev) as B);
  return chunks;
}

/** Every way to cut `bytes` into chunks at any subset of `positions` (2^k chunkings). */
export function everyCutSubset(bytes: Uint8Array, positions: number[]): Uint8Array[][] {
  const out: Uint8Array[][] = [];
  for (let mask = 0; mask < 1 << positions.length; mask++) out.push(cutAt(bytes, positions.filter((_, i) => mask & (1 << i))));
  return out;
}

/** Deterministic PRNG (mulberry32), so a failing random case can be replayed. */
export const prng = mulberry32;

/** Cut `bytes` into random chunks of 0..maxLen bytes (empty chunks included on purpose). */
export function randomChunks(bytes: Uint8Array, rand: () => number, maxLen: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let i = 0;
  while (i < bytes.length) {
    const len = Math.floor(rand() * (maxLen + 1));
    out.push(bytes.subarray(i, i + len));
    i += len;
  }
  return out;
}

/**
 * Push `bytes` one byte at a time, then end(), failing as soon as `budgetMs` is spent, so a
 * quadratic parser fails in seconds instead of hanging the synchronous test for minutes.
 */
export function feedBytewiseWithin(parser: StreamParser, bytes: Uint8Array, budgetMs: number): void {
  const t0 = performance.now();
  for (let i = 0; i < bytes.length; i++) {
    parser.push(bytes.subarray(i, i + 1));
    if ((i & 0xffff) === 0 && performance.now() - t0 > budgetMs) {
      throw new Error(`too slow: ${i} of ${bytes.length} bytes in ${budgetMs} ms (quadratic?)`);
    }
  }
  parser.end();
  const ms = performance.now() - t0;
  if (ms > budgetMs) throw new Error(`too slow: ${bytes.length} bytes in ${Math.round(ms)} ms`);
}
