/**
 * Named targets in the plan: the target axis (explicit or implied), each cell's target and
 * group, the interleaved order and its rounds (pinned), shards of whole groups, --target.
 */
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { buildPlan, planTotals } from '../../../src/plan/build.js';
import { runOrder } from '../../../src/plan/order.js';
import { cellTarget } from '../../../src/plan/targets.js';
import { load } from '../spec/helpers.js';

const TARGETS = `name: t
targets:
  vllm: { provider: openai-chat, base_url: "http://127.0.0.1:8000/v1" }
  sglang: { provider: openai-chat, base_url: "http://127.0.0.1:30000/v1", timeout: { read_ms: 999 } }
prompts: [a, b]
`;

function plan(extra: string, opts: Parameters<typeof buildPlan>[1] = {}) {
  const params = extra.includes('params:') ? '' : 'params: { model: m, max_tokens: 8 }\n';
  return buildPlan(load(`${TARGETS}${params}${extra}`), opts);
}

describe('the target axis', () => {
  it('pins the run order of 2 targets x 3 concurrencies x 2 rounds: interleaved, A B A B', () => {
    const p = plan('matrix:\n  target: [vllm, sglang]\n  concurrency: [1, 4, 16]\nrepeat_cells: 2\nrequests: 5\n');
    expect(p.order).toBe('interleaved');
    expect(p.rounds).toBe(2);
    expect(runOrder(p).map((t) => `${t.round}:${t.cell.id}`)).toEqual([
      '0:target=vllm,c=1',
      '0:target=sglang,c=1',
      '0:target=vllm,c=4',
      '0:target=sglang,c=4',
      '0:target=vllm,c=16',
      '0:target=sglang,c=16',
      '1:target=vllm,c=1',
      '1:target=sglang,c=1',
      '1:target=vllm,c=4',
      '1:target=sglang,c=4',
      '1:target=vllm,c=16',
      '1:target=sglang,c=16',
    ]);
    expect(p.cells.map((c) => [c.index, c.group, c.target])).toEqual([
      [0, 0, 'vllm'],
      [1, 0, 'sglang'],
      [2, 1, 'vllm'],
      [3, 1, 'sglang'],
      [4, 2, 'vllm'],
      [5, 2, 'sglang'],
    ]);
    // Requests and warmup count once per round.
    expect(planTotals(p).requests).toBe(60);
  });

  it('sequential order keeps the grid order (first axis slowest), groups still pair the targets', () => {
    const p = plan('matrix:\n  target: [vllm, sglang]\n  concurrency: [1, 4]\norder: sequential\n');
    expect(p.cells.map((c) => `${c.id}#${c.group}`)).toEqual(['target=vllm,c=1#0', 'target=vllm,c=4#1', 'target=sglang,c=1#0', 'target=sglang,c=4#1']);
  });

  it('targets: without matrix.target is an axis over every target, first, in spec order', () => {
    const p = plan('matrix:\n  concurrency: [1, 8]\n');
    expect(p.axes).toEqual(['target', 'concurrency']);
    expect(p.cells.map((c) => c.id)).toEqual(['target=vllm,c=1', 'target=sglang,c=1', 'target=vllm,c=8', 'target=sglang,c=8']);
  });

  it('params.target runs one target, with no target column', () => {
    const p = plan('params: { model: m, target: sglang }\nmatrix:\n  concurrency: [1, 8]\n');
    expect(p.axes).toEqual(['concurrency']);
    expect(p.cells.map((c) => c.target)).toEqual(['sglang', 'sglang']);
    expect(p.order).toBe('sequential');
  });

  it('the target is never sent in the body, and each cell resolves to its own target block', () => {
    const p = plan('matrix:\n  target: [vllm, sglang]\n');
    expect(p.cells.map((c) => c.body)).toEqual([{ model: 'm', max_tokens: 8 }, { model: 'm', max_tokens: 8 }]);
    expect(p.cells.map((c) => cellTarget(p, c).base_url)).toEqual(['http://127.0.0.1:8000/v1', 'http://127.0.0.1:30000/v1']);
    expect(cellTarget(p, p.cells[1]).timeout.read_ms).toBe(999);
  });

  it('a spec with one target: cells run target "default", in grid order, each its own group', () => {
    const p = buildPlan(load('name: t\ntarget: { base_url: "http://127.0.0.1:1/v1" }\nprompts: [a]\nmatrix: { concurrency: [1, 2, 4] }\n'));
    expect(p.cells.map((c) => [c.target, c.group, c.index])).toEqual([
      ['default', 0, 0],
      ['default', 1, 1],
      ['default', 2, 2],
    ]);
    expect(Object.keys(p.targets)).toEqual(['default']);
  });

  it('include and exclude name targets like any axis value', () => {
    const p = plan('matrix:\n  target: [vllm, sglang]\n  concurrency: [1, 8]\n  exclude: [{ target: sglang, concurrency: 8 }]\n  include: [{ target: vllm, concurrency: 32 }]\n');
    expect(p.cells.map((c) => c.id)).toEqual(['target=vllm,c=1', 'target=sglang,c=1', 'target=vllm,c=8', 'target=vllm,c=32']);
  });
});

describe('shards and --target', () => {
  const MATRIX = 'matrix:\n  target: [vllm, sglang]\n  concurrency: [1, 4, 16]\n';

  it('a shard holds whole groups, so its comparison stays fair', () => {
    const ids = (k: number) => plan(MATRIX, { shard: { k, n: 2 } }).cells.map((c) => c.id);
    expect(ids(1)).toEqual(['target=vllm,c=1', 'target=sglang,c=1', 'target=vllm,c=16', 'target=sglang,c=16']);
    expect(ids(2)).toEqual(['target=vllm,c=4', 'target=sglang,c=4']);
  });

  it('--target keeps that target cells, with the ids and indices of the whole plan', () => {
    const p = plan(MATRIX, { target: 'sglang' });
    expect(p.onlyTarget).toBe('sglang');
    expect(p.cells.map((c) => [c.id, c.index])).toEqual([
      ['target=sglang,c=1', 1],
      ['target=sglang,c=4', 3],
      ['target=sglang,c=16', 5],
    ]);
  });

  it('an unknown --target names the flag and the nearest target', () => {
    expect(() => plan(MATRIX, { target: 'sglng' })).toThrow(
      new UserError("--target sglng: the spec has no target 'sglng' — did you mean 'sglang'? (targets: vllm, sglang)"),
    );
    expect(() => buildPlan(load('name: t\ntarget: { base_url: "http://127.0.0.1:1/v1" }\nprompts: [a]\n'), { target: 'x' })).toThrow(
      /--target x: the spec has a single target:, so there is nothing to pick/,
    );
    expect(() => plan('params: { target: vllm }\n', { target: 'sglang' })).toThrow(
      '--target sglang: no cell of the plan runs target sglang (its cells run vllm); check matrix.target and params.target',
    );
  });
});
