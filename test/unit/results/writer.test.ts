import { describe, expect, it } from 'vitest';
import { performance } from 'node:perf_hooks';
import { createWriter, REWRITE_PAUSE } from '../../../src/results/writer.js';
import type { Export } from '../../../src/results/types.js';
import type { RunJson } from '../../../src/results/run-json.js';
import { buildPlan } from '../../../src/plan/build.js';
import { load, MINIMAL } from '../spec/helpers.js';

/** Busy for `ms`: a rewrite that takes that long (the writer times it with performance.now()). */
function spin(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe('createWriter', () => {
  it('paces a slow whole-file rewrite after cells, writes it at the end with every cell, and writes eachCell exports after each', async () => {
    const slow: number[] = [];
    const exact: number[] = [];
    const exports: Export[] = [
      { write: async (run: RunJson) => (spin(20), void slow.push(run.cells.length)) },
      { write: async (run: RunJson) => void exact.push(run.cells.length), eachCell: true },
    ];
    const writer = createWriter(async () => exports);
    const loaded = load(MINIMAL);
    const plan = buildPlan(loaded);
    await writer.start({ loaded, plan, baseUrl: 'http://127.0.0.1:1/v1' });
    const cells = 10;
    for (let i = 0; i < cells; i++) {
      const summary = { cell: `c${i}` } as unknown as Parameters<typeof writer.cell>[0]['summary'];
      await writer.cell({ summary, columns: undefined as never, thresholds: [] });
    }
    await writer.end({ interrupted: false });
    // After its 20 ms rewrite at the start, the next waits 9 x 20 ms: ten back-to-back cells fit in it.
    expect(REWRITE_PAUSE * 20).toBeGreaterThan(100);
    expect(slow.length).toBeLessThan(cells / 2);
    expect(slow[0]).toBe(0);
    expect(slow.at(-1)).toBe(cells);
    expect(exact).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10]);
  });
});
