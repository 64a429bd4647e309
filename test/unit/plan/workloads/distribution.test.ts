import { describe, expect, it } from 'vitest';
import {
  describeDistribution,
  distributionSchema,
  draw,
  DURATION_MS,
  maxOf,
  MAX_PROMPT_TOKENS,
  meanOf,
  TOKEN_COUNT,
  type Distribution,
} from '../../../../src/plan/workloads/distribution.js';
import { mulberry32 } from '../../../../src/random.js';

const tokens = distributionSchema(TOKEN_COUNT);
const draws = (d: Distribution, n = 20_000, seed = 7) => {
  const r = mulberry32(seed);
  return Array.from({ length: n }, () => draw(d, TOKEN_COUNT, r));
};
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) => {
  const m = mean(xs);
  return Math.sqrt(mean(xs.map((x) => (x - m) ** 2)));
};

describe('distributions', () => {
  it('a number and { fixed } give that number every time', () => {
    expect(new Set(draws(1024, 100))).toEqual(new Set([1024]));
    expect(new Set(draws({ fixed: 7 }, 100))).toEqual(new Set([7]));
  });

  it('uniform covers [lo, hi] with both ends included, evenly', () => {
    const xs = draws({ uniform: [10, 14] });
    expect(new Set(xs)).toEqual(new Set([10, 11, 12, 13, 14]));
    for (let v = 10; v <= 14; v++) expect(xs.filter((x) => x === v).length / xs.length).toBeCloseTo(0.2, 1);
  });

  it('normal has its mean and stddev, stays within [min, max] and gives whole numbers', () => {
    const xs = draws({ normal: { mean: 480, stddev: 240, min: 1, max: 2000 } });
    expect(xs.every((x) => Number.isInteger(x) && x >= 1 && x <= 2000)).toBe(true);
    // Truncation at 1 lifts the mean a little (about 0.03 sd); well within 5%.
    expect(mean(xs)).toBeGreaterThan(470);
    expect(mean(xs)).toBeLessThan(500);
    expect(sd(xs)).toBeGreaterThan(220);
    expect(sd(xs)).toBeLessThan(250);
  });

  it('lognormal has the mean and stddev of its values, and a right tail', () => {
    const xs = draws({ lognormal: { mean: 300, stddev: 150 } });
    expect(mean(xs)).toBeGreaterThan(290);
    expect(mean(xs)).toBeLessThan(310);
    expect(sd(xs)).toBeGreaterThan(135);
    expect(sd(xs)).toBeLessThan(165);
    const sorted = [...xs].sort((a, b) => a - b);
    expect(sorted[xs.length / 2]).toBeLessThan(mean(xs)); // median below mean: skewed right
  });

  it('a bound far in the tail clamps instead of looping', () => {
    expect(new Set(draws({ normal: { mean: 10, stddev: 1, min: 100, max: 200 } }, 50))).toEqual(new Set([100]));
  });

  it('think times are not rounded and may be 0', () => {
    const r = mulberry32(1);
    const xs = Array.from({ length: 100 }, () => draw({ uniform: [0, 10] }, DURATION_MS, r));
    expect(xs.some((x) => !Number.isInteger(x))).toBe(true);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(draw(0, DURATION_MS, r)).toBe(0);
  });

  it('the same seed gives the same draws', () => {
    const d = { normal: { mean: 100, stddev: 30, min: 1 } };
    expect(draws(d, 50, 3)).toEqual(draws(d, 50, 3));
    expect(draws(d, 50, 3)).not.toEqual(draws(d, 50, 4));
  });

  it('mean, max and a short description for tables', () => {
    expect(meanOf({ uniform: [100, 300] })).toBe(200);
    expect(maxOf({ uniform: [100, 300] })).toBe(300);
    expect(maxOf({ lognormal: { mean: 5, stddev: 1 } })).toBe(Infinity);
    expect([1024, { fixed: 8 }, { uniform: [1, 2] as [number, number] }, { normal: { mean: 480, stddev: 240, min: 1, max: 900 } }, { lognormal: { mean: 3, stddev: 1 } }].map(describeDistribution)).toEqual([
      '1024',
      '8',
      'U(1,2)',
      'N(480,240)[1,900]',
      'LN(3,1)',
    ]);
  });
});

describe('distribution schema', () => {
  const issues = (v: unknown) => {
    const r = tokens.safeParse(v);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.code === 'invalid_union' ? 'invalid_union' : i.message}`);
  };

  it('accepts every form', () => {
    for (const v of [128, { fixed: 1 }, { uniform: [1, 2] }, { normal: { mean: 5, stddev: 1, min: 1, max: 9 } }, { lognormal: { mean: 5, stddev: 2 } }]) {
      expect(tokens.safeParse(v).success).toBe(true);
    }
  });

  it('refuses min > max and a reversed uniform, at the offending value', () => {
    expect(tokens.safeParse({ normal: { mean: 500, stddev: 10, min: 900, max: 300 } }).error?.issues).toMatchObject([
      { code: 'custom', path: ['normal', 'min'], message: 'must be at most max (300); swap them' },
    ]);
    expect(JSON.stringify(tokens.safeParse({ uniform: [300, 100] }).error?.issues)).toContain('must be at most the upper bound (100)');
  });

  it('refuses token counts below 1 and fractions', () => {
    expect(issues(0)).not.toEqual([]);
    expect(issues(1.5)).not.toEqual([]);
    expect(issues({ fixed: -3 })).not.toEqual([]);
  });

  it('refuses token counts beyond any context, and clamps unbounded draws there', () => {
    expect(issues(MAX_PROMPT_TOKENS)).toEqual([]);
    expect(issues(MAX_PROMPT_TOKENS + 1)).not.toEqual([]);
    expect(issues({ uniform: [1, 1e9] })).not.toEqual([]);
    expect(issues({ normal: { mean: 1e9, stddev: 1 } })).not.toEqual([]);
    // Half of these draws would be above the ceiling: they are drawn again.
    const wide = draws({ normal: { mean: MAX_PROMPT_TOKENS, stddev: 100_000 } }, 2000);
    expect(Math.max(...wide)).toBeLessThanOrEqual(MAX_PROMPT_TOKENS);
    expect(Math.max(...wide)).toBeGreaterThan(MAX_PROMPT_TOKENS - 10_000);
  });
});
