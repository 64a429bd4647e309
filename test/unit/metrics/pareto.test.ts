import { describe, expect, it } from 'vitest';
import { paretoFront, perUserTokensPerS } from '../../../src/metrics/pareto.js';
import type { CellSummary } from '../../../src/metrics/summary.js';

describe('paretoFront', () => {
  const pt = (x: number, y: number, id: string) => ({ x, y, id });
  const ids = (ps: { id: string }[]) => ps.map((p) => p.id);

  it('keeps the points no other point beats on both axes, in ascending x', () => {
    // c1 fast per user, little total; c8 the reverse; c4 between; b is beaten by c4; d ties c8 on y with less x.
    const points = [pt(60, 60, 'c1'), pt(50, 200, 'c4'), pt(40, 150, 'b'), pt(20, 330, 'c8'), pt(10, 330, 'd')];
    expect(ids(paretoFront(points, (p) => p.x, (p) => p.y))).toEqual(['c8', 'c4', 'c1']);
  });

  it('leaves out points without values and keeps one of exact duplicates', () => {
    const points = [pt(1, 1, 'a'), pt(1, 1, 'a2'), pt(NaN, 5, 'n'), { x: 2, y: undefined as unknown as number, id: 'u' }];
    expect(ids(paretoFront(points, (p) => p.x, (p) => p.y))).toEqual(['a']);
    expect(paretoFront([], (p: number) => p, (p) => p)).toEqual([]);
  });
});

describe('perUserTokensPerS', () => {
  it('is mean completion tokens over mean latency, per second', () => {
    const s = { completion_tokens_mean: 128, latency_ms: { mean: 2000 } } as unknown as CellSummary;
    expect(perUserTokensPerS(s)).toBe(64);
    expect(perUserTokensPerS({ latency_ms: undefined } as unknown as CellSummary)).toBeUndefined();
  });
});
