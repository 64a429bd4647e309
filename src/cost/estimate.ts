/**
 * The cost of a sweep before it runs, for `plan` and the budget: per cell, the requests it
 * will send (warmup included), their prompt tokens (each prompt counted with the tokenizer
 * estimate, times the number of times round-robin sends it) and their output tokens at
 * max_tokens, which makes the output side an upper bound: answers that stop early cost less.
 */
import type { Cell, Prompt } from '../plan/types.js';
import type { Price } from './schema.js';
import { requestCost } from './price.js';

export interface CellEstimate {
  cell: string;
  /** Requests the cell sends, warmup included; undefined when it runs for a duration without a rate. */
  requests?: number;
  /** Prompt tokens of those requests (tokenizer estimate). */
  input_tokens?: number;
  /** Output tokens if every answer ran to max_tokens; undefined when the cell sets no max_tokens. */
  output_tokens?: number;
  /** Cost of the above in the pricing currency; undefined when a count or the price is unknown. */
  cost?: number;
  /** Why cost is undefined, for the plan table. */
  unknown?: string;
}

export interface SweepEstimate {
  cells: CellEstimate[];
  input_tokens: number;
  output_tokens: number;
  /** Sum of the known cell costs. */
  cost: number;
  /** False when some cell's cost is unknown, so `cost` is a lower bound. */
  complete: boolean;
}

export interface EstimateInput {
  cells: readonly Cell[];
  prompts: readonly Prompt[];
  /** Tokens of one prompt (called once per prompt). */
  promptTokens: (prompt: Prompt) => number;
  /** The price of a cell's model; undefined when it has none (cost unknown). */
  priceOf: (cell: Cell) => Price | undefined;
  /** Requests a cell will send, when not all of plannedRequests (a resumed run); default plannedRequests. */
  requestsOf?: (cell: Cell) => number | undefined;
}

/** Requests a cell sends: warmup + recorded; for a duration, rate x duration (the expected count). */
export function plannedRequests(cell: Cell): number | undefined {
  if (cell.requests !== undefined) return cell.warmup + cell.requests;
  if (cell.duration_s !== undefined && cell.load.rate !== undefined && Number.isFinite(cell.load.rate)) {
    return cell.warmup + Math.ceil(cell.load.rate * cell.duration_s);
  }
  return undefined;
}

/** Prompt tokens of n requests sent round-robin over the prompts (request i uses prompt i mod P). */
export function roundRobinTokens(n: number, tokensPerPrompt: readonly number[]): number {
  const p = tokensPerPrompt.length;
  if (p === 0 || n === 0) return 0;
  const full = Math.floor(n / p);
  const rest = n % p;
  let total = 0;
  for (let i = 0; i < p; i++) total += tokensPerPrompt[i] * (full + (i < rest ? 1 : 0));
  return total;
}

export function estimateSweepCost(input: EstimateInput): SweepEstimate {
  const perPrompt = input.prompts.map((p) => input.promptTokens(p));
  const out: SweepEstimate = { cells: [], input_tokens: 0, output_tokens: 0, cost: 0, complete: true };
  for (const cell of input.cells) {
    const e: CellEstimate = { cell: cell.id };
    const n = (input.requestsOf ?? plannedRequests)(cell);
    const max = cell.maxTokens;
    const price = input.priceOf(cell);
    if (n !== undefined) {
      e.requests = n;
      e.input_tokens = roundRobinTokens(n, perPrompt);
      out.input_tokens += e.input_tokens;
      if (max !== undefined) {
        e.output_tokens = n * max;
        out.output_tokens += e.output_tokens;
      }
    }
    if (n === undefined) e.unknown = 'runs for a duration without a rate: the request count is not known ahead';
    else if (max === undefined) e.unknown = 'no max_tokens: the output length is not bounded';
    else if (!price) e.unknown = 'no price for this model';
    else {
      e.cost = requestCost(price, { prompt_tokens: e.input_tokens, completion_tokens: e.output_tokens });
      out.cost += e.cost ?? 0;
    }
    if (e.cost === undefined) out.complete = false;
    out.cells.push(e);
  }
  return out;
}
