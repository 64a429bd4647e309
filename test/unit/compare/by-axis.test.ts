/** compare --by: one result split by an axis, every value against the first (or the named one). */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBy, sliceBy } from '../../../src/compare/by-axis.js';
import { UserError } from '../../../src/errors.js';
import { loadResult } from '../../../src/results/load.js';
import { REPO } from '../../helpers/cli.js';

const result = loadResult(join(REPO, 'test/fixtures/targets/identical-sim.csv'));

describe('compare --by', () => {
  it('takes the first value as the baseline, or the one named', () => {
    expect(parseBy('target', result)).toEqual({ axis: 'target', baseline: 'a', values: ['b'] });
    expect(parseBy('target=b', result)).toEqual({ axis: 'target', baseline: 'b', values: ['a'] });
  });

  it('slices out one value, the axis dropped from the parameters so the slices join on the rest', () => {
    const b = sliceBy(result, 'target', 'b');
    expect(b.axes).toEqual(['concurrency']);
    expect(b.cells.map((c) => [c.cell, c.params])).toEqual([['target=b,c=1', { concurrency: 1 }]]);
    expect(b.cells[0].columns!.length).toBe(80);
  });

  it('names the flag, with the nearest axis or value, for one that is not there', () => {
    expect(() => parseBy('targt', result)).toThrow(new UserError(`--by targt: ${result.path} has no axis 'targt' — did you mean 'target'? (axes: target, concurrency)`));
    expect(() => parseBy('target=c', result)).toThrow("--by target=c: target has no value 'c' — did you mean 'a'? (a, b)");
    expect(() => parseBy('concurrency', result)).toThrow(/has only concurrency 1; --by compares two or more/);
  });
});
