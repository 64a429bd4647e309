import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { makePrefixes } from '../../../../src/plan/workloads/prefix.js';
import { describeSynthetic, syntheticSource, syntheticTotals } from '../../../../src/plan/workloads/synthetic.js';
import { localVocabulary, textOfTokens } from '../../../../src/plan/workloads/vocabulary.js';
import { mulberry32 } from '../../../../src/random.js';
import { builtinTokenizer } from '../../../../src/tokenizers/builtin.js';
import { loadTokenizer } from '../../../../src/tokenizers/load.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const o200k = builtinTokenizer('o200k');
const vocab = localVocabulary(o200k);

describe('synthetic prompts by token count', () => {
  it('every prompt has exactly input_tokens tokens, for the built-in encodings and a tokenizer.json', () => {
    const tokenizers = [o200k, builtinTokenizer('cl100k'), loadTokenizer('test/fixtures/tokenizers/tiny-bpe.json', { dir: ROOT, at: 'x' })];
    for (const t of tokenizers) {
      const source = syntheticSource({ input: { uniform: [1, 3000] }, vocab: localVocabulary(t), seed: 1, key: 'c=1' });
      for (let i = 0; i < 60; i++) {
        const p = source.prompt(i);
        expect(t.count(p.text), `${t.name} request ${i}`).toBe(p.inputTokens);
      }
    }
  });

  it('a fixed 1024 is 1024 tokens every request, and output_tokens is asked for', () => {
    const source = syntheticSource({ input: { fixed: 1024 }, output: 128, vocab, seed: 1, key: 'c=1' });
    for (let i = 0; i < 20; i++) {
      const p = source.prompt(i);
      expect(o200k.count(p.text)).toBe(1024);
      expect(p).toMatchObject({ id: i, inputTokens: 1024, outputTokens: 128, messages: [{ role: 'user', content: p.text }] });
    }
  });

  it('the same seed and cell give byte-identical prompts; requests, cells and seeds differ', () => {
    const make = (seed: number, key: string) => syntheticSource({ input: 256, output: { uniform: [10, 90] }, vocab, seed, key });
    const a = Array.from({ length: 50 }, (_, i) => make(1, 'c=1').prompt(i));
    const b = Array.from({ length: 50 }, (_, i) => make(1, 'c=1').prompt(i));
    expect(b).toEqual(a);
    // Any order (a shard, a resume) gives the same prompt for the same index.
    expect(make(1, 'c=1').prompt(37)).toEqual(a[37]);
    expect(new Set(a.map((p) => p.text)).size).toBe(50);
    expect(make(1, 'c=2').prompt(0).text).not.toBe(a[0].text);
    expect(make(2, 'c=1').prompt(0).text).not.toBe(a[0].text);
    // Warmup requests (negative indices) never repeat a recorded one.
    expect(a.map((p) => p.text)).not.toContain(make(1, 'c=1').prompt(-1).text);
  });

  it('distinct prompts share no 16-token block at the start (no accidental prefix-cache hit)', () => {
    const source = syntheticSource({ input: 512, vocab, seed: 9, key: 'k' });
    const firstBlocks = new Set(Array.from({ length: 300 }, (_, i) => o200k.encode(source.prompt(i).text).slice(0, 16).join(',')));
    expect(firstBlocks.size).toBe(300);
  });

  it('changing output_tokens leaves the prompts alone', () => {
    const a = syntheticSource({ input: 100, output: 10, vocab, seed: 1, key: 'k' }).prompt(3);
    const b = syntheticSource({ input: 100, output: { uniform: [50, 60] }, vocab, seed: 1, key: 'k' }).prompt(3);
    expect(b.text).toBe(a.text);
  });

  it('a prefix comes on top of input_tokens, one of count, used round-robin', () => {
    const prefixes = makePrefixes({ tokens: 64, count: 3 }, vocab, 1, 'k');
    const source = syntheticSource({ input: 100, vocab, seed: 1, key: 'k', prefixes });
    const ps = Array.from({ length: 6 }, (_, i) => source.prompt(i));
    for (const p of ps) {
      expect(o200k.count(p.text)).toBe(164);
      expect(p.inputTokens).toBe(164);
    }
    const heads = ps.map((p) => o200k.decode(o200k.encode(p.text).slice(0, 64)));
    expect(new Set(heads).size).toBe(3);
    expect(heads[0]).toBe(heads[3]);
    expect(ps[0].text).not.toBe(ps[3].text); // the rest is each request's own
  });

  it('plan totals and a short description', () => {
    expect(syntheticTotals({ fixed: 1024 }, 128, 10)).toEqual({ inputTokens: 10240, outputTokens: 1280 });
    expect(syntheticTotals({ uniform: [100, 300] }, undefined, 4, 50)).toEqual({ inputTokens: 1000, outputTokens: undefined });
    expect(describeSynthetic(1024, { normal: { mean: 128, stddev: 32 } })).toBe('1024 -> N(128,32)');
  });
});

describe('vocabulary', () => {
  it("takes one-token words from the tokenizer's own vocabulary, commonest first", () => {
    expect(vocab.words.length).toBe(4096);
    expect(vocab.base).toBe(0);
    expect(vocab.recount).toBeUndefined();
    expect(vocab.words.slice(0, 3)).toEqual([' ing', ' the', ' ion']);
    for (const w of vocab.words.slice(0, 200)) expect(o200k.encode(w)).toHaveLength(1);
  });

  it('a text cannot be shorter than what the tokenizer adds', () => {
    expect(() => textOfTokens({ ...vocab, base: 2, tokenizer: 'server' }, 1, mulberry32(1))).toThrow(/1 tokens cannot hold the 2 tokens that server adds/);
  });

  it('when one token per word cannot be proven, each text is counted and corrected', () => {
    const v = { ...vocab, recount: o200k };
    const r = mulberry32(4);
    for (const n of [1, 2, 17, 500]) expect(o200k.count(textOfTokens(v, n, r))).toBe(n);
  });
});
