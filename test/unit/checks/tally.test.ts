import { describe, expect, it } from 'vitest';
import { compileChecks } from '../../../src/checks/compile.js';
import { runChecks } from '../../../src/checks/run.js';
import { checkSchema } from '../../../src/checks/schema.js';
import { createTally, mergeTallies } from '../../../src/checks/tally.js';

const checks = compileChecks([{ type: 'equals', column: 'expected' }, { type: 'max-length', value: 3 }].map((e) => checkSchema.parse(e)), { dir: '.' }).checks;

describe('createTally', () => {
  it('counts per check and keeps failed answers as examples', () => {
    const tally = createTally(checks, { maxAnswerChars: 4 });
    const answers = ['42', '41', 'forty-two'];
    answers.forEach((text, i) => tally.add({ cell: 'c1', prompt_id: i, repeat: 0 }, runChecks(checks, { text }, { expected: '42' }), text));
    const [eq, len] = tally.result();
    expect(eq).toMatchObject({ name: 'equals column expected', total: 3, passed: 1 });
    expect(eq.examples).toEqual([
      { cell: 'c1', prompt_id: 1, repeat: 0, reason: 'is "41", not "42"', answer: '41' },
      { cell: 'c1', prompt_id: 2, repeat: 0, reason: 'is "forty-two", not "42"', answer: 'for…' },
    ]);
    expect(len).toMatchObject({ total: 3, passed: 2 });
  });
  it('keeps a bounded number of examples, spread over cells', () => {
    const tally = createTally(checks.slice(1), { maxExamples: 3 });
    const fail = runChecks(checks.slice(1), { text: 'long' }, {});
    for (let i = 0; i < 10; i++) tally.add({ cell: 'a', prompt_id: i, repeat: 0 }, fail, 'long');
    tally.add({ cell: 'b', prompt_id: 0, repeat: 0 }, fail, 'long');
    tally.add({ cell: 'c', prompt_id: 0, repeat: 0 }, fail, 'long');
    tally.add({ cell: 'd', prompt_id: 0, repeat: 0 }, fail, 'long');
    const [t] = tally.result();
    expect(t.total).toBe(13);
    expect(t.examples.map((e) => e.cell).sort()).toEqual(['a', 'b', 'c']);
  });
});

describe('mergeTallies', () => {
  const ex = (cell: string, prompt_id: number) => ({ cell, prompt_id, repeat: 0, reason: 'r', answer: 'a' });
  it('adds counts by check name and pools examples, one per cell first', () => {
    const a = [{ name: 'x', type: 'json', total: 10, passed: 7, examples: [ex('c1', 0), ex('c1', 1), ex('c1', 2)] }];
    const b = [
      { name: 'x', type: 'json', total: 5, passed: 5, examples: [] },
      { name: 'y', type: 'regex', total: 5, passed: 4, examples: [ex('c3', 0)] },
    ];
    const c = [{ name: 'x', type: 'json', total: 5, passed: 1, examples: [ex('c2', 0), ex('c2', 1), ex('c4', 0)] }];
    const m = mergeTallies([a, undefined, b, c])!;
    expect(m.map((t) => [t.name, t.total, t.passed])).toEqual([
      ['x', 20, 13],
      ['y', 5, 4],
    ]);
    expect(m[0].examples.map((e) => `${e.cell}/${e.prompt_id}`)).toEqual(['c1/0', 'c2/0', 'c4/0', 'c1/1', 'c1/2']);
    expect(mergeTallies([undefined, []])).toBeUndefined();
  });
});
