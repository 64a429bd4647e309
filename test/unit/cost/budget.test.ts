import { describe, expect, it } from 'vitest';
import { createBudget, overBudget } from '../../../src/cost/budget.js';
import { formatCost } from '../../../src/cost/format.js';

describe('createBudget', () => {
  it('is reached when the spent cost reaches the limit, counting what a resumed run spent', () => {
    const b = createBudget(1, 0.25);
    expect(b.spent).toBe(0.25);
    expect(b.add(0.5)).toBe(false);
    expect(b.add(undefined)).toBe(false);
    expect(b.add(NaN)).toBe(false);
    expect(b.reached).toBe(false);
    expect(b.add(0.25)).toBe(true);
    expect(b.reached).toBe(true);
    expect(b.spent).toBe(1);
  });
});

describe('overBudget', () => {
  it('says why, with what was already spent', () => {
    expect(overBudget(0.5, 0, 1)).toBeUndefined();
    expect(overBudget(1, 0, 1)).toBeUndefined();
    expect(overBudget(1.5, 0, 1, 'USD')).toBe('the estimated cost 1.5 USD is over the budget of 1 USD');
    expect(overBudget(0.75, 0.5, 1, 'EUR')).toBe('the estimated cost 1.25 EUR (0.5 EUR already spent + 0.75 EUR estimated) is over the budget of 1 EUR');
  });
});

describe('formatCost', () => {
  it.each([
    [0, '0'],
    [0.01234, '0.01234'],
    [0.012345678, '0.01235'],
    [1.5e-7, '0.00000015'],
    [12.5, '12.5'],
    [1234.5, '1234.50'],
    [2, '2'],
  ])('%f -> %s', (v, s) => {
    expect(formatCost(v)).toBe(s);
  });
  it('puts the currency after', () => {
    expect(formatCost(0.5, 'USD')).toBe('0.5 USD');
  });
});
