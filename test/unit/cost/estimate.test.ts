import { describe, expect, it } from 'vitest';
import { estimateSweepCost, plannedRequests, roundRobinTokens } from '../../../src/cost/estimate.js';
import type { Cell, Prompt } from '../../../src/plan/types.js';

const cell = (over: Partial<Cell>): Cell => ({
  id: 'c',
  index: 0,
  target: 'default',
  group: 0,
  params: {},
  body: { model: 'm', max_tokens: 100 },
  maxTokens: 100,
  load: { concurrency: 1, stream: true },
  requests: 10,
  warmup: 0,
  ...over,
});
const prompts: Prompt[] = [10, 20, 30].map((n, id) => ({ id, messages: [], text: 'x'.repeat(n), origin: `p${id}` }));

describe('roundRobinTokens', () => {
  it('counts each prompt as often as round-robin sends it', () => {
    // 7 requests over 3 prompts: ids 0,1,2,0,1,2,0 -> 3x10 + 2x20 + 2x30
    expect(roundRobinTokens(7, [10, 20, 30])).toBe(130);
    expect(roundRobinTokens(0, [10])).toBe(0);
    expect(roundRobinTokens(5, [])).toBe(0);
  });
});

describe('plannedRequests', () => {
  it('counts warmup, and rate x duration for a timed open-loop cell', () => {
    expect(plannedRequests(cell({ warmup: 2 }))).toBe(12);
    expect(plannedRequests(cell({ requests: undefined, duration_s: 10, load: { concurrency: 4, rate: 2.5, stream: true } }))).toBe(25);
    expect(plannedRequests(cell({ requests: undefined, duration_s: 10 }))).toBeUndefined();
  });
});

describe('estimateSweepCost', () => {
  it('adds input at the prompt lengths and output at max_tokens', () => {
    const e = estimateSweepCost({
      cells: [cell({ id: 'a' }), cell({ id: 'b', body: { model: 'm', max_tokens: 10 }, maxTokens: 10, warmup: 2 })],
      prompts,
      promptTokens: (p) => p.text.length,
      priceOf: () => ({ input: 1, output: 2 }),
    });
    // a: 10 requests -> ids 0..9 -> 4x10 + 3x20 + 3x30 = 190 in, 1000 out -> (190 + 2000) / 1e6
    expect(e.cells[0]).toEqual({ cell: 'a', requests: 10, input_tokens: 190, output_tokens: 1000, cost: 0.00219 });
    // b: 12 requests -> 4x10 + 4x20 + 4x30 = 240 in, 120 out -> (240 + 240) / 1e6
    expect(e.cells[1]).toMatchObject({ requests: 12, input_tokens: 240, output_tokens: 120 });
    expect(e.cells[1].cost).toBeCloseTo(0.00048, 15);
    expect(e).toMatchObject({ input_tokens: 430, output_tokens: 1120, complete: true });
    expect(e.cost).toBeCloseTo(0.00267, 15);
  });
  it('says why a cell has no estimate, and the total is then a lower bound', () => {
    const e = estimateSweepCost({
      cells: [cell({ id: 'a', body: { model: 'm' }, maxTokens: undefined }), cell({ id: 'b', requests: undefined, duration_s: 5 }), cell({ id: 'c' })],
      prompts,
      promptTokens: (p) => p.text.length,
      priceOf: (c) => (c.id === 'c' ? undefined : { input: 1, output: 1 }),
    });
    expect(e.cells.map((c) => c.unknown)).toEqual([
      'no max_tokens: the output length is not bounded',
      'runs for a duration without a rate: the request count is not known ahead',
      'no price for this model',
    ]);
    expect(e.complete).toBe(false);
    expect(e.cost).toBe(0);
  });
});
