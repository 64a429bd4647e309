/**
 * The spending limit while a run goes on: costs of finished requests add up (those of an
 * earlier, resumed run included) and once they reach the limit, no further request starts.
 * Requests already in flight finish and are recorded, so the spent total can pass the limit
 * by at most the cost of `concurrency` requests.
 */
import { formatCost } from './format.js';

export interface BudgetState {
  /** The limit, in the pricing currency. */
  readonly max: number;
  /** Spent so far, in the pricing currency. */
  readonly spent: number;
  /** True once spent >= max. */
  readonly reached: boolean;
  /** Adds the cost of a finished request (undefined for one that cost nothing, e.g. failed); returns `reached`. */
  add(cost: number | undefined): boolean;
}

export function createBudget(max: number, alreadySpent = 0): BudgetState {
  let spent = alreadySpent;
  return {
    max,
    get spent() {
      return spent;
    },
    get reached() {
      return spent >= max;
    },
    add(cost) {
      if (cost !== undefined && Number.isFinite(cost) && cost > 0) spent += cost;
      return spent >= max;
    },
  };
}

/** Why a run does not start: the estimate is over the limit; undefined when it fits. */
export function overBudget(estimate: number, alreadySpent: number, max: number, currency = ''): string | undefined {
  const fmt = (v: number) => formatCost(v, currency);
  const total = estimate + alreadySpent;
  if (total <= max) return undefined;
  const spentText = alreadySpent > 0 ? ` (${fmt(alreadySpent)} already spent + ${fmt(estimate)} estimated)` : '';
  return `the estimated cost ${fmt(total)}${spentText} is over the budget of ${fmt(max)}`;
}
