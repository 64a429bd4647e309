/**
 * The order cells run in. Cells that differ only in their target form a group; in
 * interleaved order a group's cells run back to back (A B, then the next group's A B), so
 * slow drift of the client machine or the network lands on every target alike. With
 * `repeat_cells: N` the whole sequence runs N rounds (A B A B ...). Sequential order is the
 * grid order, first axis slowest.
 */
import { TARGET_KEY } from '../spec/params.js';
import type { Cell, CellOrder, CellTurn, Combination, Plan } from './types.js';

/** The key that groups cells: their parameters other than the target. */
export function groupKey(params: Combination): string {
  return JSON.stringify(Object.entries(params).filter(([k]) => k !== TARGET_KEY));
}

/**
 * Cells (in grid order) numbered into groups by first appearance and, interleaved, sorted
 * by group (a stable sort keeps each group's targets in axis order). `index` becomes the
 * position in the result.
 */
export function arrangeCells<C extends Pick<Cell, 'params' | 'index' | 'group'>>(cells: readonly C[], order: CellOrder): C[] {
  const groups = new Map<string, number>();
  for (const c of cells) {
    const key = groupKey(c.params);
    if (!groups.has(key)) groups.set(key, groups.size);
    c.group = groups.get(key)!;
  }
  const out = order === 'interleaved' ? [...cells].sort((a, b) => a.group - b.group) : [...cells];
  out.forEach((c, i) => (c.index = i));
  return out;
}

/** Every cell's turns: the plan's cells in order, once per round. */
export function runOrder(plan: Pick<Plan, 'cells' | 'rounds'>): CellTurn[] {
  const turns: CellTurn[] = [];
  for (let round = 0; round < plan.rounds; round++) for (const cell of plan.cells) turns.push({ cell, round });
  return turns;
}
