/**
 * Cost of one request from its token counts: prompt tokens at the input price (those the
 * server served from its prefix cache at the cached-input price) plus completion tokens at
 * the output price. Reasoning tokens are part of completion_tokens, and are billed as output
 * by every API that has them.
 */
import type { Cell } from '../plan/types.js';
import type { Price, Pricing } from './schema.js';

/** The token counts a cost needs (a RequestRecord has them). */
export interface TokenCounts {
  prompt_tokens?: number;
  completion_tokens?: number;
  /** Prompt tokens served from the prefix cache (a subset of prompt_tokens). */
  cached_tokens?: number;
  /** 'estimate' when our tokenizer counted instead of the server. */
  tokens_source?: 'usage' | 'estimate';
}

/** The price of a model: its own entry, else the defaults at the top of `pricing:`; undefined when neither. */
export function priceFor(pricing: Pricing, model: string | undefined): Price | undefined {
  const own = model !== undefined ? pricing.models?.[model] : undefined;
  if (own) return own;
  if (pricing.input === undefined || pricing.output === undefined) return undefined;
  return { input: pricing.input, cached_input: pricing.cached_input, output: pricing.output };
}

/** Cost of one request in the pricing currency; undefined when it has no token counts (a failed request). */
export function requestCost(price: Price, t: TokenCounts): number | undefined {
  if (t.prompt_tokens === undefined && t.completion_tokens === undefined) return undefined;
  const prompt = t.prompt_tokens ?? 0;
  const cached = Math.min(t.cached_tokens ?? 0, prompt);
  const micro = (prompt - cached) * price.input + cached * (price.cached_input ?? price.input) + (t.completion_tokens ?? 0) * price.output;
  return micro / 1e6;
}

/** The model a cell sends (the body's `model`), as text; undefined when it sends none. */
export function modelOf(cell: Pick<Cell, 'body'>): string | undefined {
  const m = cell.body.model;
  if (m === undefined || m === null) return undefined;
  return typeof m === 'string' ? m : JSON.stringify(m);
}
