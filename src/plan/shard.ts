import { UserError } from '../errors.js';
import type { Shard } from './types.js';

/** Parses `k/n` (1-based). */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const k = m ? Number(m[1]) : NaN;
  const n = m ? Number(m[2]) : NaN;
  if (!m || n < 1 || k < 1 || k > n) {
    throw new UserError(`--shard ${text}: expected k/n with 1 <= k <= n, e.g. --shard 2/4`);
  }
  return { k, n };
}

/**
 * Whole cells, dealt round-robin by their index in the full plan: every cell lands in
 * exactly one shard, shards differ in size by at most one cell, and the assignment depends
 * only on the spec, so separate machines agree without talking to each other.
 */
export function inShard(cellIndex: number, shard: Shard | undefined): boolean {
  return !shard || cellIndex % shard.n === shard.k - 1;
}
