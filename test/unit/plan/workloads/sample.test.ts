import { describe, expect, it } from 'vitest';
import { sampleRows } from '../../../../src/plan/workloads/sample.js';

async function* numbers(n: number) {
  for (let i = 0; i < n; i++) yield i;
}

describe('seeded sampling', () => {
  it('keeps k rows, the same for the same seed, in a shuffled order', async () => {
    const a = await sampleRows(numbers(1000), 10, 1, (x) => x);
    expect(a.picked).toHaveLength(10);
    expect(a.scanned).toBe(1000);
    expect((await sampleRows(numbers(1000), 10, 1, (x) => x)).picked).toEqual(a.picked);
    expect((await sampleRows(numbers(1000), 10, 2, (x) => x)).picked).not.toEqual(a.picked);
    expect([...a.picked].sort((x, y) => x - y)).not.toEqual(a.picked);
  });

  it('a larger sample starts with the smaller one (cells added later keep their prompts)', async () => {
    const small = await sampleRows(numbers(500), 5, 1, (x) => x);
    const big = await sampleRows(numbers(500), 50, 1, (x) => x);
    expect(big.picked.slice(0, 5)).toEqual(small.picked);
  });

  it('skips rows that fail the check, and checks only rows that can make the cut', async () => {
    let checks = 0;
    const r = await sampleRows(numbers(100_000), 100, 1, (x) => {
      checks++;
      return x % 2 === 0 ? x : undefined;
    });
    expect(r.picked.every((x) => x % 2 === 0)).toBe(true);
    expect(r.picked).toHaveLength(100);
    // ~k (1 + ln(n/k)) checks, far fewer than n.
    expect(checks).toBeLessThan(3_000);
  });

  it('is uniform: every row is equally likely', async () => {
    const counts = new Array(20).fill(0);
    for (let seed = 0; seed < 2000; seed++) for (const x of (await sampleRows(numbers(20), 5, seed, (v) => v)).picked) counts[x]++;
    for (const c of counts) expect(c / 2000).toBeCloseTo(0.25, 1);
  });
});
