import { UserError } from '../errors.js';
import type { Shard } from './types.js';

/**
 * Parses `k/n` (1-based), or `auto/n` for a Kubernetes Indexed Job: k is
 * JOB_COMPLETION_INDEX + 1 (the index is 0-based), n the Job's `completions`.
 */
export function parseShard(text: string, env: NodeJS.ProcessEnv = process.env): Shard {
  const auto = /^auto\/(\d+)$/.exec(text.trim());
  if (auto) {
    const index = env.JOB_COMPLETION_INDEX ?? '';
    if (!/^\d+$/.test(index)) {
      throw new UserError(
        `--shard ${text}: JOB_COMPLETION_INDEX is ${index === '' ? 'not set' : `'${index}', not a whole number`}; ` +
          'auto takes the shard from a Kubernetes Indexed Job (completionMode: Indexed); elsewhere give --shard k/n',
      );
    }
    return parseShard(`${Number(index) + 1}/${auto[1]}`, env);
  }
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const k = m ? Number(m[1]) : NaN;
  const n = m ? Number(m[2]) : NaN;
  if (!m || n < 1 || k < 1 || k > n) {
    throw new UserError(`--shard ${text}: expected k/n with 1 <= k <= n, e.g. --shard 2/4 (or auto/n in a Kubernetes Indexed Job)`);
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
