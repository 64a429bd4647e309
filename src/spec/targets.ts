/**
 * A spec's endpoints by name: `targets:` as written, or the one `target:` under the name
 * `default`. Everything that needs "the targets of this spec" (secrets, the plan, the
 * checks) asks here, so the two spellings never diverge. The plan resolves each cell's own
 * target from these (plan/targets.ts).
 */
import type { Spec, Target } from './schema.js';
import type { YamlPath } from './yaml-source.js';

/** The name of the one target of a spec written with `target:`. */
export const DEFAULT_TARGET = 'default';

/** A target with its name and where the spec writes it (for file:line:col). */
export interface NamedTarget {
  name: string;
  target: Target;
  /** `['target']` or `['targets', name]`. */
  path: YamlPath;
}

/** Every target of the spec, in spec order. Empty only for a spec that failed validation. */
export function specTargets(spec: Partial<Pick<Spec, 'target' | 'targets'>>): NamedTarget[] {
  if (spec.targets) return Object.entries(spec.targets).map(([name, target]) => ({ name, target, path: ['targets', name] }));
  return spec.target ? [{ name: DEFAULT_TARGET, target: spec.target, path: ['target'] }] : [];
}

/** The targets by name. */
export function targetMap(spec: Partial<Pick<Spec, 'target' | 'targets'>>): Record<string, Target> {
  return Object.fromEntries(specTargets(spec).map((t) => [t.name, t.target]));
}

/**
 * Where a target block sits in a spec path: 1 for `target.*`, 2 for `targets.<name>.*`,
 * 0 elsewhere. Lets messages about a target's keys treat both spellings alike.
 */
export function targetDepth(path: YamlPath): 0 | 1 | 2 {
  if (path[0] === 'target') return 1;
  if (path[0] === 'targets' && path.length >= 2) return 2;
  return 0;
}
