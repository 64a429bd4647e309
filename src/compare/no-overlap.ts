/**
 * What differs between two results that share no cell: a gate that compared nothing must
 * say why, so the user can see a renamed axis or a changed value at a glance. Pure.
 */
import { axisCell } from '../records/columns.js';
import type { LoadedResult } from '../results/load.js';

/** Axis name -> its values as text, in first-seen order. */
function axisValues(r: LoadedResult): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const c of r.cells) {
    for (const [k, v] of Object.entries(c.params)) {
      if (v === undefined) continue;
      const list = out.get(k) ?? [];
      const text = axisCell(v);
      if (!list.includes(text)) list.push(text);
      out.set(k, list);
    }
  }
  return out;
}

const list = (xs: readonly string[]) => xs.join(', ');

/** One line per difference: axes on one side only, then values of shared axes on one side only. */
export function explainNoOverlap(baseline: LoadedResult, current: LoadedResult): string[] {
  const a = axisValues(baseline);
  const b = axisValues(current);
  const lines: string[] = [];
  const onlyA = [...a.keys()].filter((k) => !b.has(k));
  const onlyB = [...b.keys()].filter((k) => !a.has(k));
  if (onlyA.length > 0) lines.push(`axes only in the baseline: ${list(onlyA)}`);
  if (onlyB.length > 0) lines.push(`axes only in the current result: ${list(onlyB)}`);
  for (const [k, va] of a) {
    const vb = b.get(k);
    if (!vb) continue;
    const missingB = va.filter((v) => !vb.includes(v));
    const missingA = vb.filter((v) => !va.includes(v));
    if (missingB.length === 0 && missingA.length === 0) continue;
    lines.push(`${k}: baseline has ${list(va)}; current has ${list(vb)}`);
  }
  if (baseline.cells.length === 0) lines.push(`the baseline has no cells (${baseline.path})`);
  if (current.cells.length === 0) lines.push(`the current result has no cells (${current.path})`);
  if (lines.length === 0) lines.push('the cells have the same axes and values, but no combination of them is in both');
  return lines;
}
