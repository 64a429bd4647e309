/**
 * The matrix as GitHub Actions expands it: the cartesian product of the axes in spec order
 * (first axis slowest), minus `exclude`, then `include`.
 * https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/running-variations-of-jobs-in-a-workflow
 */
import { isDeepStrictEqual } from 'node:util';
import type { Combination } from './types.js';

export interface MatrixInput {
  axes: Record<string, readonly unknown[]>;
  include?: readonly Combination[];
  exclude?: readonly Combination[];
}

export interface Grid {
  /** Column order: the spec's axes, then keys first introduced by include. */
  keys: string[];
  combinations: Combination[];
}

export function cartesian(axes: Record<string, readonly unknown[]>): Combination[] {
  let out: Combination[] = [{}];
  for (const [key, values] of Object.entries(axes)) {
    const next: Combination[] = [];
    for (const combo of out) for (const v of values) next.push({ ...combo, [key]: v });
    out = next;
  }
  return out;
}

function matches(combo: Combination, pattern: Combination): boolean {
  return Object.entries(pattern).every(([k, v]) => k in combo && isDeepStrictEqual(combo[k], v));
}

export function expandGrid(m: MatrixInput): Grid {
  const axisKeys = Object.keys(m.axes);
  // No axes at all means one empty combination (a single cell), unless include adds some.
  const base = axisKeys.length > 0 ? cartesian(m.axes) : [];
  const kept = base.filter((c) => !(m.exclude ?? []).some((ex) => matches(c, ex)));
  const original = new Set(axisKeys);
  const extended = kept.map((c) => ({ ...c }));
  const added: Combination[] = [];
  for (const inc of m.include ?? []) {
    let used = false;
    for (const combo of extended) {
      // An include entry may add keys to an original combination, and overwrite keys an
      // earlier include added, but never change one of the original matrix values.
      const compatible = Object.entries(inc).every(
        ([k, v]) => !original.has(k) || isDeepStrictEqual(combo[k], v),
      );
      if (compatible) {
        Object.assign(combo, inc);
        used = true;
      }
    }
    if (!used) added.push({ ...inc });
  }
  let combinations = [...extended, ...added];
  if (axisKeys.length === 0 && combinations.length === 0) combinations = [{}];
  const keys = [...axisKeys];
  for (const c of combinations) for (const k of Object.keys(c)) if (!keys.includes(k)) keys.push(k);
  // Reorder each combination's keys to the column order, for stable output.
  combinations = combinations.map((c) => Object.fromEntries(keys.filter((k) => k in c).map((k) => [k, c[k]])));
  return { keys, combinations };
}
