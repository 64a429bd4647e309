import { describe, expect, it } from 'vitest';
import { formatLevel } from '../../../src/ui/format.js';

describe('formatLevel', () => {
  it('shows a confidence level with the digits that tell it from 100%', () => {
    expect(formatLevel(0.95)).toBe('95%');
    expect(formatLevel(0.9)).toBe('90%');
    expect(formatLevel(0.99)).toBe('99%');
    expect(formatLevel(0.99791)).toBe('99.79%');
    expect(formatLevel(1 - 0.05 / 6)).toBe('99.17%');
    // Bonferroni over 12,000 comparisons: 1 - 0.05 / 12,000.
    expect(formatLevel(1 - 0.05 / 12_000)).toBe('99.99958%');
    expect(formatLevel(1 - 1e-9)).not.toBe('100%');
    expect(formatLevel(1)).toBe('100%');
  });
});
