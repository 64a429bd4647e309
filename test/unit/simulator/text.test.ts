import { describe, expect, it } from 'vitest';
import { applyStop, countPromptTokens, generate, type GenerateInput } from '../../../src/simulator/text.js';

const base: GenerateInput = { prompt: 'Explain the KV cache.', temperature: 0.7, seed: 7, maxTokens: 64, stopProbability: 0, stop: [] };

describe('countPromptTokens: ceil(code points / 4)', () => {
  it.each([
    ['', 0],
    ['abcd', 1],
    ['abcde', 2],
    ['Explain the KV cache in one paragraph.', 10],
    ['😀😀😀😀', 1],
    ['héllo', 2],
  ])('%j -> %i', (text, tokens) => expect(countPromptTokens(text)).toBe(tokens));
});

describe('generate', () => {
  it('produces word tokens, max_tokens of them, finish_reason length', () => {
    const g = generate(base);
    expect(g.tokens).toHaveLength(64);
    expect(g.finishReason).toBe('length');
    for (const t of g.tokens) expect(t).toMatch(/^( ?[A-Za-z0-9]+|\.)$/);
    expect(g.tokens[0]).toMatch(/^[A-Z]/);
  });

  it('is deterministic in (prompt, seed, temperature)', () => {
    expect(generate(base)).toEqual(generate({ ...base }));
    expect(generate({ ...base, seed: 8 }).tokens).not.toEqual(generate(base).tokens);
    expect(generate({ ...base, temperature: 0.8 }).tokens).not.toEqual(generate(base).tokens);
    expect(generate({ ...base, prompt: 'Other.' }).tokens).not.toEqual(generate(base).tokens);
  });

  it('ignores the seed at temperature 0', () => {
    const t0 = { ...base, temperature: 0 };
    expect(generate({ ...t0, seed: 1 }).tokens).toEqual(generate({ ...t0, seed: 2 }).tokens);
  });

  it('stops early with stop_probability, finish_reason stop', () => {
    expect(generate({ ...base, stopProbability: 1 })).toEqual({ tokens: [generate(base).tokens[0]], finishReason: 'stop' });
    const some = generate({ ...base, maxTokens: 5000, stopProbability: 0.01 });
    expect(some.finishReason).toBe('stop');
    expect(some.tokens.length).toBeGreaterThan(1);
    expect(some.tokens.length).toBeLessThan(5000);
    // Only shorter: the same text up to the stop.
    expect(generate({ ...base, maxTokens: 5000 }).tokens.slice(0, some.tokens.length)).toEqual(some.tokens);
  });

  it('ends before the first stop string, finish_reason stop', () => {
    const full = generate(base).tokens;
    const word = full[5]; // e.g. " cache": present in the text
    const g = generate({ ...base, stop: ['no such thing', word] });
    expect(g.finishReason).toBe('stop');
    const text = g.tokens.join('');
    expect(full.join('').startsWith(text)).toBe(true);
    expect(text).not.toContain(word);
    expect(full.join('').indexOf(word)).toBe(text.length);
  });

  it('keeps finish_reason length when no stop string occurs', () => {
    expect(generate({ ...base, stop: ['zzz'] }).finishReason).toBe('length');
  });
});

describe('applyStop', () => {
  it('cuts inside a token and across tokens', () => {
    expect(applyStop([' the', ' cache', ' is'], ['ach'])).toEqual([' the', ' c']);
    expect(applyStop([' the', ' cache', ' is'], ['e c'])).toEqual([' th']);
    expect(applyStop([' the', ' cache'], [' the'])).toEqual([]);
    expect(applyStop([' the'], ['x', ''])).toBeUndefined();
  });
});
