import { describe, expect, it } from 'vitest';
import { pricingSchema } from '../../../src/cost/schema.js';
import { pricingProblems } from '../../../src/cost/validate.js';

const p = (v: Record<string, unknown>) => pricingSchema.parse(v);
const price = { input: 1, output: 2 };

describe('pricingProblems', () => {
  it('accepts prices for every model the sweep sends', () => {
    expect(pricingProblems(p({ models: { a: price, b: price } }), ['a', 'b', 'a'])).toEqual([]);
    expect(pricingProblems(p({ ...price }), ['a', undefined])).toEqual([]);
    expect(pricingProblems(p({ ...price, models: { a: price } }), ['a', 'b'])).toEqual([]);
  });
  it('names pricing for a model the sweep does not send, with the nearest', () => {
    expect(pricingProblems(p({ ...price, models: { 'gpt4o-mini': price } }), ['gpt-4o-mini'])).toEqual([
      { path: ['models', 'gpt4o-mini'], message: "pricing for model 'gpt4o-mini', which the sweep does not send — did you mean 'gpt-4o-mini'? (it sends: gpt-4o-mini)" },
    ]);
  });
  it('names models without a price when there is no default', () => {
    expect(pricingProblems(p({ models: { a: price } }), ['a', 'b', 'c'])).toEqual([
      { path: ['models'], message: "no price for models 'b', 'c'; add them under pricing.models, or give default input and output prices" },
    ]);
    expect(pricingProblems(p({ models: { a: price } }), ['a', undefined])[0].message).toMatch(/^some cells send no model/);
  });
  it('wants default prices whole', () => {
    expect(pricingProblems(p({ input: 1 }), [undefined])[0]).toEqual({ path: ['input'], message: 'default prices need both input and output; output is missing' });
    expect(pricingProblems(p({ cached_input: 1, models: { a: price } }), ['a'])[0].path).toEqual(['cached_input']);
  });
});
