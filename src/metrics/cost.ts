/**
 * A cell's cost figures from its requests' costs. Failed requests carry no token counts and
 * so cost nothing here; they still count as requests in cost_per_1k_requests, which is what
 * a thousand requests like these cost on average, failures included.
 */
import { round } from './stats.js';

export interface CellCost {
  /** Sum of the request costs, in the pricing currency. */
  cost_total: number;
  /** cost_total / requests x 1,000; undefined for a cell without requests. */
  cost_per_1k_requests?: number;
  /** cost_total / completion tokens x 1,000,000; undefined when no output tokens were counted. */
  cost_per_1m_output_tokens?: number;
  /** True when some costed request's token counts were estimates, so the cost is one too. */
  cost_estimated: boolean;
}

export interface CostInput {
  /** Requests recorded in the cell, failed ones included. */
  requests: number;
  /** Each request's cost; NaN (or undefined) for one without a cost. */
  costs: ArrayLike<number | undefined>;
  /** Each request's completion tokens; NaN (or undefined) where unknown. */
  completionTokens: ArrayLike<number | undefined>;
  /** Each request's tokens_source was estimate (1) or not (0). */
  estimated: ArrayLike<number | boolean>;
}

export function cellCost(input: CostInput): CellCost {
  let total = 0;
  let output = 0;
  let estimated = false;
  for (let i = 0; i < input.costs.length; i++) {
    const c = input.costs[i];
    if (c === undefined || !Number.isFinite(c)) continue;
    total += c;
    const t = input.completionTokens[i];
    if (t !== undefined && Number.isFinite(t)) output += t;
    if (input.estimated[i]) estimated = true;
  }
  // 12 decimals: far below any currency's unit, and free of the last binary digits of a sum
  // (100 x 0.001 is 0.10000000000000007), so thresholds and run.json see the figures as computed by hand.
  return {
    cost_total: round(total, 12)!,
    cost_per_1k_requests: input.requests > 0 ? round((total / input.requests) * 1000, 12) : undefined,
    cost_per_1m_output_tokens: output > 0 ? round((total / output) * 1e6, 12) : undefined,
    cost_estimated: estimated,
  };
}
