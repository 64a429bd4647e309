import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { inShard, parseShard } from '../../../src/plan/shard.js';

describe('--shard k/n', () => {
  it('parses k/n', () => {
    expect(parseShard('2/4')).toEqual({ k: 2, n: 4 });
    expect(parseShard(' 1/1 ')).toEqual({ k: 1, n: 1 });
  });

  it.each(['0/3', '4/3', '1/0', '1', 'a/b', '1/2/3', '-1/2', ''])('rejects %j with a usage hint', (text) => {
    expect(() => parseShard(text)).toThrow(UserError);
    expect(() => parseShard(text)).toThrow(/expected k\/n with 1 <= k <= n, e\.g\. --shard 2\/4/);
  });

  // 23 cells: a prime, so no n in 2..7 divides it evenly.
  const cells = Array.from({ length: 23 }, (_, i) => i);

  it.each([1, 2, 3, 4, 5, 6, 7])('n = %i shards cover every cell exactly once', (n) => {
    const owners = cells.map((i) => {
      const shards = Array.from({ length: n }, (_, j) => j + 1).filter((k) => inShard(i, { k, n }));
      return shards;
    });
    for (const o of owners) expect(o).toHaveLength(1);
    const sizes = Array.from({ length: n }, (_, j) => cells.filter((i) => inShard(i, { k: j + 1, n })).length);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(23);
    // Balanced: sizes differ by at most one cell.
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });

  it('is deterministic: the same cell always lands in the same shard', () => {
    expect(cells.filter((i) => inShard(i, { k: 2, n: 3 }))).toEqual([1, 4, 7, 10, 13, 16, 19, 22]);
  });

  it('without a shard, every cell is in', () => {
    expect(cells.every((i) => inShard(i, undefined))).toBe(true);
  });
});
