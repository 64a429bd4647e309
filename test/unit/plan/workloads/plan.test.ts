import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../../../src/plan/build.js';
import { planCellSource, planCellTotals, plannedRequests, preparePlanWorkload } from '../../../../src/plan/workloads/plan-workload.js';
import { load, problems } from '../../spec/helpers.js';

const HEAD = `name: t
target: { base_url: "http://127.0.0.1:8000/v1" }
params: { model: m }
`;

describe('plans with a workload', () => {
  it('workload axes set the prompts, not the body; cells get short ids', () => {
    const plan = buildPlan(
      load(`${HEAD}prompts:
  synthetic: { input_tokens: 100, output_tokens: 10 }
matrix: { input_tokens: [128, 1024], output_tokens: [64], temperature: [0] }
requests: 5
`),
    );
    expect(plan.cells.map((c) => c.id)).toEqual(['in=128,out=64,t=0', 'in=1024,out=64,t=0']);
    expect(plan.cells[0].body).toEqual({ model: 'm', temperature: 0 });
    expect(plan.workload).toMatchObject({ tokenizer: 'o200k', families: { default: 'vllm' } });
    expect(plan.prompts).toEqual([]);
  });

  it('the server family follows the target: openai.com, tgi, the simulator, or what the spec says', () => {
    const family = (target: string, extra = '') =>
      buildPlan(load(`name: t\ntarget: ${target}\nparams: { model: m, max_tokens: 8 }\nprompts:\n  synthetic: { input_tokens: 5 }\n${extra}requests: 1\n`)).workload?.families.default;
    expect(family('{ base_url: "https://api.openai.com/v1", api_key: x }')).toBe('openai');
    expect(family('{ provider: tgi, base_url: "http://127.0.0.1:8080" }')).toBe('tgi');
    expect(family('{ base_url: builtin }')).toBe('builtin');
    expect(buildPlan(load(`${HEAD}prompts:\n  synthetic: { input_tokens: 5 }\n  server: llama.cpp\nrequests: 1\n`)).workload?.families.default).toBe('llama.cpp');
  });

  it('dataset rows are shared out over the whole plan: a shard gets the rows it would get unsharded', async () => {
    const spec = `${HEAD}prompts:
  dataset: { file: data.jsonl }
matrix: { concurrency: [1, 2, 4] }
requests: 3
warmup: 1
`;
    const files = { 'data.jsonl': Array.from({ length: 40 }, (_, i) => JSON.stringify({ prompt: `question number ${i} about caches` })).join('\n') };
    const whole = load(spec, { files });
    const plan = buildPlan(whole);
    expect(plan.cells.map((c) => c.rowOffset)).toEqual([0, 4, 8]);
    expect(plan.workload?.rows).toBe(12);
    await preparePlanWorkload(whole, plan);
    const texts = (p: typeof plan, l: typeof whole) => p.cells.map((c) => [0, 1, 2, -1].map((i) => (planCellSource(l, p, c) as { source: { prompt(i: number): { text: string } } }).source.prompt(i).text));
    const all = texts(plan, whole);
    expect(new Set(all.flat()).size).toBe(12);
    const shard = buildPlan(whole, { shard: { k: 2, n: 2 } });
    await preparePlanWorkload(whole, shard);
    expect(texts(shard, whole)).toEqual([all[1]]);
  });

  it('a conversation cell plans its sessions turns; resume indices are turn x sessions + session', async () => {
    const loaded = load(`${HEAD}prompts:
  conversation: { turns: { uniform: [1, 3] }, input_tokens: 8, sessions: 5 }
`);
    const plan = buildPlan(loaded);
    expect(plan.cells[0].sessions).toBe(5);
    await preparePlanWorkload(loaded, plan);
    const planned = plannedRequests(loaded, plan, plan.cells[0])!;
    const indices = [...planned.indices];
    expect(planned.stride).toBe(5);
    expect(indices).toHaveLength(plan.cells[0].requests!);
    expect(new Set(indices).size).toBe(indices.length);
    for (const i of indices) expect(i % 5).toBeLessThan(5);
    expect(planCellTotals(loaded, plan, plan.cells[0])?.inputTokens).toBeGreaterThan(0);
  });

  it('a trace cell sends the whole trace unless requests says otherwise', async () => {
    const files = { 't.jsonl': '{"timestamp": 0, "input_length": 10, "output_length": 2}\n{"timestamp": 5, "input_length": 20, "output_length": 3}\n' };
    const loaded = load(`${HEAD}prompts:\n  trace: { file: t.jsonl }\n`, { files });
    const plan = buildPlan(loaded);
    await preparePlanWorkload(loaded, plan);
    expect(plan.cells[0].requests).toBe(2);
    expect(plan.cells[0].load.concurrency).toBe(Infinity);
    expect(planCellTotals(loaded, plan, plan.cells[0])).toEqual({ inputTokens: 30, outputTokens: 5 });
  });
});

describe('workload problems at their spec line', () => {
  it('repeat, a rate with a trace, an axis that does nothing, prefix_count without a length', () => {
    expect(problems(`${HEAD}prompts:\n  synthetic: { input_tokens: 5 }\nrepeat: 2\n`)).toEqual([
      'sweep.yaml:6:1: repeat counts passes over a prompt list, and prompts is a synthetic workload; give requests: N (per cell) instead',
    ]);
    expect(problems(`${HEAD}prompts:\n  trace: { file: t.jsonl }\nmatrix: { rate: [1] }\n`)).toEqual([
      'sweep.yaml:6:11: rate does not go with a trace workload: a trace is sent on its own schedule (use trace.speedup)',
    ]);
    expect(problems(`${HEAD}prompts:\n  synthetic: { input_tokens: 5 }\nmatrix: { turns: [2], prefix_count: [2] }\nrequests: 1\n`)).toEqual([
      'sweep.yaml:6:11: matrix.turns does nothing for a synthetic workload (workload axes: input_tokens, output_tokens, prefix_tokens, prefix_count)',
      'sweep.yaml:6:23: matrix.prefix_count needs a prefix length: prompts.prefix: { tokens: N } or a prefix_tokens axis',
    ]);
  });

  it('prompts too big to write: prefix plus prompt, the prefixes of a cell, a long conversation', () => {
    expect(problems(`${HEAD}prompts:\n  synthetic: { input_tokens: 1000000 }\n  prefix: { tokens: 1500000 }\nrequests: 1\n`)).toEqual([
      "sweep.yaml:6:3: a prefix of 1,500,000 tokens on a prompt of up to 1,000,000 makes prompts over 2,000,000 tokens (beyond any model's context); shorten one",
    ]);
    expect(problems(`${HEAD}prompts:\n  synthetic: { input_tokens: 10 }\n  prefix: { tokens: 1000 }\nmatrix: { prefix_count: [1, 9000], prefix_tokens: [100, 5000] }\nrequests: 1\n`)).toEqual([
      "sweep.yaml:6:3: 9,000 prefixes of 5,000 tokens are more than the 20,000,000 tokens a cell's prefixes may hold; use fewer or shorter prefixes",
    ]);
    expect(problems(`${HEAD}prompts:\n  conversation: { turns: 100, input_tokens: 20000, output_tokens: 1000 }\nrequests: 1\n`)).toEqual([
      "sweep.yaml:5:3: a session's last turn would carry up to 2,100,000 tokens of history (100 turns of up to 21,000), over 2,000,000 (beyond any model's context); use fewer or shorter turns",
    ]);
    expect(() => load(`${HEAD}prompts:\n  conversation: { turns: 10, input_tokens: 20000, output_tokens: 1000 }\nrequests: 1\n`)).not.toThrow();
  });

  it('a capacity search: its rounds count the requests; not over a trace, nor over rate with sessions', () => {
    const search = 'search: { over: concurrency, min: 1, max: 8, slo: { ttft_ms: 100 } }\n';
    expect(() => load(`${HEAD}prompts:\n  synthetic: { input_tokens: 5 }\n${search}`)).not.toThrow();
    expect(problems(`${HEAD}prompts:\n  trace: { file: t.jsonl }\n${search}`)).toEqual([
      'sweep.yaml:6:11: a capacity search over concurrency does not go with a trace workload: a trace is sent on its own schedule (replay it faster with trace.speedup, or a speedup axis)',
    ]);
    expect(problems(`${HEAD}prompts:\n  conversation: { turns: 2, input_tokens: 5 }\nsearch: { over: rate, min: 1, max: 8, slo: { ttft_ms: 100 } }\n`)).toEqual([
      'sweep.yaml:6:11: a capacity search over rate does not go with a conversation workload: sessions run closed loop; search over concurrency instead',
    ]);
  });

  it('a missing simulator tokenizer file', () => {
    expect(problems(`name: t\ntarget: { base_url: builtin, simulator: { tokenizer: ./tok.json } }\nprompts: [hi]\n`)).toEqual([
      "sweep.yaml:2:54: tokenizer file './tok.json' not found (paths are relative to the spec's folder); or use o200k, cl100k",
    ]);
  });

  it('with named targets: each target asks for output lengths its own way, and the targets of a group get the same prompts', async () => {
    const loaded = load(`name: t
targets:
  v: { provider: openai-chat, base_url: "http://127.0.0.1:8000/v1" }
  g: { provider: tgi, base_url: "http://127.0.0.1:8080" }
params: { model: m }
prompts:
  synthetic: { input_tokens: 12, output_tokens: 4 }
matrix: { target: [v, g], concurrency: [1, 2] }
requests: 3
`);
    const plan = buildPlan(loaded);
    expect(plan.workload?.families).toEqual({ v: 'vllm', g: 'tgi' });
    // Rows per group, not per cell: the two targets of a group share them.
    expect(plan.cells.map((c) => [c.id, c.rowOffset])).toEqual([
      ['target=v,c=1', 0],
      ['target=g,c=1', 0],
      ['target=v,c=2', 3],
      ['target=g,c=2', 3],
    ]);
    await preparePlanWorkload(loaded, plan);
    const texts = plan.cells.map((c) => [0, 1, 2].map((i) => (planCellSource(loaded, plan, c) as { source: { prompt(i: number): { text: string } } }).source.prompt(i).text));
    expect(texts[1]).toEqual(texts[0]);
    expect(texts[3]).toEqual(texts[2]);
    expect(new Set([...texts[0], ...texts[2]]).size).toBe(6);
  });

  it('repeat_cells is refused with a workload, at its line', () => {
    expect(problems(`${HEAD}prompts:\n  synthetic: { input_tokens: 5 }\nrequests: 2\nrepeat_cells: 2\n`)).toEqual([
      expect.stringMatching(/sweep\.yaml:7:1: repeat_cells does not go with a synthetic workload yet/),
    ]);
  });
});
