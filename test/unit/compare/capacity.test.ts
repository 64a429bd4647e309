import { describe, expect, it } from 'vitest';
import { compareCapacity } from '../../../src/compare/capacity.js';

const b = (pass?: number, fail?: number, decided = true) => ({ bracket: { pass, fail }, decided });

describe('compareCapacity', () => {
  it('calls it a regression only when the new bracket lies below the old', () => {
    expect(compareCapacity(b(16, 24), b(8, 12))).toEqual({ verdict: 'regression', note: 'capacity 16-24 -> 8-12: below the baseline' });
    expect(compareCapacity(b(16, 24), b(12, 16)).verdict).toBe('regression');
    expect(compareCapacity(b(16, 24), b(12, 17)).verdict).toBe('ok');
    expect(compareCapacity(b(16, 24), b(16, 24)).verdict).toBe('ok');
    expect(compareCapacity(b(16, 24), b(24, 32)).verdict).toBe('improved');
  });

  it('handles < min and >= max', () => {
    expect(compareCapacity(b(4, 5), b(undefined, 1))).toMatchObject({ verdict: 'regression', note: 'capacity 4-5 -> < 1: below the baseline' });
    expect(compareCapacity(b(undefined, 1), b(undefined, 1)).verdict).toBe('ok');
    expect(compareCapacity(b(64, undefined), b(64, undefined)).verdict).toBe('ok');
    expect(compareCapacity(b(64, undefined), b(32, 48)).verdict).toBe('regression');
    expect(compareCapacity(b(32, 48), b(64, undefined))).toMatchObject({ verdict: 'improved', note: 'capacity 32-48 -> >= 64: above the baseline' });
  });

  it('notes an undecided end', () => {
    expect(compareCapacity(b(16, 24), b(8, 12, false)).note).toMatch(/undecided/);
  });
});
