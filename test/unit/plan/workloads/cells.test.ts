import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cellSource, cellTotals, cellWorkloadSpec, type CellContextInput } from '../../../../src/plan/workloads/cells.js';
import { prepareWorkload } from '../../../../src/plan/workloads/prepare.js';
import { workloadSchema, type WorkloadSpec } from '../../../../src/plan/workloads/schema.js';
import { builtinTokenizer } from '../../../../src/tokenizers/builtin.js';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/workloads/', import.meta.url));
const o200k = builtinTokenizer('o200k');
const prepare = (workload: WorkloadSpec, rows = 100) =>
  prepareWorkload({ workload, tokenizer: 'o200k', dir: FIXTURES, tokenizerAt: 'x', fileAt: 'y', seed: 1, rows }, { inWorker: false });
const ctx = (workload: WorkloadSpec, prepared: Awaited<ReturnType<typeof prepare>>, over: Partial<CellContextInput> = {}): CellContextInput => ({
  workload,
  prepared,
  seed: 1,
  id: 'c=1',
  params: {},
  requests: 10,
  warmup: 0,
  rowOffset: 0,
  ...over,
});
const issues = (v: unknown) => {
  const r = workloadSchema.safeParse(v);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')} ${i.message}`);
};

describe('workload schema', () => {
  it('one source; a conversation may take its turns from a dataset', () => {
    expect(issues({ synthetic: { input_tokens: 10 } })).toEqual([]);
    expect(issues({ conversation: { turns: 2 }, dataset: { file: 'x.json' } })).toEqual([]);
    expect(issues({})).toEqual([' needs one of synthetic, dataset, trace, conversation (or write prompts as a list)']);
    expect(issues({ synthetic: { input_tokens: 10 }, dataset: { file: 'x.json' } })).toEqual([
      'dataset cannot go with synthetic: a workload has one source (a conversation may take its turns from a dataset)',
    ]);
    expect(issues({ trace: { file: 't.jsonl' }, prefix: { tokens: 5 } })).toEqual(['prefix cannot go with trace (its hash_ids are the shared prefixes)']);
    expect(issues({ conversation: { turns: 2 } })).toEqual(['conversation.input_tokens is needed for synthetic turns (or give a dataset to take the turns from)']);
  });
});

describe('cell workloads', () => {
  it('matrix axes override the workload per cell', () => {
    const w = workloadSchema.parse({ synthetic: { input_tokens: 100, output_tokens: 10 }, prefix: { tokens: 50, count: 2 } });
    expect(cellWorkloadSpec(w, {})).toMatchObject({ input: 100, output: 10, prefix: { tokens: 50, count: 2 } });
    expect(cellWorkloadSpec(w, { input_tokens: { uniform: [1, 9] }, output_tokens: 7, prefix_count: 8 })).toMatchObject({
      input: { uniform: [1, 9] },
      output: 7,
      prefix: { tokens: 50, count: 8 },
    });
  });

  it('synthetic: prompts of the cell length, totals for plan', async () => {
    const w = workloadSchema.parse({ synthetic: { input_tokens: 100, output_tokens: 10 } });
    const p = await prepare(w);
    const s = cellSource(ctx(w, p, { params: { input_tokens: 1024 } }));
    expect(s.kind).toBe('prompts');
    if (s.kind !== 'prompts') return;
    expect(o200k.count(s.source.prompt(0).text)).toBe(1024);
    expect(cellTotals(ctx(w, p, { params: { input_tokens: 1024 } }))).toEqual({ inputTokens: 10240, outputTokens: 100 });
  });

  it('dataset: each cell its own rows (offset), warmup rows after the recorded ones', async () => {
    const w = workloadSchema.parse({ dataset: { file: 'prompts.jsonl', output: 'output_len', output_tokens: 'dataset' } });
    const p = await prepare(w, 5);
    expect(p.sample?.rows).toHaveLength(5);
    const a = cellSource(ctx(w, p, { requests: 2, warmup: 1, rowOffset: 0 }));
    const b = cellSource(ctx(w, p, { requests: 2, warmup: 1, rowOffset: 3, id: 'c=2' }));
    if (a.kind !== 'prompts' || b.kind !== 'prompts') throw new Error('kind');
    const texts = [a.source.prompt(0), a.source.prompt(1), a.source.prompt(-1), b.source.prompt(0), b.source.prompt(1)].map((x) => x.text);
    expect(new Set(texts).size).toBe(5);
    const [r0, r1] = [p.sample!.rows.at(0)!, p.sample!.rows.at(1)!];
    expect(cellTotals(ctx(w, p, { requests: 2 }))).toEqual({
      inputTokens: r0.inputTokens + r1.inputTokens,
      outputTokens: r0.outputTokens! + r1.outputTokens!,
    });
  });

  it('trace: the schedule with the cell speed-up; totals of the rows sent', async () => {
    const w = workloadSchema.parse({ trace: { file: 'mooncake-small.jsonl' } });
    const p = await prepare(w);
    const s = cellSource(ctx(w, p, { params: { speedup: 4 } }));
    if (s.kind !== 'trace') throw new Error('kind');
    expect(s.source.dueMs(2)).toBe(95 / 4);
    expect(cellTotals(ctx(w, p, { requests: 2 }))).toEqual({ inputTokens: 1800, outputTokens: 32 });
  });

  it('conversation: sessions for the requests; totals count the growing history', async () => {
    const w = workloadSchema.parse({ conversation: { turns: 3, input_tokens: 100, output_tokens: 10 } });
    const p = await prepare(w);
    const s = cellSource(ctx(w, p, { requests: 9 }));
    if (s.kind !== 'conversation') throw new Error('kind');
    expect(s.sessions).toBe(3);
    // Per session: 3 x 100 new tokens + history (0 + 110 + 220).
    expect(cellTotals(ctx(w, p, { requests: 9 }))).toEqual({ inputTokens: 3 * (300 + 330), outputTokens: 90 });
  });
});
