import { describe, expect, it } from 'vitest';
import { bucketAround, histogramQuantile } from '../../../src/server-metrics/histogram.js';

const cumulative = (pairs: [number, number][]) => pairs.map(([le, count]) => ({ le, count }));

describe('histogramQuantile', () => {
  it('interpolates inside the bucket that holds the rank, from 0 in the lowest', () => {
    const b = cumulative([
      [0.1, 0],
      [0.2, 50],
      [0.4, 100],
      [Infinity, 100],
    ]);
    expect(histogramQuantile(b, 0.5)).toBeCloseTo(0.2);
    expect(histogramQuantile(b, 0.25)).toBeCloseTo(0.15);
    expect(histogramQuantile(b, 0.75)).toBeCloseTo(0.3);
    expect(histogramQuantile(cumulative([[1, 10], [Infinity, 10]]), 0.5)).toBeCloseTo(0.5);
  });

  it('gives the highest finite bound for a rank in +Inf, and nothing for no observations', () => {
    expect(histogramQuantile(cumulative([[1, 1], [2, 2], [Infinity, 10]]), 0.9)).toBe(2);
    expect(histogramQuantile(cumulative([[1, 0], [Infinity, 0]]), 0.5)).toBeUndefined();
    expect(histogramQuantile([], 0.5)).toBeUndefined();
  });

  it('sorts the buckets and keeps them cumulative when increases tear', () => {
    const torn = cumulative([
      [Infinity, 10],
      [2, 9],
      [1, 10],
    ]);
    expect(histogramQuantile(torn, 0.5)).toBeCloseTo(0.5);
  });
});

describe('bucketAround', () => {
  it('names the bucket (lower, upper] holding a value', () => {
    const bounds = [0.1, 0.25, 0.5];
    expect(bucketAround(bounds, 0.05)).toEqual({ lower: 0, upper: 0.1 });
    expect(bucketAround(bounds, 0.25)).toEqual({ lower: 0.1, upper: 0.25 });
    expect(bucketAround(bounds, 0.3)).toEqual({ lower: 0.25, upper: 0.5 });
    expect(bucketAround(bounds, 9)).toEqual({ lower: 0.5, upper: Infinity });
  });
});
