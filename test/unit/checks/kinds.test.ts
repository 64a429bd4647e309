import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileChecks } from '../../../src/checks/compile.js';
import { checkSchema, type CheckSpec } from '../../../src/checks/schema.js';
import type { Answer, PromptVars, Verdict } from '../../../src/checks/types.js';

const dir = mkdtempSync(join(tmpdir(), 'llm-sweep-checks-'));

/** Parses one spec entry as the spec would, compiles it, and runs it on one answer. */
function check(entry: Record<string, unknown>, answer: string | Answer, vars: PromptVars = {}): Verdict {
  const spec: CheckSpec = checkSchema.parse(entry);
  const { checks, problems } = compileChecks([spec], { dir });
  expect(problems).toEqual([]);
  return checks[0].run(typeof answer === 'string' ? { text: answer } : answer, vars);
}

function problemsOf(entry: Record<string, unknown>): string[] {
  return compileChecks([checkSchema.parse(entry)], { dir }).problems.map((p) => `${p.path.join('.')}: ${p.message}`);
}

describe('contains / icontains / not-contains', () => {
  it('contains is case-sensitive', () => {
    expect(check({ type: 'contains', value: 'Paris' }, 'It is Paris.')).toEqual({ name: 'contains "Paris"', pass: true, reason: undefined, score: undefined });
    expect(check({ type: 'contains', value: 'Paris' }, 'it is paris.')).toMatchObject({ pass: false, reason: 'does not contain "Paris"' });
  });
  it('icontains ignores case, including ß', () => {
    expect(check({ type: 'icontains', value: 'PARIS' }, 'it is paris.').pass).toBe(true);
    expect(check({ type: 'icontains', value: 'STRASSE' }, 'die Straße').pass).toBe(true);
    expect(check({ type: 'icontains', value: 'Rome' }, 'it is paris.')).toMatchObject({ pass: false, reason: 'does not contain "Rome" (any case)' });
  });
  it('not-contains fails on the value', () => {
    expect(check({ type: 'not-contains', value: 'As an AI' }, 'Paris.').pass).toBe(true);
    expect(check({ type: 'not-contains', value: 'As an AI' }, 'As an AI, I think Paris.')).toMatchObject({ pass: false, reason: 'contains "As an AI"' });
  });
  it('numbers in YAML are compared as text', () => {
    expect(check({ type: 'contains', value: 42 }, 'The answer is 42.').pass).toBe(true);
  });
});

describe('equals / starts-with', () => {
  it('equals trims by default', () => {
    expect(check({ type: 'equals', value: '42' }, ' 42\n').pass).toBe(true);
    expect(check({ type: 'equals', value: '42' }, '42.')).toMatchObject({ pass: false, reason: 'is "42.", not "42"' });
    expect(check({ type: 'equals', value: '42', trim: false }, ' 42').pass).toBe(false);
  });
  it('starts-with skips leading whitespace of the answer', () => {
    expect(check({ type: 'starts-with', value: 'Yes' }, '\n Yes, it is.').pass).toBe(true);
    expect(check({ type: 'starts-with', value: 'Yes' }, 'No, Yes.')).toMatchObject({ pass: false, reason: 'starts with "No, Yes.", not "Yes"' });
  });
});

describe('regex', () => {
  it('matches anywhere, with flags', () => {
    expect(check({ type: 'regex', value: '^\\d+$' }, '1234').pass).toBe(true);
    expect(check({ type: 'regex', value: '^\\d+$' }, '12a')).toMatchObject({ pass: false, reason: 'no match for /^\\d+$/' });
    expect(check({ type: 'regex', value: 'paris', flags: 'i' }, 'PARIS').pass).toBe(true);
  });
  it('a g flag does not carry lastIndex from one answer to the next', () => {
    const { checks } = compileChecks([checkSchema.parse({ type: 'regex', value: 'a', flags: 'g' })], { dir });
    expect(checks[0].run({ text: 'xa' }, {}).pass).toBe(true);
    expect(checks[0].run({ text: 'a' }, {}).pass).toBe(true);
  });
  it('an invalid pattern is a problem before the run', () => {
    expect(problemsOf({ type: 'regex', value: '(unclosed' })).toEqual(['value: invalid regular expression "(unclosed": /(unclosed/: Unterminated group']);
  });
  it('an invalid pattern in a dataset column fails that answer with the reason', () => {
    const v = check({ type: 'regex', column: 'pattern' }, 'x', { pattern: '[' });
    expect(v.pass).toBe(false);
    expect(v.reason).toMatch(/^check could not run: invalid regular expression "\[": /);
    expect(check({ type: 'regex', column: 'pattern' }, 'abc', { pattern: 'b' }).pass).toBe(true);
  });
});

describe('json / json-schema', () => {
  const schema = { type: 'object', required: ['answer'], properties: { answer: { type: 'number' } }, additionalProperties: false };
  it('json passes on JSON, fails on prose', () => {
    expect(check({ type: 'json' }, ' {"a": [1, 2]}\n').pass).toBe(true);
    expect(check({ type: 'json' }, 'Sure! {"a": 1}').reason).toMatch(/^not JSON: /);
  });
  it('json-schema validates the parsed answer', () => {
    expect(check({ type: 'json-schema', schema }, '{"answer": 42}').pass).toBe(true);
    expect(check({ type: 'json-schema', schema }, '{"answer": "42"}')).toMatchObject({ pass: false, reason: 'schema: answer/answer must be number' });
    expect(check({ type: 'json-schema', schema }, '{}')).toMatchObject({ pass: false, reason: "schema: answer must have required property 'answer'" });
    expect(check({ type: 'json-schema', schema }, 'no').reason).toMatch(/^not JSON: /);
  });
  it('validates formats (ajv-formats) and honours $schema draft-07', () => {
    const email = { type: 'string', format: 'email' };
    expect(check({ type: 'json-schema', schema: email }, '"a@b.org"').pass).toBe(true);
    expect(check({ type: 'json-schema', schema: email }, '"not an email"').pass).toBe(false);
    const d7 = { $schema: 'http://json-schema.org/draft-07/schema#', type: 'array', items: [{ type: 'number' }], additionalItems: false };
    expect(check({ type: 'json-schema', schema: d7 }, '[1]').pass).toBe(true);
    expect(check({ type: 'json-schema', schema: d7 }, '[1, 2]').pass).toBe(false);
  });
  it('reads schema_file relative to the spec folder', () => {
    writeFileSync(join(dir, 'answer.schema.json'), JSON.stringify(schema));
    expect(check({ type: 'json-schema', schema_file: 'answer.schema.json' }, '{"answer": 1}')).toMatchObject({ name: 'json-schema answer.schema.json', pass: true });
  });
  it('reports invalid schemas, typos of keywords and missing files before the run', () => {
    expect(problemsOf({ type: 'json-schema', schema: { type: 'nope' } })[0]).toMatch(/^schema: invalid JSON Schema: schema is invalid: data\/type must be equal to one of the allowed values/);
    expect(problemsOf({ type: 'json-schema', schema: { type: 'object', requried: ['a'] } })).toEqual(['schema: invalid JSON Schema: strict mode: unknown keyword: "requried"']);
    expect(problemsOf({ type: 'json-schema', schema: { $schema: 'http://json-schema.org/draft-04/schema#' } })[0]).toMatch(/is not a draft this tool validates/);
    expect(problemsOf({ type: 'json-schema', schema_file: 'missing.json' })).toEqual([
      "schema_file: JSON Schema file 'missing.json': not found (paths are relative to the spec's folder)",
    ]);
    writeFileSync(join(dir, 'bad.json'), '{ nope');
    expect(problemsOf({ type: 'json-schema', schema_file: 'bad.json' })[0]).toMatch(/^schema_file: JSON Schema file 'bad.json' is not JSON: /);
    expect(problemsOf({ type: 'json-schema' })).toEqual([': give the JSON Schema as schema (inline) or schema_file (a .json file), one of the two']);
  });
  it('two checks with the same $id compile independently', () => {
    const a = { $id: 'https://example.com/answer.json', type: 'number' };
    const b = { $id: 'https://example.com/answer.json', type: 'string' };
    const { checks, problems } = compileChecks([checkSchema.parse({ type: 'json-schema', schema: a }), checkSchema.parse({ type: 'json-schema', schema: b })], { dir });
    expect(problems).toEqual([]);
    expect(checks.map((c) => c.run({ text: '1' }, {}).pass)).toEqual([true, false]);
  });
});

describe('max-length / min-length', () => {
  it('counts characters as code points', () => {
    expect(check({ type: 'max-length', value: 3 }, 'a😀b').pass).toBe(true);
    expect(check({ type: 'max-length', value: 3 }, 'abcd')).toMatchObject({ pass: false, reason: '4 chars (most 3)' });
    expect(check({ type: 'min-length', value: 5 }, 'abcd')).toMatchObject({ pass: false, reason: '4 chars (least 5)' });
    expect(check({ type: 'min-length', value: 4 }, 'abcd').pass).toBe(true);
  });
  it('counts tokens with the built-in estimate, or the counter it is given', () => {
    // o200k_base: "Hello world" is two tokens.
    expect(check({ type: 'max-length', value: 2, unit: 'tokens' }, 'Hello world').pass).toBe(true);
    expect(check({ type: 'max-length', value: 1, unit: 'tokens' }, 'Hello world')).toMatchObject({ pass: false, reason: '2 tokens (most 1)' });
    const { checks } = compileChecks([checkSchema.parse({ type: 'min-length', value: 3, unit: 'tokens' })], { dir, countTokens: (t) => t.split(' ').length });
    expect(checks[0].run({ text: 'a b c' }, {}).pass).toBe(true);
  });
});

describe('finish-reason', () => {
  it('passes on one of the values', () => {
    expect(check({ type: 'finish-reason', value: 'stop' }, { text: 'x', finishReason: 'stop' }).pass).toBe(true);
    expect(check({ type: 'finish-reason', value: ['stop', 'end_turn'] }, { text: 'x', finishReason: 'end_turn' }).pass).toBe(true);
    expect(check({ type: 'finish-reason', value: 'stop' }, { text: 'x', finishReason: 'length' })).toMatchObject({ pass: false, reason: 'finish_reason length, not stop' });
    expect(check({ type: 'finish-reason', value: 'stop' }, { text: 'x' })).toMatchObject({ pass: false, reason: 'the server sent no finish_reason' });
  });
});

describe('similar', () => {
  it('rouge-l against a value', () => {
    // LCS of "the cat sat on the mat" and "the cat was on the mat" is 5 words: 2*5/12.
    const v = check({ type: 'similar', value: 'the cat was on the mat', threshold: 0.8 }, 'The cat sat on the mat.');
    expect(v.pass).toBe(true);
    expect(v.score).toBeCloseTo(10 / 12, 12);
    expect(check({ type: 'similar', value: 'the cat was on the mat', threshold: 0.9 }, 'The cat sat on the mat.')).toMatchObject({ pass: false, reason: 'rouge-l 0.833 < 0.9' });
  });
  it('f1 against a column', () => {
    const v = check({ type: 'similar', column: 'reference', metric: 'f1', threshold: 0.5 }, 'Paris is the capital', { reference: 'the capital is Paris' });
    expect(v.score).toBe(1);
    expect(v.name).toBe('similar f1 >= 0.5 to column reference');
  });
});

describe('per-prompt values and what is read', () => {
  it('takes the value from the prompt column, any type as text', () => {
    expect(check({ type: 'equals', column: 'expected' }, '42', { expected: 42 }).pass).toBe(true);
    expect(check({ type: 'equals', column: 'expected' }, '41', { expected: 42 }).pass).toBe(false);
    expect(check({ type: 'equals', column: 'expected' }, '41', {})).toMatchObject({ pass: false, reason: "the prompt has no value in column 'expected'" });
  });
  it('needs value or column, one of the two', () => {
    expect(problemsOf({ type: 'contains' })).toEqual([': give contains a value (the same for every prompt) or a column (a dataset column, per prompt), one of the two']);
    expect(problemsOf({ type: 'contains', value: 'a', column: 'b' })[0]).toMatch(/^column: /);
  });
  it('reads the answer only, unless asked', () => {
    const answer = { text: '42', reasoning: 'I think Paris... no, 42' };
    expect(check({ type: 'not-contains', value: 'Paris' }, answer).pass).toBe(true);
    expect(check({ type: 'not-contains', value: 'Paris', in: 'both' }, answer).pass).toBe(false);
    expect(check({ type: 'contains', value: 'Paris', in: 'reasoning' }, answer).pass).toBe(true);
    expect(check({ type: 'contains', value: 'Paris', in: 'reasoning' }, { text: 'Paris' }).pass).toBe(false);
  });
});

describe('names', () => {
  it('makes default names unique and refuses a repeated given name', () => {
    const specs = [{ type: 'json' }, { type: 'json' }].map((e) => checkSchema.parse(e));
    expect(compileChecks(specs, { dir }).checks.map((c) => c.name)).toEqual(['json', 'json #2']);
    const named = [{ type: 'json', name: 'x' }, { type: 'contains', value: 'a', name: 'x' }].map((e) => checkSchema.parse(e));
    expect(compileChecks(named, { dir }).problems).toEqual([{ index: 1, path: ['name'], message: "two checks are named 'x'; give each its own name" }]);
  });
});
