/**
 * The matrix as GitHub Actions expands it: the cartesian product of the axes in spec order
 * (first axis slowest), minus `exclude`, then `include`.
 * https://docs.github.com/en/actions/how-tos/write-workflows/choose-what-workflows-do/run-job-variations
 *
 * - exclude: an entry drops every combination that has all of the entry's key/values (a
 *   partial match is enough). Applied first, so include can add a combination back.
 * - include: for each entry, in order, its key/values are added to every original
 *   combination in which none of them would overwrite an original axis value (values added
 *   by an earlier include may be overwritten). An entry that fits no original combination
 *   becomes a new combination; combinations added that way are never extended.
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
  /** For each exclude entry, how many combinations it dropped (0 = it matches nothing). */
  excluded: number[];
  /** For each include entry, whether it extended original combinations ('extended') or was added ('added'). */
  included: ('extended' | 'added')[];
}

/** Number of combinations the axes multiply to, before exclude and include. */
export function productSize(axes: Record<string, readonly unknown[]>): number {
  return Object.values(axes).reduce((n, values) => n * values.length, 1);
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

/** Whether `combo` has every key/value of `pattern`. */
export function matches(combo: Combination, pattern: Combination): boolean {
  return Object.entries(pattern).every(([k, v]) => k in combo && isDeepStrictEqual(combo[k], v));
}

export function expandGrid(m: MatrixInput): Grid {
  const axisKeys = Object.keys(m.axes);
  const base = axisKeys.length > 0 ? cartesian(m.axes) : [];
  const excludes = m.exclude ?? [];
  const excluded = excludes.map(() => 0);
  const kept = base.filter((c) => {
    const hit = excludes.findIndex((ex) => matches(c, ex));
    if (hit >= 0) excludes.forEach((ex, i) => (excluded[i] += matches(c, ex) ? 1 : 0));
    return hit < 0;
  });
  const original = new Set(axisKeys);
  const extended = kept.map((c) => ({ ...c }));
  const added: Combination[] = [];
  const included: Grid['included'] = [];
  for (const inc of m.include ?? []) {
    let used = false;
    for (const combo of extended) {
      const compatible = Object.entries(inc).every(([k, v]) => !original.has(k) || isDeepStrictEqual(combo[k], v));
      if (compatible) {
        Object.assign(combo, inc);
        used = true;
      }
    }
    if (!used) added.push({ ...inc });
    included.push(used ? 'extended' : 'added');
  }
  let combinations = [...extended, ...added];
  // No axes and no include: one cell with the fixed params only.
  if (axisKeys.length === 0 && combinations.length === 0) combinations = [{}];
  const keys = [...axisKeys];
  for (const c of combinations) for (const k of Object.keys(c)) if (!keys.includes(k)) keys.push(k);
  // Each combination's keys in column order, for stable ids and output.
  combinations = combinations.map((c) => Object.fromEntries(keys.filter((k) => k in c).map((k) => [k, c[k]])));
  return { keys, combinations, excluded, included };
}
