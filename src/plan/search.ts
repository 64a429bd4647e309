/**
 * A spec's `search:` in the plan: the resolved settings (SearchPlan), and the cell one step
 * of a search runs: the searched cell's own values plus the searched value, with its own id
 * (`m=llama3-8b,c=24`), so results of searches join and compare as any cells do.
 */
import { parseThresholds } from '../compare/thresholds.js';
import { defaultRequestsPerStep, thresholdTarget } from '../search/criterion.js';
import type { Spec } from '../spec/schema.js';
import { cellId } from './cell-id.js';
import type { Cell, SearchPlan } from './types.js';

export function searchPlanOf(spec: Spec): SearchPlan | undefined {
  const s = spec.search;
  if (!s) return undefined;
  const slo = s.thresholds === undefined ? (s.slo ?? spec.slo) : undefined;
  let requestsPerStep = s.requests_per_step;
  if (requestsPerStep === undefined && s.duration_s_per_step === undefined) {
    // Enough requests for the most demanding target among the criterion's proportions.
    const targets = s.thresholds
      ? parseThresholds({ thresholds: s.thresholds, matrix: spec.matrix }, () => '').thresholds.flatMap((t) => thresholdTarget(t) ?? [])
      : [s.attainment];
    requestsPerStep = Math.max(defaultRequestsPerStep(s.attainment, s.confidence), ...targets.map((t) => defaultRequestsPerStep(t, s.confidence)));
  }
  return {
    over: s.over,
    min: s.min,
    max: s.max === 'inf' ? Infinity : s.max,
    requestsPerStep,
    durationPerStep: s.duration_s_per_step,
    maxRounds: s.max_rounds,
    maxSteps: s.max_steps,
    tolerance: s.tolerance,
    attainment: s.attainment,
    confidence: s.confidence,
    slo,
    thresholds: s.thresholds,
  };
}

/**
 * The cell of one step: `searched` with `over` set to `value`. Its load is worked out as a
 * matrix value's would be (a rate with no concurrency cap has none).
 */
export function stepCell(
  searched: Cell,
  step: { index: number; over: SearchPlan['over']; value: number },
  loadOf: (params: Record<string, unknown>) => Cell['load'],
): Cell {
  const params = { ...searched.params, [step.over]: step.value };
  return { ...searched, id: cellId(params), params, load: loadOf(params), searchStep: step.index };
}
