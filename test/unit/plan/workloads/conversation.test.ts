import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { conversationSchema, conversationSource, sessionsFor, turnMessages, withAnswer } from '../../../../src/plan/workloads/conversation.js';
import { datasetSchema, sampleDataset } from '../../../../src/plan/workloads/dataset.js';
import { localVocabulary } from '../../../../src/plan/workloads/vocabulary.js';
import { builtinTokenizer } from '../../../../src/tokenizers/builtin.js';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/workloads/', import.meta.url));
const o200k = builtinTokenizer('o200k');
const vocab = localVocabulary(o200k);

describe('conversations', () => {
  it('synthetic sessions: turns of input_tokens each, think times between turns, seeded', () => {
    const spec = conversationSchema.parse({ turns: 4, input_tokens: 100, output_tokens: 32, think_time_ms: { uniform: [500, 1500] } });
    const source = conversationSource({ spec, seed: 1, key: 'c=1', vocab });
    const s = source.session(0);
    expect(s.turns).toHaveLength(4);
    expect(s.turns.map((t) => t.turn)).toEqual([0, 1, 2, 3]);
    expect(s.turns.map((t) => o200k.count(t.user))).toEqual([100, 100, 100, 100]);
    expect(s.turns.map((t) => t.outputTokens)).toEqual([32, 32, 32, 32]);
    expect(s.turns[0].thinkMs).toBe(0);
    for (const t of s.turns.slice(1)) expect(t.thinkMs).toBeGreaterThanOrEqual(500);
    expect(source.session(0)).toEqual(s);
    expect(source.session(1).turns[0].user).not.toBe(s.turns[0].user);
    expect(new Set(s.turns.map((t) => t.user)).size).toBe(4);
  });

  it('the history grows with the real answers', () => {
    const spec = conversationSchema.parse({ turns: 2, input_tokens: 10 });
    const s = conversationSource({ spec, seed: 1, key: 'k', vocab }).session(0);
    const first = turnMessages([], s.turns[0]);
    expect(first).toEqual([{ role: 'user', content: s.turns[0].user }]);
    const second = turnMessages(withAnswer(first, 'the answer'), s.turns[1]);
    expect(second).toEqual([
      { role: 'user', content: s.turns[0].user },
      { role: 'assistant', content: 'the answer' },
      { role: 'user', content: s.turns[1].user },
    ]);
  });

  it('ShareGPT sessions: the human turns, at most `turns` of them', async () => {
    const ref = { path: join(FIXTURES, 'sharegpt-small.json'), shown: 'sharegpt-small.json', at: 'x' };
    const sample = await sampleDataset(datasetSchema.parse({ file: 'sharegpt-small.json' }), { ref, tokenizer: o200k, seed: 1, count: 10, keepTurns: true });
    const spec = conversationSchema.parse({ turns: 2 });
    const rows = sample.rows;
    const i = rows.findIndex((r) => r.line === 19);
    const s = conversationSource({ spec, seed: 1, key: 'k', rows, rowOf: () => i }).session(0);
    expect(s.turns.map((t) => t.user)).toEqual(['Why is prefill compute-bound while decode is memory-bound?', 'And what does speculative decoding change?']);
    expect(s.origin).toBe('dataset line 19');
  });

  it('sessions per cell: the spec, or enough for the requests', () => {
    expect(sessionsFor(conversationSchema.parse({ turns: 4, input_tokens: 1 }), 10)).toBe(3);
    expect(sessionsFor(conversationSchema.parse({ turns: 4, input_tokens: 1, sessions: 7 }), 10)).toBe(7);
  });
});
