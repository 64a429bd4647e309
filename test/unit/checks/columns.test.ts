import { describe, expect, it } from 'vitest';
import { columnProblems } from '../../../src/checks/columns.js';
import { checkSchema } from '../../../src/checks/schema.js';

const specs = (entries: Record<string, unknown>[]) => entries.map((e) => checkSchema.parse(e));
const rows = [
  { vars: { prompt: 'a', expected: '1' }, origin: 'd.jsonl:1' },
  { vars: { prompt: 'b', expected: 2 }, origin: 'd.jsonl:2' },
];

describe('columnProblems', () => {
  it('passes when every prompt has the column', () => {
    expect(columnProblems(specs([{ type: 'equals', column: 'expected' }, { type: 'json' }]), rows)).toEqual([]);
  });
  it('names a column no prompt has, with the nearest one', () => {
    expect(columnProblems(specs([{ type: 'json' }, { type: 'equals', column: 'expeted' }]), rows)).toEqual([
      { index: 1, path: ['column'], message: "no prompt has a column 'expeted' — did you mean 'expected'? (the prompts have: prompt, expected)" },
    ]);
    expect(columnProblems(specs([{ type: 'contains', column: 'x' }]), [{ origin: 'prompts[0]' }])[0].message).toBe(
      "no prompt has a column 'x' (the prompts have no dataset columns (give them in a .jsonl/.csv file, or vars: on an inline prompt))",
    );
  });
  it('names the first prompt that lacks it', () => {
    const some = [...rows, { vars: { prompt: 'c' }, origin: 'd.jsonl:3' }, { vars: { prompt: 'd', expected: null }, origin: 'd.jsonl:4' }];
    expect(columnProblems(specs([{ type: 'equals', column: 'expected' }]), some)[0].message).toBe(
      "column 'expected' is missing in 2 of 4 prompts (first: d.jsonl:3); every prompt needs a value for it",
    );
  });
});
