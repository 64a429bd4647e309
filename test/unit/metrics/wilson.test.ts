import { describe, expect, it } from 'vitest';
import { normalQuantile, wilsonInterval } from '../../../src/metrics/wilson.js';
import { mulberry32 } from '../../../src/random.js';

describe('normalQuantile', () => {
  it('matches published z values', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 7);
    expect(normalQuantile(0.995)).toBeCloseTo(2.5758293035489004, 7);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306167813, 7);
  });
  it('rejects probabilities outside (0, 1)', () => {
    expect(() => normalQuantile(0)).toThrow(RangeError);
    expect(() => normalQuantile(1)).toThrow(RangeError);
  });
});

describe('wilsonInterval', () => {
  // Reference values: the closed form evaluated with scipy.stats.norm.ppf.
  it.each([
    [19, 20, 0.95, 0.763868806553258, 0.9911185511992047],
    [0, 10, 0.95, 0, 0.2775327998628892],
    [5, 10, 0.95, 0.236593090512564, 0.7634069094874361],
    [10, 10, 0.95, 0.7224672001371107, 1],
    [1, 1, 0.95, 0.20654931437723745, 1],
    [95, 100, 0.9, 0.9008389147209472, 0.9754526365741958],
    [50, 100, 0.99, 0.37527962504483986, 0.6247203749551602],
  ])('%i of %i at %f', (k, n, c, low, high) => {
    const i = wilsonInterval(k, n, c)!;
    expect(i.rate).toBe(k / n);
    expect(i.low).toBeCloseTo(low, 8);
    expect(i.high).toBeCloseTo(high, 8);
    expect(i.confidence).toBe(c);
  });
  it('is exactly 0 and 1 at the ends', () => {
    expect(wilsonInterval(0, 7)!.low).toBe(0);
    expect(wilsonInterval(7, 7)!.high).toBe(1);
  });
  it('narrows as trials grow and always holds the rate', () => {
    let width = Infinity;
    for (const n of [10, 100, 1000, 10000]) {
      const i = wilsonInterval(Math.round(n * 0.3), n)!;
      expect(i.low).toBeLessThanOrEqual(i.rate);
      expect(i.high).toBeGreaterThanOrEqual(i.rate);
      expect(i.high - i.low).toBeLessThan(width);
      width = i.high - i.low;
    }
  });
  it('has no interval for no trials and rejects impossible counts', () => {
    expect(wilsonInterval(0, 0)).toBeUndefined();
    expect(() => wilsonInterval(3, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(1, 2, 1)).toThrow(RangeError);
  });
});

describe('wilsonInterval coverage', () => {
  it('covers the true proportion about as often as it claims (seeded binomial draws)', () => {
    const random = mulberry32(7);
    const n = 60;
    const trials = 4000;
    for (const p of [0.5, 0.9, 0.97]) {
      let covered = 0;
      for (let t = 0; t < trials; t++) {
        let k = 0;
        for (let i = 0; i < n; i++) if (random() < p) k++;
        const w = wilsonInterval(k, n, 0.9)!;
        if (w.low <= p && p <= w.high) covered++;
      }
      // Nominal 90%; Wilson's actual coverage oscillates a few points around it at n = 60.
      expect(covered / trials).toBeGreaterThan(0.85);
      expect(covered / trials).toBeLessThan(0.96);
    }
  });
});
