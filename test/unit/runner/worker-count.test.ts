import { describe, expect, it } from 'vitest';
import { STREAMS_PER_WORKER, workersFor } from '../../../src/runner/worker-count.js';

describe('workers for a cell', () => {
  it('auto: one loop up to the per-worker budget, then one per budget, at most the cores', () => {
    expect(workersFor('auto', 1, 8)).toBe(1);
    expect(workersFor('auto', STREAMS_PER_WORKER, 8)).toBe(1);
    expect(workersFor('auto', STREAMS_PER_WORKER + 1, 8)).toBe(2);
    expect(workersFor('auto', 4 * STREAMS_PER_WORKER, 8)).toBe(4);
    expect(workersFor('auto', 100 * STREAMS_PER_WORKER, 8)).toBe(8);
    expect(workersFor('auto', 1024, 1)).toBe(1);
  });

  it('auto keeps one loop for an open loop without a cap (nothing known in flight); a number still counts', () => {
    expect(workersFor('auto', Infinity, 8)).toBe(1);
    expect(workersFor(3, Infinity, 8)).toBe(3);
  });

  it('a number: as given, but never more loops than requests in flight', () => {
    expect(workersFor(1, 1024, 8)).toBe(1);
    expect(workersFor(3, 1024, 2)).toBe(3);
    expect(workersFor(4, 2, 8)).toBe(2);
  });
});
