import { describe, expect, it } from 'vitest';
import { estimateTokens } from '../../../src/metrics/tokens.js';

describe('estimateTokens (o200k_base)', () => {
  it('is 0 for the empty string', () => {
    expect(estimateTokens('')).toBe(0);
  });

  it('counts known o200k_base tokenizations', () => {
    expect(estimateTokens('hello world')).toBe(2);
    expect(estimateTokens('Hello, world!')).toBe(4);
    expect(estimateTokens('The quick brown fox jumps over the lazy dog.')).toBe(10);
    expect(estimateTokens('Explain the KV cache in one paragraph.')).toBe(8);
    expect(estimateTokens('12345678')).toBe(3); // digits go in groups of three
    expect(estimateTokens('😀')).toBe(1);
    expect(estimateTokens('日本語のテキスト')).toBe(6);
  });

  it('is not chars/4', () => {
    expect(estimateTokens('a'.repeat(1000))).toBe(125);
    expect(estimateTokens('😀'.repeat(1000))).toBe(1000);
  });

  it('grows with the text', () => {
    const counts = [1, 2, 3, 4, 5, 10].map((k) => estimateTokens('hello world '.repeat(k)));
    expect(counts).toEqual([3, 5, 7, 9, 11, 21]);
  });

  it('counts special-token text as plain text instead of throwing', () => {
    expect(estimateTokens('<|endoftext|>')).toBe(7);
  });

  it('counts ordinary long text exactly', () => {
    expect(estimateTokens('The quick brown fox. '.repeat(5000))).toBe(25001);
  });

  it('stays fast on a long run without whitespace (quadratic BPE otherwise)', () => {
    const t0 = performance.now();
    expect(estimateTokens('a'.repeat(200_000))).toBe(25_000);
    expect(performance.now() - t0).toBeLessThan(5_000);
  });

  it('keeps surrogate pairs whole where a long run is cut', () => {
    // The cut after 256 characters lands on the high half of a pair here.
    expect(estimateTokens(`x${'😀'.repeat(1000)}`)).toBe(1001);
  });
});
