/**
 * Plan-time problems of `pricing:` as `file:line:col: message`: the models a sweep sends
 * are only known once the matrix is expanded, so this runs after the plan is built (beside
 * the provider's parameter check).
 */
import type { Plan } from '../plan/types.js';
import type { LoadedSpec } from '../spec/load.js';
import { modelOf } from './price.js';
import { pricingProblems } from './validate.js';

export function pricingSpecProblems(loaded: LoadedSpec, plan: Pick<Plan, 'cells'>): string[] {
  const { pricing } = loaded.spec;
  if (!pricing) return [];
  return pricingProblems(pricing, plan.cells.map(modelOf)).map((p) => {
    const path = ['pricing', ...p.path];
    // A model name is the key at fault; a missing default is reported at pricing itself.
    const which = p.path[0] === 'models' && p.path.length === 2 ? 'key' : 'value';
    return `${loaded.source.locate(path, which)}: ${p.message}`;
  });
}
