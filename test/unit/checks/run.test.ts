import { describe, expect, it } from 'vitest';
import { compileChecks } from '../../../src/checks/compile.js';
import { countPassed, runChecks } from '../../../src/checks/run.js';
import { checkSchema } from '../../../src/checks/schema.js';

const compile = (entries: Record<string, unknown>[]) => compileChecks(entries.map((e) => checkSchema.parse(e)), { dir: '.' }).checks;

describe('runChecks', () => {
  it('gives one verdict per check, in list order, and counts the passes', () => {
    const checks = compile([{ type: 'contains', value: '4' }, { type: 'regex', value: '^\\d+$' }, { type: 'max-length', value: 1 }]);
    const verdicts = runChecks(checks, { text: '42' }, {});
    expect(verdicts.map((v) => [v.name, v.pass])).toEqual([
      ['contains "4"', true],
      ['regex /^\\d+$/', true],
      ['max-length 1 chars', false],
    ]);
    expect(countPassed(verdicts)).toBe(2);
  });
  it('a check that throws on an odd answer fails with the reason, and the others still run', () => {
    const huge = Array.from({ length: 8000 }, (_, i) => `w${i}`).join(' ');
    const checks = compile([{ type: 'similar', column: 'ref', threshold: 0.1 }, { type: 'json' }]);
    const verdicts = runChecks(checks, { text: huge }, { ref: huge });
    expect(verdicts[0]).toMatchObject({ pass: false });
    expect(verdicts[0].reason).toMatch(/^check could not run: texts too long for ROUGE-L \(8000 x 8000 words/);
    expect(verdicts[1]).toMatchObject({ name: 'json', pass: false });
  });
  it('no checks, no verdicts', () => {
    expect(runChecks([], { text: 'x' }, {})).toEqual([]);
  });
});
