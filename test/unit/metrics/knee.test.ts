import { describe, expect, it } from 'vitest';
import { kneeIndex } from '../../../src/metrics/knee.js';

const curve = (pairs: [number, number][]) => pairs.map(([throughput, latency]) => ({ throughput, latency }));

describe('the knee of a throughput-latency curve', () => {
  it('is the last point before a step of < 10% more throughput for > 20% more latency', () => {
    // c=1, 2, 4, 8, 16: throughput doubles up to 4, then flattens while latency climbs.
    expect(kneeIndex(curve([[100, 250], [195, 260], [380, 300], [400, 560], [405, 1100]]))).toBe(2);
  });

  it('is absent while throughput still grows, or latency does not', () => {
    expect(kneeIndex(curve([[100, 250], [190, 300], [350, 400]]))).toBeUndefined();
    expect(kneeIndex(curve([[100, 250], [102, 255], [103, 260]]))).toBeUndefined();
    expect(kneeIndex(curve([[100, 250]]))).toBeUndefined();
  });

  it('takes the first such step', () => {
    expect(kneeIndex(curve([[100, 100], [105, 200], [300, 210], [301, 500]]))).toBe(0);
  });
});
