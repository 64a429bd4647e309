import { describe, expect, it } from 'vitest';
import { extent, median, percentile, stats } from '../../../src/metrics/stats.js';

describe('percentiles', () => {
  it('interpolate linearly between closest ranks like numpy.percentile', () => {
    const xs = [15, 20, 35, 40, 50];
    // numpy.percentile([15, 20, 35, 40, 50], q) for q = 0, 25, 40, 50, 90, 99, 100
    expect(percentile(xs, 0)).toBe(15);
    expect(percentile(xs, 25)).toBe(20);
    expect(percentile(xs, 40)).toBeCloseTo(29, 10);
    expect(percentile(xs, 50)).toBe(35);
    expect(percentile(xs, 90)).toBeCloseTo(46, 10);
    expect(percentile(xs, 99)).toBeCloseTo(49.6, 10);
    expect(percentile(xs, 100)).toBe(50);
  });

  it('sorts numerically, not as strings', () => {
    expect(percentile([100, 9, 20], 50)).toBe(20);
  });

  it('summarises only finite values and returns undefined for none', () => {
    expect(stats([undefined, NaN])).toBeUndefined();
    expect(stats([3, undefined, 1, 2])).toEqual({ count: 3, mean: 2, min: 1, max: 3, p50: 2, p90: 2.8, p95: 2.9, p99: 2.98 });
    expect(median([])).toBeUndefined();
    expect(median([5, 1, 3, 2])).toBe(2.5);
  });
});

describe('extent', () => {
  it('finds the smallest and largest of more values than a call takes arguments', () => {
    const values = Float64Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 300_000);
    expect(extent(values)).toEqual({ min: 0, max: 299_999 });
    expect(extent([3, -2, 5])).toEqual({ min: -2, max: 5 });
    expect(extent([])).toEqual({ min: Infinity, max: -Infinity });
  });
});
