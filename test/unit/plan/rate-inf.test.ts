import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../../src/plan/build.js';
import { rateValue } from '../../../src/spec/params.js';
import { load, MINIMAL, problems } from '../spec/helpers.js';

describe('rate: inf', () => {
  it('is accepted wherever a rate is, in any spelling, and kept as the text inf', () => {
    const loaded = load(`${MINIMAL}params: { rate: Inf }
matrix:
  rate: [2, inf, Infinity]
  include: [{ rate: .inf, max_tokens: 8 }]
requests: 4
`);
    expect(loaded.spec.params.rate).toBe('inf');
    expect(loaded.spec.matrix.rate).toEqual([2, 'inf', 'inf']);
  });

  it('plans an open loop with every request due at once and no concurrency cap, id r=inf', () => {
    const plan = buildPlan(load(`${MINIMAL}matrix: { rate: [4, inf] }\nrequests: 4\n`));
    expect(plan.cells.map((c) => c.id)).toEqual(['r=4', 'r=inf']);
    expect(plan.cells[1].load).toMatchObject({ rate: Infinity, concurrency: Infinity });
    expect(plan.cells[1].params.rate).toBe('inf');
    const capped = buildPlan(load(`${MINIMAL}params: { rate: inf, concurrency: 3 }\nrequests: 4\n`));
    expect(capped.cells[0].load).toMatchObject({ rate: Infinity, concurrency: 3 });
  });

  it('works with --set', () => {
    const loaded = load(MINIMAL, { set: ['params.rate=inf'] });
    expect(loaded.spec.params.rate).toBe('inf');
  });

  it('says what a rate can be when it is neither a positive number nor inf', () => {
    expect(problems(`${MINIMAL}params: { rate: fast }\n`)).toEqual([
      'sweep.yaml:5:17: params.rate must be a number of requests per second above 0, or inf (no pacing: every request due at once), got the text "fast"',
    ]);
    expect(problems(`${MINIMAL}matrix: { rate: [1, 0] }\n`)[0]).toMatch(/^sweep\.yaml:5:\d+: matrix\.rate\[1\] must be at least 0\.001, got 0$/);
  });

  it('refuses rate: inf for a duration with no concurrency cap, which would send without end', () => {
    expect(() => buildPlan(load(`${MINIMAL}params: { rate: inf }\nduration_s: 5\n`))).toThrow(
      /sweep\.yaml:6:1: rate: inf with duration_s and no concurrency cap would send without end \(cell default\)/,
    );
  });

  it('reads a rate value as requests per second', () => {
    expect(rateValue('inf')).toBe(Infinity);
    expect(rateValue(2.5)).toBe(2.5);
    expect(rateValue('2')).toBeUndefined();
    expect(rateValue(undefined)).toBeUndefined();
  });
});
