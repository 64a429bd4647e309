import { describe, expect, it } from 'vitest';
import { CellColumns } from '../../../src/metrics/cell-columns.js';
import { buildPlan } from '../../../src/plan/build.js';
import type { RequestRecord } from '../../../src/records/types.js';
import type { ResumeState } from '../../../src/results/resume.js';
import { budgetRefusal, createAssessor } from '../../../src/runner/assess.js';
import type { ExchangeResult } from '../../../src/runner/exchange.js';
import { load } from '../spec/helpers.js';

const SPEC = `name: t
target: { base_url: http://127.0.0.1:8000/v1 }
prompts:
  - { prompt: "What is 2 + 2?", vars: { expected: "4" } }
  - { prompt: "What is 3 + 3?", vars: { expected: 6 } }
params: { model: m, max_tokens: 10 }
requests: 4
checks: [{ type: equals, column: expected }]
pricing: { models: { m: { input: 1, output: 100 } } }
`;

const record = (prompt_id: number, over: Partial<RequestRecord> = {}): RequestRecord =>
  ({ cell: 'c', params: {}, prompt_id, repeat: 0, started_at: '', status: 'ok', attempts: 1, prompt_tokens: 10, completion_tokens: 5, ...over }) as RequestRecord;
const answer = (text: string): ExchangeResult => ({ text, reasoning: 'thinking 4?', finishReason: 'stop' }) as ExchangeResult;

describe('createAssessor', () => {
  const loaded = load(SPEC);
  const plan = buildPlan(loaded);
  const cell = plan.cells[0];

  it('checks the answer against the prompt column, prices the record, and tallies', () => {
    const a = createAssessor(loaded, plan);
    const r0 = record(0);
    const v0 = a.assess(r0, answer('4'), cell);
    expect(v0?.map((v) => v.pass)).toEqual([true]);
    // 10 x 1 + 5 x 100 per million
    expect(r0).toMatchObject({ checks_passed: 1, checks_total: 1, cost: 0.00051 });
    const r1 = record(1);
    a.assess(r1, answer('7'), cell);
    expect(r1.checks_passed).toBe(0);
    expect(a.tally()?.[0]).toMatchObject({ total: 2, passed: 1, examples: [{ cell: 'c', prompt_id: 1, repeat: 0, answer: '7' }] });
  });

  it('does not check a failed request, and prices it only if it has token counts', () => {
    const a = createAssessor(loaded, plan);
    const r = record(0, { status: 'error', prompt_tokens: undefined, completion_tokens: undefined });
    expect(a.assess(r, answer(''), cell)).toBeUndefined();
    expect(r.checks_total).toBeUndefined();
    expect(r.cost).toBeUndefined();
  });

  it('counts warmups and reports the budget reached once the spent cost gets there', () => {
    const a = createAssessor(loaded, plan, { maxCost: 0.001 });
    a.warmup(record(0), cell);
    expect(a.budgetReached).toBeUndefined();
    a.assess(record(1), answer('6'), cell);
    expect(a.budgetReached).toBe('budget reached: spent 0.00102 USD of 0.001 USD; no further request was sent');
    expect(a.budget?.spent).toBeCloseTo(0.00102, 12);
  });
});

describe('budgetRefusal', () => {
  const loaded = load(SPEC);
  const plan = buildPlan(loaded);

  it('refuses when the estimate is over the budget; none without a budget', () => {
    // 4 requests x 10 output tokens x 100 per million = 0.004, plus a few prompt tokens.
    expect(budgetRefusal(loaded, plan)).toBeUndefined();
    expect(budgetRefusal(loaded, plan, { maxCost: 1 })).toBeUndefined();
    expect(budgetRefusal(loaded, plan, { maxCost: 0.001 })).toMatch(/^the estimated cost 0\.004\d* USD is over the budget of 0\.001 USD; not starting/);
  });

  it('on resume, counts what was spent and estimates only the missing requests', () => {
    const columns = new CellColumns();
    columns.push(record(0, { cost: 0.5 }));
    const resume: ResumeState = { columns: new Map([[plan.cells[0].id, columns]]), missing: new Map([[plan.cells[0].id, new Set([1, 2, 3])]]), next: new Map(), previous: new Map() };
    expect(budgetRefusal(loaded, plan, { maxCost: 0.5, resume })).toMatch(/\(0\.5 USD already spent \+ 0\.003\d* USD estimated\) is over the budget of 0\.5 USD/);
    expect(budgetRefusal(loaded, plan, { maxCost: 0.6, resume })).toBeUndefined();
  });
});
