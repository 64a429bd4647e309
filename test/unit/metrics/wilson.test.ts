import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/random.js';
import { normalQuantile, wilsonInterval } from '../../../src/metrics/wilson.js';

describe('normalQuantile', () => {
  // Reference values: Python's statistics.NormalDist().inv_cdf (Wichura's AS241, ~1e-16).
  it.each([
    [0.5, 0],
    [0.9, 1.2815515655446008],
    [0.95, 1.6448536269514715],
    [0.975, 1.9599639845400536],
    [0.995, 2.5758293035489],
    [0.999, 3.090232306167813],
    [0.01, -2.3263478740408408],
    [0.02425, -1.9729610513118845],
    [0.3, -0.5244005127080407],
    [1e-6, -4.753424308822899],
  ])('quantile(%s) = %s to 1e-8', (p, z) => {
    expect(Math.abs(normalQuantile(p) - z)).toBeLessThan(1e-8);
  });

  it('is symmetric, infinite at the ends and NaN outside [0, 1]', () => {
    for (const p of [0.001, 0.02, 0.2, 0.4]) expect(normalQuantile(p)).toBeCloseTo(-normalQuantile(1 - p), 9);
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
    expect(normalQuantile(-0.1)).toBeNaN();
    expect(normalQuantile(1.1)).toBeNaN();
    expect(normalQuantile(NaN)).toBeNaN();
  });
});

describe('wilsonInterval', () => {
  // Reference values computed from the textbook formula with the exact quantile.
  it.each([
    [8, 10, 0.95, 0.49016247153664183, 0.9433178485456247],
    [48, 50, 0.9, 0.8860997517300705, 0.9866737173465608],
    [96, 100, 0.9, 0.9138471026288194, 0.98191759425066],
    [71, 100, 0.9, 0.6306129752103758, 0.7783230820606909],
    [0, 20, 0.95, 0, 0.1611251580528193],
    [20, 20, 0.95, 0.8388748419471808, 1],
  ])('%i of %i at %s: [%s, %s]', (k, n, c, lo, hi) => {
    const [low, high] = wilsonInterval(k, n, c);
    expect(low).toBeCloseTo(lo, 8);
    expect(high).toBeCloseTo(hi, 8);
  });

  it('is [0, 1] with no trials, exact at 0 and n successes, and narrows with more trials', () => {
    expect(wilsonInterval(0, 0, 0.9)).toEqual([0, 1]);
    expect(wilsonInterval(0, 7, 0.9)[0]).toBe(0);
    expect(wilsonInterval(7, 7, 0.9)[1]).toBe(1);
    const width = (k: number, n: number) => {
      const [lo, hi] = wilsonInterval(k, n, 0.9);
      return hi - lo;
    };
    expect(width(95, 100)).toBeLessThan(width(19, 20));
    expect(width(950, 1000)).toBeLessThan(width(95, 100));
    // A higher confidence gives a wider interval.
    const [lo90, hi90] = wilsonInterval(30, 40, 0.9);
    const [lo99, hi99] = wilsonInterval(30, 40, 0.99);
    expect(lo99).toBeLessThan(lo90);
    expect(hi99).toBeGreaterThan(hi90);
  });

  it('rejects a confidence outside (0, 1) and impossible counts', () => {
    expect(() => wilsonInterval(1, 2, 1)).toThrow(/confidence/);
    expect(() => wilsonInterval(1, 2, 0)).toThrow(/confidence/);
    expect(() => wilsonInterval(3, 2, 0.9)).toThrow(/successes/);
  });

  it('covers the true proportion about as often as it claims (seeded binomial draws)', () => {
    const random = mulberry32(7);
    const n = 60;
    const trials = 4000;
    for (const p of [0.5, 0.9, 0.97]) {
      let covered = 0;
      for (let t = 0; t < trials; t++) {
        let k = 0;
        for (let i = 0; i < n; i++) if (random() < p) k++;
        const [lo, hi] = wilsonInterval(k, n, 0.9);
        if (lo <= p && p <= hi) covered++;
      }
      // Nominal 90%; Wilson's actual coverage oscillates a few points around it at n = 60.
      expect(covered / trials).toBeGreaterThan(0.85);
      expect(covered / trials).toBeLessThan(0.96);
    }
  });
});
