import { describe, expect, it } from 'vitest';
import { arrivalOffsets } from '../../../src/runner/arrivals.js';
import { gamma, mulberry32 } from '../../../src/random.js';

function take(n: number, gen: Generator<number>): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(gen.next().value as number);
  return out;
}

function gaps(offsets: number[]): number[] {
  return offsets.slice(1).map((t, i) => t - offsets[i]);
}

const meanOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const cv = (xs: number[]) => {
  const m = meanOf(xs);
  return Math.sqrt(meanOf(xs.map((x) => (x - m) ** 2))) / m;
};

describe('arrival schedule', () => {
  it('is seeded: the same seed gives the same schedule, another seed another', () => {
    const a = take(50, arrivalOffsets({ rate: 10, arrival: 'poisson', burstiness: 1, seed: 7 }));
    const b = take(50, arrivalOffsets({ rate: 10, arrival: 'poisson', burstiness: 1, seed: 7 }));
    const c = take(50, arrivalOffsets({ rate: 10, arrival: 'poisson', burstiness: 1, seed: 8 }));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a[0]).toBe(0);
  });

  it('has the asked mean rate and exponential gaps (coefficient of variation 1) for Poisson', () => {
    const g = gaps(take(20_001, arrivalOffsets({ rate: 50, arrival: 'poisson', burstiness: 1, seed: 1 })));
    expect(meanOf(g)).toBeGreaterThan(20 * 0.97);
    expect(meanOf(g)).toBeLessThan(20 * 1.03);
    expect(cv(g)).toBeGreaterThan(0.95);
    expect(cv(g)).toBeLessThan(1.05);
  });

  it('is burstier below burstiness 1 and steadier above, at the same mean', () => {
    const bursty = gaps(take(20_001, arrivalOffsets({ rate: 50, arrival: 'poisson', burstiness: 0.25, seed: 2 })));
    const steady = gaps(take(20_001, arrivalOffsets({ rate: 50, arrival: 'poisson', burstiness: 4, seed: 2 })));
    // Gamma(k): CV = 1 / sqrt(k) -> 2 and 0.5.
    expect(cv(bursty)).toBeGreaterThan(1.8);
    expect(cv(steady)).toBeLessThan(0.55);
    expect(meanOf(bursty)).toBeGreaterThan(20 * 0.93);
    expect(meanOf(bursty)).toBeLessThan(20 * 1.07);
    expect(meanOf(steady)).toBeGreaterThan(20 * 0.98);
    expect(meanOf(steady)).toBeLessThan(20 * 1.02);
  });

  it('spaces constant arrivals exactly 1/rate apart', () => {
    expect(take(4, arrivalOffsets({ rate: 4, arrival: 'constant', burstiness: 1, seed: 1 }))).toEqual([0, 250, 500, 750]);
  });

  it('samples gamma with mean shape * scale', () => {
    const r = mulberry32(3);
    const xs = Array.from({ length: 20_000 }, () => gamma(2.5, 4, r));
    expect(meanOf(xs)).toBeGreaterThan(10 * 0.97);
    expect(meanOf(xs)).toBeLessThan(10 * 1.03);
  });
});
