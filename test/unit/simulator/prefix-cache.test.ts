import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BLOCK_TOKENS, createPrefixCache } from '../../../src/simulator/prefix-cache.js';
import { startSimulator } from '../../../src/simulator/server.js';
import type { RunningSimulator } from '../../../src/simulator/types.js';
import type { Usage } from '../../../src/simulator/wire.js';
import { builtinTokenizer } from '../../../src/tokenizers/builtin.js';

const o200k = builtinTokenizer('o200k');

const ids = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => from + i);

describe('simulator prefix cache', () => {
  it('hits the leading blocks seen before, only once they are stored', () => {
    const cache = createPrefixCache();
    const prompt = ids(0, 100); // 6 full blocks and 4 tokens
    const first = cache.lookup(prompt);
    expect(first.cached).toBe(0);
    expect(cache.lookup(prompt).cached).toBe(0); // not stored yet: a request arriving alongside misses too
    first.store();
    expect(cache.size).toBe(6);
    expect(cache.lookup(prompt).cached).toBe(6 * BLOCK_TOKENS);
    // Same first 40 tokens, then different: the first two whole blocks hit.
    expect(cache.lookup([...ids(0, 40), ...ids(1000, 60)]).cached).toBe(2 * BLOCK_TOKENS);
  });

  it('a block hits only after the same blocks before it; the last token is always computed', () => {
    const cache = createPrefixCache();
    cache.lookup(ids(0, 64)).store();
    expect(cache.lookup([...ids(500, 16), ...ids(16, 48)]).cached).toBe(0); // blocks 2-4 alike, block 1 not
    expect(cache.lookup(ids(0, 64)).cached).toBe(48); // 4 whole blocks, the last one recomputed
    expect(cache.lookup(ids(0, 65)).cached).toBe(64);
  });

  it('drops the least recently used blocks past its size', () => {
    const cache = createPrefixCache(16, 4);
    const a = ids(0, 33);
    const b = ids(100, 33);
    const c = ids(200, 33);
    cache.lookup(a).store();
    cache.lookup(b).store();
    expect(cache.lookup(a).cached).toBe(32); // a is now the most recent
    cache.lookup(c).store();
    expect(cache.size).toBe(4);
    expect(cache.lookup(b).cached).toBe(0);
    expect(cache.lookup(a).cached).toBe(32);
  });
});

describe('simulator with prefix_cache', () => {
  let sim: RunningSimulator;
  let plain: RunningSimulator;
  // prefill 1 ms/token makes the cache's effect on TTFT far larger than any scheduling noise.
  const model = { ttft_ms: 5, prefill_ms_per_token: 1, itl_ms: 1, jitter: 0, stop_probability: 0, tokenizer: 'o200k' };
  beforeAll(async () => {
    sim = await startSimulator({ ...model, prefix_cache: true });
    plain = await startSimulator(model);
  });
  afterAll(async () => {
    await sim.close();
    await plain.close();
  });

  async function ask(s: RunningSimulator, content: string[], maxTokens = 2): Promise<{ usage: Usage; answer: string; ms: number }> {
    const t0 = performance.now();
    const r = await fetch(`${s.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'sim-7b', max_tokens: maxTokens, messages: content.map((c, i) => ({ role: i % 2 ? 'assistant' : 'user', content: c })) }),
    });
    const body = (await r.json()) as { usage: Usage; choices: Array<{ message: { content: string } }> };
    return { usage: body.usage, answer: body.choices[0].message.content, ms: performance.now() - t0 };
  }

  const shared = ' cache'.repeat(320); // 320 tokens of o200k (one per word): 20 blocks
  const blocks = (tokens: number): number => Math.floor(tokens / BLOCK_TOKENS) * BLOCK_TOKENS;

  it('reports cached_tokens and skips their prefill', async () => {
    const first = await ask(sim, [shared + ' one']);
    expect(first.usage).toMatchObject({ prompt_tokens: 321, prompt_tokens_details: { cached_tokens: 0 } });
    const second = await ask(sim, [shared + ' two']);
    expect(second.usage).toMatchObject({ prompt_tokens: 321, prompt_tokens_details: { cached_tokens: 320 } });
    // ~320 ms of prefill saved; the plain server pays it again.
    const again = await ask(plain, [shared + ' two']);
    expect(again.usage.prompt_tokens_details).toBeUndefined();
    expect(again.ms - second.ms).toBeGreaterThan(150);
  });

  it("a conversation's next turn hits on the history, the server's own answer included", async () => {
    const user1 = ' turn'.repeat(100);
    const turn1 = await ask(sim, [user1], 40);
    const history = 100 + o200k.count(turn1.answer);
    const turn2 = await ask(sim, [user1, turn1.answer, ' next'.repeat(20)]);
    expect(turn2.usage.prompt_tokens).toBe(history + 20);
    expect(turn2.usage.prompt_tokens_details?.cached_tokens).toBe(blocks(history));
    expect(blocks(history)).toBeGreaterThan(100); // more than the first prompt's blocks
  });

  it('without a tokenizer, blocks are 64 characters (16 tokens at chars / 4)', async () => {
    const chars = await startSimulator({ ...model, tokenizer: undefined, prefix_cache: true });
    try {
      const text = 'abcd'.repeat(100); // 400 chars = 100 tokens
      await ask(chars, [text]);
      const r = await ask(chars, [`${text}efgh`]);
      expect(r.usage).toMatchObject({ prompt_tokens: 101, prompt_tokens_details: { cached_tokens: 96 } });
    } finally {
      await chars.close();
    }
  });
});
