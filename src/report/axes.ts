/** Which axes were swept, in what order their values go, and how to label them. Pure. */
import type { CellSummary } from '../metrics/summary.js';
import { cellId } from '../plan/cell-id.js';
import { axisCell } from '../records/columns.js';
import type { AxisSpec } from './types.js';

/** Load settings that make a throughput-latency curve, in order of preference. */
export const LOAD_AXES = ['concurrency', 'rate'] as const;

/** Units of parameters by name, for axis titles (the provider's own, see providers/types.ts). */
export type Units = Readonly<Record<string, string>>;

/** Units of the load settings, which every provider shares. */
const LOAD_UNITS: Units = { concurrency: 'requests in flight', rate: 'requests/s' };

export function axisTitle(axis: string, units: Units = {}): string {
  const unit = LOAD_UNITS[axis] ?? units[axis];
  return unit ? `${axis} (${unit})` : axis;
}

/**
 * The distinct values of an axis over the cells: numbers ascending when every value is a
 * number, otherwise in order of first appearance (the spec's order).
 */
export function axisValues(cells: readonly CellSummary[], axis: string): unknown[] {
  const seen = new Map<string, unknown>();
  for (const c of cells) {
    const v = c.params[axis];
    if (v === undefined) continue;
    const k = axisCell(v);
    if (!seen.has(k)) seen.set(k, v);
  }
  const values = [...seen.values()];
  if (values.every((v) => typeof v === 'number')) (values as number[]).sort((a, b) => a - b);
  return values;
}

/** Axes with more than one value: the ones that get charts. */
export function sweptAxes(cells: readonly CellSummary[], axes: readonly string[]): string[] {
  return axes.filter((a) => axisValues(cells, a).length > 1);
}

/**
 * How to draw an axis's values: a category scale for text, a log scale for positive numbers
 * spread over a decade or more (concurrency 1..64), else linear. Ticks at the swept values
 * when there are few of them, so "8" is on the axis rather than "7.5".
 */
export function valueScale(values: readonly unknown[], title: string): AxisSpec {
  if (!values.every((v) => typeof v === 'number')) return { title, scale: 'category', labels: values.map(axisCell) };
  const nums = values as number[];
  const min = Math.min(...nums);
  const max = Math.max(...nums);
  const log = nums.length >= 3 && min > 0 && max / min >= 10;
  return { title, scale: log ? 'logarithmic' : 'linear', ticks: nums.length <= 12 ? [...nums] : undefined };
}

/** A chart x value for a matrix value: the number itself, or its label on a category scale. */
export function xValue(v: unknown, scale: AxisSpec): number | string {
  return scale.scale === 'category' ? axisCell(v) : (v as number);
}

/**
 * A cell named by its swept axes only (`c=8,t=0.7`): the fixed axes are the same for every
 * cell and only make labels long. The full id when nothing is swept.
 */
export function cellLabel(cell: CellSummary, swept: readonly string[]): string {
  if (swept.length === 0) return cell.cell;
  const own: Record<string, unknown> = {};
  for (const a of swept) if (cell.params[a] !== undefined) own[a] = cell.params[a];
  return Object.keys(own).length > 0 ? cellId(own) : cell.cell;
}
