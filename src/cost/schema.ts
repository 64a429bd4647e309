/**
 * `pricing:` and `budget:` as the spec writes them. Prices are the user's own numbers, per
 * million tokens: llm-sweep ships no price list, since any list would soon be out of date.
 */
import { z } from 'zod';

const perMillion = (what: string) => z.number().min(0, 'a price cannot be negative').describe(`${what}, per million tokens.`);

export const priceSchema = z
  .strictObject({
    input: perMillion('Price of prompt (input) tokens'),
    cached_input: perMillion('Price of prompt tokens the server served from its prefix cache (cached_tokens); default: the input price').optional(),
    output: perMillion('Price of completion (output) tokens, reasoning tokens included'),
  })
  .describe('Prices of one model, per million tokens.');
export type Price = z.output<typeof priceSchema>;

export const pricingSchema = z
  .strictObject({
    currency: z.string().min(1).default('USD').describe('Currency label for every cost figure (no conversion is done).'),
    input: perMillion('Default input price for models not listed under models').optional(),
    cached_input: perMillion('Default cached-input price').optional(),
    output: perMillion('Default output price for models not listed under models').optional(),
    models: z
      .record(z.string().min(1), priceSchema)
      .optional()
      .describe("Prices per model, keyed by the request's model value; each model must be one the sweep sends."),
  })
  .describe('Prices per million tokens, so every row gets a cost and every cell cost figures. See docs/cost.md.');
export type Pricing = z.output<typeof pricingSchema>;

export const budgetSchema = z
  .strictObject({
    max_cost: z
      .number()
      .positive()
      .describe('Most the whole run may spend, in the pricing currency: a run whose estimate is higher does not start; one that reaches it stops (exit 3).'),
  })
  .describe('A spending limit for the run (also run --max-cost). Needs pricing.');
export type Budget = z.output<typeof budgetSchema>;
