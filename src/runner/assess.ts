/**
 * What the runner does with a finished request besides timing it: run the checks on its
 * answer (which is then let go: only the verdict counts stay in the record), price it, and
 * keep the budget. Also the pre-run refusal of a sweep whose estimate is over the budget.
 */
import { compileChecks } from '../checks/compile.js';
import { countPassed, runChecks } from '../checks/run.js';
import { createTally, type CheckTally } from '../checks/tally.js';
import type { CompiledCheck, Verdict } from '../checks/types.js';
import { createBudget, overBudget, type BudgetState } from '../cost/budget.js';
import { formatCost } from '../cost/format.js';
import { plannedRequests } from '../cost/estimate.js';
import { estimatePlanCost } from '../cost/plan-estimate.js';
import { modelOf, priceFor, requestCost } from '../cost/price.js';
import type { Price } from '../cost/schema.js';
import { round } from '../metrics/stats.js';
import { estimateTokens } from '../metrics/tokens.js';
import type { Cell, Plan } from '../plan/types.js';
import type { RequestRecord } from '../records/types.js';
import type { ResumeState } from '../results/resume.js';
import type { LoadedSpec } from '../spec/load.js';
import type { ExchangeResult } from './exchange.js';

export interface Assessor {
  /** Runs the checks and prices the record (sets checks_passed, checks_total, cost); the verdicts, when there are checks. */
  assess(record: RequestRecord, result: ExchangeResult, cell: Cell): Verdict[] | undefined;
  /** A warmup request's cost, which the budget counts too (warmups are sent and billed). */
  warmup(record: RequestRecord, cell: Cell): void;
  /** Set once the spent cost reached the budget: why the run stops. */
  readonly budgetReached: string | undefined;
  /** The budget, when there is one. */
  readonly budget: BudgetState | undefined;
  /** The per-check tally so far; undefined without checks. */
  tally(): CheckTally[] | undefined;
}

export interface AssessOptions {
  /** A budget given on the command line, over `budget.max_cost`. */
  maxCost?: number;
  resume?: ResumeState;
  /** Prompt token estimates by prompt id, shared with the runner. */
  promptTokens?: Map<number, number>;
}

/** The budget a run has: --max-cost over the spec's. */
export function maxCostOf(loaded: LoadedSpec, maxCost?: number): number | undefined {
  return maxCost ?? loaded.spec.budget?.max_cost;
}

/** What a resumed run already spent: the costs in the rows on disk. */
function spentBefore(resume: ResumeState | undefined): number {
  let spent = 0;
  for (const c of resume?.columns.values() ?? []) {
    for (let i = 0; i < c.length; i++) if (Number.isFinite(c.cost[i])) spent += c.cost[i];
  }
  return spent;
}

/**
 * Why the run must not start: its estimate (plus what a resumed run spent) is over the
 * budget. Undefined when it fits, or without a budget.
 */
export function budgetRefusal(loaded: LoadedSpec, plan: Plan, opts: AssessOptions = {}): string | undefined {
  const max = maxCostOf(loaded, opts.maxCost);
  if (max === undefined || !loaded.spec.pricing) return undefined;
  const { resume } = opts;
  const estimate = estimatePlanCost(loaded.spec, plan, {
    promptTokens: (p) => {
      let n = opts.promptTokens?.get(p.id);
      if (n === undefined) {
        n = estimateTokens(p.text);
        opts.promptTokens?.set(p.id, n);
      }
      return n;
    },
    // A resumed cell sends its warmup again and its missing requests only.
    requestsOf: resume
      ? (cell) => {
          const missing = resume.missing.get(cell.id);
          if (!missing) return 0;
          return missing.size > 0 ? cell.warmup + missing.size : plannedRequests(cell);
        }
      : undefined,
  });
  if (!estimate) return undefined;
  const why = overBudget(estimate.cost, spentBefore(resume), max, loaded.spec.pricing.currency);
  return why && `${why}; not starting. Raise it (--max-cost), or shrink the sweep (llm-sweep plan shows the estimate per cell)`;
}

export function createAssessor(loaded: LoadedSpec, plan: Plan, opts: AssessOptions = {}): Assessor {
  const { spec } = loaded;
  const checks: CompiledCheck[] = spec.checks?.length ? compileChecks(spec.checks, { dir: loaded.dir }).checks : [];
  const tally = checks.length > 0 ? createTally(checks, {}, opts.resume?.checks) : undefined;
  const pricing = spec.pricing;
  const prices = new Map<string, Price | undefined>();
  const priceOf = (cell: Cell) => {
    if (!pricing) return undefined;
    if (!prices.has(cell.id)) prices.set(cell.id, priceFor(pricing, modelOf(cell)));
    return prices.get(cell.id);
  };
  const max = maxCostOf(loaded, opts.maxCost);
  const budget = max !== undefined && pricing ? createBudget(max, spentBefore(opts.resume)) : undefined;
  let reached: string | undefined;
  const spend = (cost: number | undefined) => {
    if (budget?.add(cost) && !reached) {
      const c = pricing?.currency ?? '';
      reached = `budget reached: spent ${formatCost(budget.spent, c)} of ${formatCost(budget.max, c)}; no further request was sent`;
    }
  };
  return {
    assess(record, result, cell) {
      let verdicts: Verdict[] | undefined;
      if (checks.length > 0 && record.status === 'ok') {
        const prompt = plan.prompts[record.prompt_id];
        verdicts = runChecks(checks, { text: result.text, reasoning: result.reasoning || undefined, finishReason: result.finishReason }, prompt?.vars ?? {});
        record.checks_passed = countPassed(verdicts);
        record.checks_total = verdicts.length;
        tally!.add(record, verdicts, result.text);
      }
      const price = priceOf(cell);
      if (price) {
        // 12 decimals: exact for any real price, without binary fractions' last digits in the CSV.
        record.cost = round(requestCost(price, record), 12);
        spend(record.cost);
      }
      return verdicts;
    },
    warmup(record, cell) {
      const price = priceOf(cell);
      if (price) spend(requestCost(price, record));
    },
    get budgetReached() {
      return reached;
    },
    budget,
    tally: () => tally?.result(),
  };
}
