/**
 * A cell's cost figures from its requests' costs. Failed requests carry no token counts and
 * so cost nothing here; they still count as requests in cost_per_1k_requests, which is what
 * a thousand requests like these cost on average, failures included.
 */

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
  return {
    cost_total: total,
    cost_per_1k_requests: input.requests > 0 ? (total / input.requests) * 1000 : undefined,
    cost_per_1m_output_tokens: output > 0 ? (total / output) * 1e6 : undefined,
    cost_estimated: estimated,
  };
}
