import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { collectPrompts, messagesText, readPromptFile, resolvePrompts } from '../../../src/plan/prompts.js';
import { load, problems } from '../spec/helpers.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/prompts/', import.meta.url));
const ctx = { dir: FIXTURES, locate: (i: number, key?: string) => `sweep.yaml:prompts[${i}]${key ? `.${key}` : ''}` };
const texts = (file: string) => readPromptFile(file, FIXTURES).map((p) => messagesText(p.messages));

describe('prompt files', () => {
  it('.txt: one prompt per line; BOM, CRLF and blank lines handled', () => {
    const prompts = readPromptFile('questions.txt', FIXTURES);
    expect(prompts.map((p) => p.messages)).toEqual([
      [{ role: 'user', content: 'What is a KV cache?' }],
      [{ role: 'user', content: 'Explain speculative decoding.' }],
      [{ role: 'user', content: 'Why is prefill compute-bound?' }],
    ]);
    expect(prompts.map((p) => p.origin)).toEqual(['questions.txt:1', 'questions.txt:4', 'questions.txt:5']);
  });

  it('.jsonl: prompt, messages or a bare string per line; BOM, CRLF and blank lines handled', () => {
    const prompts = readPromptFile('chat.jsonl', FIXTURES);
    expect(prompts.map((p) => p.messages)).toEqual([
      [{ role: 'user', content: 'Summarise PagedAttention.' }],
      [
        { role: 'system', content: 'Be terse.' },
        { role: 'user', content: 'What is TTFT?' },
      ],
      [{ role: 'user', content: 'A bare JSON string is a prompt too.' }],
      [{ role: 'user', content: 'Extra fields are ignored.' }],
    ]);
    expect(prompts.map((p) => p.origin)).toEqual(['chat.jsonl:1', 'chat.jsonl:3', 'chat.jsonl:4', 'chat.jsonl:5']);
  });

  it('.csv: the prompt column; BOM, CRLF, quoted newlines, empty prompts skipped', () => {
    expect(texts('prompts.csv')).toEqual(['Name three GPU vendors.', 'Write two lines:\r\nfirst, then second.', 'Last one.']);
    expect(readPromptFile('prompts.csv', FIXTURES).map((p) => p.origin)).toEqual([
      'prompts.csv:2',
      'prompts.csv:3',
      'prompts.csv:7',
    ]);
  });

  it('reports every bad .jsonl line as file:line:col', () => {
    const r = collectPrompts([{ file: 'bad.jsonl' }], ctx);
    expect(r.problems).toEqual([
      `bad.jsonl:3:27: not valid JSON: Expected ',' or '}' after property value; each line must be one JSON value`,
      `bad.jsonl:4:1: each line needs "prompt" (non-empty text) or "messages" (a list of {role, content}); found "promt" — did you mean "prompt"?`,
      `bad.jsonl:5:1: messages[0] needs a "role" (system, user, assistant, ...)`,
    ]);
    expect(r.prompts.map((p) => p.origin)).toEqual(['bad.jsonl:1', 'bad.jsonl:6']);
  });

  it('names a missing file at the spec line of its file: entry', () => {
    expect(collectPrompts(['inline', { file: 'nope.txt' }], ctx).problems).toEqual([
      "sweep.yaml:prompts[1].file: prompt file 'nope.txt' not found (looked for nope.txt); paths are relative to the spec's folder",
    ]);
  });

  it('rejects a file without prompts, a CSV without a prompt column, and unknown extensions', () => {
    expect(collectPrompts([{ file: 'blank.txt' }], ctx).problems).toEqual([
      "sweep.yaml:prompts[0].file: prompt file 'blank.txt' has no prompts (blank lines are skipped)",
    ]);
    expect(collectPrompts([{ file: 'no-prompt-column.csv' }], ctx).problems).toEqual([
      "no-prompt-column.csv:1:1: no 'prompt' column (the header has: question, answer); the first line must name the columns",
    ]);
    expect(collectPrompts([{ file: '.gitattributes' }], ctx).problems).toEqual([
      "sweep.yaml:prompts[0].file: prompt file '.gitattributes' has extension '(none)'; use .txt (one prompt per line), .jsonl or .csv",
    ]);
  });

  it('caps the problems listed for one file', () => {
    const found = problems(`name: t
target: { base_url: "http://127.0.0.1:8000/v1" }
prompts: [{ file: p.jsonl }]
`, { files: { 'p.jsonl': '[1]\n'.repeat(30) } });
    expect(found).toHaveLength(11);
    expect(found[0]).toMatch(/^p\.jsonl:1:1: each line needs "prompt"/);
    expect(found[10]).toBe('p.jsonl: ... and 20 more problems in this file');
  });

  it('resolvePrompts throws one UserError with every problem', () => {
    try {
      resolvePrompts([{ file: 'bad.jsonl' }, { file: 'nope.txt' }], ctx);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(UserError);
      expect((e as UserError).problems).toHaveLength(4);
    }
  });
});

describe('prompts in a spec', () => {
  it('numbers inline prompts, chat arrays and file prompts in order, relative to the spec folder', () => {
    const loaded = load(
      `name: t
target: { base_url: "http://127.0.0.1:8000/v1" }
prompts:
  - "inline"
  - { prompt: "as a mapping" }
  - { messages: [{ role: system, content: "terse" }, { role: user, content: "hi" }] }
  - { file: data/q.txt }
`,
      { files: { 'data/q.txt': 'one\ntwo\n' } },
    );
    expect(loaded.prompts!.map((p) => [p.id, p.text, p.origin])).toEqual([
      [0, 'inline', 'prompts[0]'],
      [1, 'as a mapping', 'prompts[1]'],
      [2, 'terse\nhi', 'prompts[2]'],
      [3, 'one', 'data/q.txt:1'],
      [4, 'two', 'data/q.txt:2'],
    ]);
  });

  it('reports a bad .jsonl line and a missing file together with the spec problems', () => {
    expect(
      problems(
        `name: t
target: { base_url: "http://127.0.0.1:8000/v1" }
prompts:
  - file: p.jsonl
  - file: missing.csv
requests: 0
`,
        { files: { 'p.jsonl': '{"prompt": "ok"}\n{oops}\n' } },
      ),
    ).toEqual([
      "sweep.yaml:5:11: prompt file 'missing.csv' not found (looked for missing.csv); paths are relative to the spec's folder",
      'sweep.yaml:6:11: requests must be a whole number of at least 1, got 0',
      `p.jsonl:2:2: not valid JSON: Expected property name or '}'; each line must be one JSON value`,
    ]);
  });

  it('checks inline chat messages', () => {
    expect(
      problems(`name: t
target: { base_url: "http://127.0.0.1:8000/v1" }
prompts:
  - { messages: [{ role: user }] }
  - { messages: [{ content: hi }] }
`),
    ).toEqual([
      "sweep.yaml:4:18: missing required key 'content' in prompts[0].messages[0] — Text, or the provider's content parts (a list).",
      "sweep.yaml:5:18: missing required key 'role' in prompts[1].messages[0] — system, user, assistant, tool, ...",
    ]);
  });
});
