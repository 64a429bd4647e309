/**
 * Which target each cell runs against. The one place that resolves it: the matrix axes
 * with the target axis made explicit (`targets:` without matrix.target is an axis over
 * every target, placed first), a combination's target, and `cellTarget(plan, cell)`, the
 * spec of "the cell's target" for everything downstream (runner, providers, metrics
 * scraping, transports).
 */
import { UserError } from '../errors.js';
import { TARGET_KEY } from '../spec/params.js';
import type { Spec, Target } from '../spec/schema.js';
import { nearest } from '../spec/suggest.js';
import { DEFAULT_TARGET, specTargets, targetMap } from '../spec/targets.js';
import type { Cell, CellOrder, Combination, Plan } from './types.js';

export type MatrixSpec = Partial<Pick<Spec, 'matrix' | 'params' | 'target' | 'targets' | 'order'>>;

/** The matrix's axes (include/exclude apart), with an implied target axis first. */
export function matrixAxes(spec: MatrixSpec): Record<string, unknown[]> {
  const { include: _include, exclude: _exclude, ...axes } = (spec.matrix ?? {}) as Record<string, unknown[]>;
  if (spec.targets && !(TARGET_KEY in axes) && !(TARGET_KEY in (spec.params ?? {}))) {
    return { [TARGET_KEY]: Object.keys(spec.targets), ...axes };
  }
  return axes;
}

/** The target a combination runs against: its target value, else params.target, else the only one. */
export function targetOfCombination(spec: MatrixSpec, params: Combination): string {
  const value = params[TARGET_KEY] ?? spec.params?.[TARGET_KEY];
  if (typeof value === 'string') return value;
  return specTargets(spec)[0]?.name ?? DEFAULT_TARGET;
}

/** The spec of the cell's target. */
export function cellTarget(plan: Pick<Plan, 'targets'>, cell: Pick<Cell, 'target'>): Target {
  const t = plan.targets[cell.target];
  if (!t) throw new Error(`cell target '${cell.target}' is not a target of the plan (${Object.keys(plan.targets).join(', ')})`);
  return t;
}

/** The targets the plan's cells use, in spec order. */
export function usedTargets(plan: Pick<Plan, 'targets' | 'cells'>): string[] {
  const used = new Set(plan.cells.map((c) => c.target));
  return Object.keys(plan.targets).filter((n) => used.has(n));
}

/** The order a spec asks for: `order:`, else interleaved when more than one target is an axis value. */
export function cellOrder(spec: Pick<Spec, 'order'>, cells: readonly Pick<Cell, 'target'>[]): CellOrder {
  if (spec.order) return spec.order;
  return new Set(cells.map((c) => c.target)).size > 1 ? 'interleaved' : 'sequential';
}

/** `--target NAME`: the name checked against the spec's targets, with the nearest suggested. */
export function checkTargetFlag(spec: MatrixSpec, name: string): void {
  const names = Object.keys(targetMap(spec));
  if (!spec.targets) {
    throw new UserError(`--target ${name}: the spec has a single target:, so there is nothing to pick; name endpoints under targets: to compare them (docs/targets.md)`);
  }
  if (names.includes(name)) return;
  const guess = nearest(name, names);
  throw new UserError(`--target ${name}: the spec has no target '${name}'${guess ? ` — did you mean '${guess}'?` : ''} (targets: ${names.join(', ')})`);
}
