import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { buildPlan, HARD_MAX_CELLS, maxTokensOf, planTotals } from '../../../src/plan/build.js';
import { PROVIDER_MAP } from '../../../src/providers/index.js';
import { inShard } from '../../../src/plan/shard.js';
import { load, MINIMAL } from '../spec/helpers.js';

const SPEC = `name: t
target: { base_url: "http://127.0.0.1:8000/v1" }
prompts: [a, b, c]
params: { model: base-model, top_p: 0.9, stream: false }
matrix:
  model: [qwen, llama]
  max_tokens: [64, 256]
  concurrency: [1, 8]
  exclude:
    - { model: llama, max_tokens: 256 }
  include:
    - { model: gpt, max_tokens: 128, concurrency: 4 }
    - { model: qwen, seed: 7 }
requests: 10
warmup: 2
`;

describe('buildPlan', () => {
  it('expands the grid in spec order, first axis slowest, exclude then include', () => {
    const plan = buildPlan(load(SPEC));
    expect(plan.axes).toEqual(['model', 'max_tokens', 'concurrency', 'seed']);
    expect(plan.cells.map((c) => c.id)).toEqual([
      'm=qwen,mt=64,c=1,seed=7',
      'm=qwen,mt=64,c=8,seed=7',
      'm=qwen,mt=256,c=1,seed=7',
      'm=qwen,mt=256,c=8,seed=7',
      'm=llama,mt=64,c=1',
      'm=llama,mt=64,c=8',
      'm=gpt,mt=128,c=4',
    ]);
    expect(plan.cells.map((c) => c.index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(plan.totalCells).toBe(7);
  });

  it('builds the body from params and the matrix, and the load from the load keys', () => {
    const cell = buildPlan(load(SPEC)).cells[1];
    expect(cell.params).toEqual({ model: 'qwen', max_tokens: 64, concurrency: 8, seed: 7 });
    expect(cell.body).toEqual({ model: 'qwen', top_p: 0.9, max_tokens: 64, seed: 7 });
    expect(cell.load).toEqual({ concurrency: 8, rate: undefined, stream: false });
    expect(cell.requests).toBe(10);
    expect(cell.warmup).toBe(2);
  });

  it('defaults: one cell, concurrency 1, streaming, one request per prompt', () => {
    const plan = buildPlan(load(`${MINIMAL}prompts: [a, b]\n`.replace('prompts: [hi]\n', '')));
    expect(plan.cells).toHaveLength(1);
    expect(plan.cells[0]).toMatchObject({ id: 'default', params: {}, load: { concurrency: 1, stream: true }, requests: 2 });
  });

  it('repeat sends the prompt list that many times; duration_s has no request count', () => {
    expect(buildPlan(load(`${MINIMAL}repeat: 3\n`)).cells[0].requests).toBe(3);
    const timed = buildPlan(load(`${MINIMAL}duration_s: 30\n`)).cells[0];
    expect(timed.requests).toBeUndefined();
    expect(timed.duration_s).toBe(30);
  });

  it('keeps the ids of unrelated cells when a cell is added', () => {
    const before = buildPlan(load(SPEC)).cells.map((c) => c.id);
    const after = buildPlan(load(SPEC.replace('    - { model: qwen, seed: 7 }\n', '    - { model: qwen, seed: 7 }\n    - { model: mistral }\n')));
    expect(after.cells.map((c) => c.id)).toEqual([...before, 'm=mistral']);
    const more = buildPlan(load(SPEC, { set: ['matrix.concurrency=[1,8,16]'] })).cells.map((c) => c.id);
    for (const id of before) expect(more).toContain(id);
  });

  it('runs a combination that two include entries add only once, and says so', () => {
    const plan = buildPlan(load(`${MINIMAL}matrix:\n  model: [a]\n  include:\n    - { model: b }\n    - { model: b }\n`));
    expect(plan.cells.map((c) => c.id)).toEqual(['m=a', 'm=b']);
    expect(plan.warnings!.map((w) => w.replace(/^.*sweep\.yaml/, 'sweep.yaml'))).toEqual([
      'sweep.yaml:9:7: include entry 1 adds a combination the plan already has; it runs once',
    ]);
  });

  it('warns about an exclude entry that matches nothing, suggesting the value', () => {
    const plan = buildPlan(load(`${MINIMAL}matrix:\n  model: [llama3-8b, qwen]\n  exclude:\n    - { model: llama3-8B }\n`));
    expect(plan.cells).toHaveLength(2);
    expect(plan.warnings!.map((w) => w.replace(/^.*sweep\.yaml/, 'sweep.yaml'))).toEqual([
      'sweep.yaml:8:7: exclude entry 0 matches no combination: model: "llama3-8B" is not a value of the axis — did you mean \'llama3-8b\'?',
    ]);
  });

  it('deals whole cells to shards: every cell exactly once for n = 1..7', () => {
    // 3 x 3 x 2 = 18 cells + 1 include = 19: no n in 2..7 divides it.
    const loaded = load(`${MINIMAL}matrix:
  model: [a, b, c]
  temperature: [0, 0.5, 1]
  max_tokens: [16, 32]
  include: [{ model: d }]
`);
    const all = buildPlan(loaded).cells.map((c) => c.id);
    expect(all).toHaveLength(19);
    for (let n = 1; n <= 7; n++) {
      const seen: string[] = [];
      for (let k = 1; k <= n; k++) {
        const plan = buildPlan(loaded, { shard: { k, n } });
        expect(plan.totalCells).toBe(19);
        expect(plan.cells.every((c) => inShard(c.index, { k, n }))).toBe(true);
        seen.push(...plan.cells.map((c) => c.id));
      }
      expect([...seen].sort()).toEqual([...all].sort());
    }
  });

  it('warns about an empty shard', () => {
    const plan = buildPlan(load(MINIMAL), { shard: { k: 2, n: 3 } });
    expect(plan.cells).toEqual([]);
    expect(plan.warnings).toEqual(['--shard 2/3: this shard has no cells (the plan has 1); use at most 1 shard']);
  });

  it('refuses a plan over maxCells, and never expands an absurd one', () => {
    const loaded = load(`${MINIMAL}matrix:\n  seed: [${Array.from({ length: 101 }, (_, i) => i).join(', ')}]\n  top_k: [${Array.from({ length: 100 }, (_, i) => i).join(', ')}]\n`);
    expect(buildPlan(loaded).totalCells).toBe(10_100);
    expect(() => buildPlan(loaded, { maxCells: 10_000 })).toThrow(
      'the plan has 10,100 cells, over 10,000; narrow the matrix, or pass --yes if you mean it',
    );
    const huge = load(`${MINIMAL}matrix:\n  seed: [${Array.from({ length: 1001 }, (_, i) => i).join(', ')}]\n  top_k: [${Array.from({ length: 1000 }, (_, i) => i).join(', ')}]\n`);
    expect(HARD_MAX_CELLS).toBe(1_000_000);
    expect(() => buildPlan(huge)).toThrow(UserError);
    expect(() => buildPlan(huge)).toThrow(/the matrix multiplies to 1,001,000 cells \(seed 1001 x top_k 1000\)/);
  });
});

describe('planTotals', () => {
  it('sums requests, warmup and the max_tokens budget', () => {
    const t = planTotals(buildPlan(load(SPEC)));
    // 7 cells x 10 requests; budget = sum of max_tokens x 10.
    expect(t).toEqual({
      cells: 7,
      requests: 70,
      warmup: 14,
      maxTokensBudget: (64 + 64 + 256 + 256 + 64 + 64 + 128) * 10,
      warmupMaxTokensBudget: (64 + 64 + 256 + 256 + 64 + 64 + 128) * 2,
      cellsWithoutMaxTokens: 0,
    });
  });

  it('has no budget when a cell has no max_tokens, or runs by duration', () => {
    expect(planTotals(buildPlan(load(MINIMAL)))).toMatchObject({ maxTokensBudget: undefined, cellsWithoutMaxTokens: 1 });
    const timed = planTotals(buildPlan(load(`${MINIMAL}duration_s: 5\nparams: { max_tokens: 8 }\n`)));
    expect(timed).toMatchObject({ requests: undefined, maxTokensBudget: undefined, cellsWithoutMaxTokens: 0 });
  });

  it("reads the output cap of every provider family, in the provider's own fields", () => {
    const cap = (provider: keyof typeof PROVIDER_MAP, body: Record<string, unknown>) => maxTokensOf(body, PROVIDER_MAP[provider].maxTokens);
    expect(cap('openai-chat', { max_tokens: 5 })).toBe(5);
    expect(cap('openai-chat', { max_completion_tokens: 6 })).toBe(6);
    expect(cap('tgi', { max_new_tokens: 7 })).toBe(7);
    expect(cap('ollama', { num_predict: 8 })).toBe(8);
    expect(cap('ollama', { options: { num_predict: 9 } })).toBe(9);
    expect(cap('ollama', { num_predict: -1 })).toBeUndefined();
    // Not a field of the OpenAI API: no cap.
    expect(cap('openai-chat', { num_predict: 8 })).toBeUndefined();
  });
});
