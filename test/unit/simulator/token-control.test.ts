import { describe, expect, it } from 'vitest';
import { parseRequest } from '../../../src/simulator/request.js';
import { generate, type GenerateInput } from '../../../src/simulator/text.js';
import { tokenizeAnswer } from '../../../src/simulator/tokenize.js';
import { builtinTokenizer } from '../../../src/tokenizers/builtin.js';

const base: GenerateInput = { prompt: 'Explain the KV cache.', temperature: 0.7, seed: 7, maxTokens: 128, stopProbability: 0.05, stop: [] };
const o200k = builtinTokenizer('o200k');

describe('simulator: output length control', () => {
  it('ignore_eos: always max_tokens, the same text as without it', () => {
    const stopped = generate(base);
    expect(stopped.finishReason).toBe('stop');
    const full = generate({ ...base, ignoreEos: true });
    expect(full.tokens).toHaveLength(128);
    expect(full.finishReason).toBe('length');
    expect(full.tokens.slice(0, stopped.tokens.length)).toEqual(stopped.tokens);
  });

  it('min_tokens: no early stop before it', () => {
    for (let seed = 0; seed < 30; seed++) expect(generate({ ...base, seed, minTokens: 100 }).tokens.length).toBeGreaterThanOrEqual(100);
  });

  it('min_tokens also holds back stop strings; ignore_eos does not', () => {
    const text = generate({ ...base, stopProbability: 0 }).tokens;
    const early = text[3].trim();
    expect(generate({ ...base, stopProbability: 0, stop: [early], ignoreEos: true }).finishReason).toBe('stop');
    const g = generate({ ...base, stopProbability: 0, stop: [early], minTokens: 60 });
    expect(g.tokens.length).toBeGreaterThanOrEqual(60);
  });

  it('parses ignore_eos and min_tokens, with OpenAI-style errors for wrong types', () => {
    const r = parseRequest('chat', JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x' }], ignore_eos: true, min_tokens: 8 }));
    expect(r).toMatchObject({ ignoreEos: true, minTokens: 8 });
    expect(() => parseRequest('chat', JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x' }], ignore_eos: 'yes' }))).toThrow(
      "Invalid type for 'ignore_eos': expected a boolean, but got a string instead.",
    );
  });
});

describe('simulator: prompt tokens with a tokenizer', () => {
  it('counts each message with the tokenizer instead of chars / 4', () => {
    const body = { model: 'm', messages: [{ role: 'system', content: 'Be terse.' }, { role: 'user', content: 'The quick brown fox jumps over the lazy dog.' }] };
    expect(parseRequest('chat', JSON.stringify(body)).promptTokens).toBe(14); // ceil(53 / 4)
    expect(parseRequest('chat', JSON.stringify(body), o200k.count).promptTokens).toBe(o200k.count('Be terse.') + 10);
    expect(parseRequest('completions', JSON.stringify({ model: 'm', prompt: 'hello world' }), o200k.count).promptTokens).toBe(2);
  });

  it('serves /tokenize in the llama.cpp, vLLM and TGI shapes, and 404 without a tokenizer', () => {
    expect(tokenizeAnswer(o200k, '{"content":"hello world"}')).toEqual({ status: 200, body: { tokens: [24912, 2375] } });
    expect(tokenizeAnswer(o200k, '{"model":"m","prompt":"hello world"}').body).toMatchObject({ count: 2, tokens: [24912, 2375] });
    expect(tokenizeAnswer(o200k, '{"model":"m","messages":[{"role":"user","content":"hello world"}]}').body).toMatchObject({ count: 2 });
    expect(tokenizeAnswer(o200k, '{"inputs":"hello world"}').body).toEqual([
      { id: 24912, text: 'hello', start: 0, stop: 5 },
      { id: 2375, text: ' world', start: 5, stop: 11 },
    ]);
    expect(tokenizeAnswer(o200k, '{"text":"x"}').status).toBe(400);
    expect(tokenizeAnswer(undefined, '{"content":"x"}').status).toBe(404);
  });
});
