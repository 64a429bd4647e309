/** The pre-run estimate of a loaded spec's plan: prompt tokens counted, prices looked up. */
import { estimateTokens } from '../metrics/tokens.js';
import type { Cell, Plan, Prompt } from '../plan/types.js';
import type { Spec } from '../spec/schema.js';
import { estimateSweepCost, type SweepEstimate } from './estimate.js';
import { modelOf, priceFor } from './price.js';

export interface PlanEstimateOptions {
  /** Tokens of a prompt; default the built-in tokenizer estimate. */
  promptTokens?: (prompt: Prompt) => number;
  /** Requests a cell will still send (resume); default all it plans. */
  requestsOf?: (cell: Cell) => number | undefined;
}

/** Undefined when the spec has no pricing. */
export function estimatePlanCost(spec: Spec, plan: Pick<Plan, 'cells' | 'prompts'>, opts: PlanEstimateOptions = {}): SweepEstimate | undefined {
  const pricing = spec.pricing;
  if (!pricing) return undefined;
  return estimateSweepCost({
    cells: plan.cells,
    prompts: plan.prompts,
    promptTokens: opts.promptTokens ?? ((p) => estimateTokens(p.text)),
    priceOf: (cell) => priceFor(pricing, modelOf(cell)),
    requestsOf: opts.requestsOf,
  });
}
