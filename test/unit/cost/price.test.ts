import { describe, expect, it } from 'vitest';
import { priceFor, requestCost } from '../../../src/cost/price.js';
import { pricingSchema } from '../../../src/cost/schema.js';
import { RECORDED_PRICE, RECORDED_TOKENS } from '../../fixtures/cost/recorded-tokens.js';

const rows = RECORDED_TOKENS;
const pricing = pricingSchema.parse({ currency: 'USD', models: { mini: RECORDED_PRICE } });

describe('requestCost', () => {
  const price = priceFor(pricing, 'mini')!;
  it('equals the hand-computed cost of each recorded row', () => {
    const costs = rows.map((r) => requestCost(price, r));
    // A: 1 x 0.15 + 69 x 0.075 + 8 x 0.60 = 10.125 per million
    expect(costs[0]).toBeCloseTo(0.000010125, 15);
    // B: 1000 x 0.15 + 500 x 0.60 = 450 per million
    expect(costs[1]).toBeCloseTo(0.00045, 15);
    // C: 976 x 0.15 + 1024 x 0.075 = 146.4 + 76.8 = 223.2 per million
    expect(costs[2]).toBeCloseTo(0.0002232, 15);
    // D: failed, no tokens: no cost
    expect(costs[3]).toBeUndefined();
    // E: 12 x 0.15 + 100 x 0.60 = 61.8 per million
    expect(costs[4]).toBeCloseTo(0.0000618, 15);
  });
  it('charges cached tokens at the input price when there is no cached price', () => {
    const p = priceFor(pricingSchema.parse({ input: 0.15, output: 0.6 }), 'anything')!;
    // 70 x 0.15 + 8 x 0.60 = 15.3 per million
    expect(requestCost(p, rows[0])).toBeCloseTo(0.0000153, 15);
  });
  it('never counts more cached tokens than prompt tokens', () => {
    expect(requestCost({ input: 1, cached_input: 0, output: 0 }, { prompt_tokens: 10, cached_tokens: 50 })).toBe(0);
  });
});

describe('priceFor', () => {
  it('takes the model entry, else the defaults, else nothing', () => {
    const p = pricingSchema.parse({ input: 1, output: 2, models: { big: { input: 10, output: 30 } } });
    expect(priceFor(p, 'big')).toEqual({ input: 10, output: 30 });
    expect(priceFor(p, 'small')).toEqual({ input: 1, cached_input: undefined, output: 2 });
    expect(priceFor(p, undefined)).toEqual({ input: 1, cached_input: undefined, output: 2 });
    expect(priceFor(pricingSchema.parse({ models: { big: { input: 10, output: 30 } } }), 'small')).toBeUndefined();
  });
  it('refuses a negative price', () => {
    const r = pricingSchema.safeParse({ models: { m: { input: -1, output: 2 } } });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]).toMatchObject({ path: ['models', 'm', 'input'], message: 'a price cannot be negative' });
  });
  it('defaults the currency to USD', () => {
    expect(pricingSchema.parse({}).currency).toBe('USD');
  });
});
