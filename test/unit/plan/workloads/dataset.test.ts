import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../../src/errors.js';
import { datasetSchema, datasetSource, sampleDataset, type DatasetSpec } from '../../../../src/plan/workloads/dataset.js';
import { makePrefixes } from '../../../../src/plan/workloads/prefix.js';
import { localVocabulary } from '../../../../src/plan/workloads/vocabulary.js';
import { builtinTokenizer } from '../../../../src/tokenizers/builtin.js';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/workloads/', import.meta.url));
const tokenizer = builtinTokenizer('o200k');
const ref = (file: string, chunkBytes?: number) => ({ path: join(FIXTURES, file), shown: file, at: 'sweep.yaml:5:11', chunkBytes });
const spec = (s: Partial<DatasetSpec> & { file: string }): DatasetSpec => datasetSchema.parse(s);
const sample = (s: Partial<DatasetSpec> & { file: string }, count = 100, seed = 1, chunkBytes?: number) =>
  sampleDataset(spec(s), { ref: ref(s.file, chunkBytes), tokenizer, seed, count });
const failure = async (p: Promise<unknown>) => {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(UserError);
  return (e as Error).message;
};

describe('ShareGPT', () => {
  it('first human turn is the prompt, the answer gives the output length; one-turn conversations are skipped', async () => {
    const s = await sample({ file: 'sharegpt-small.json', output_tokens: 'dataset' });
    expect(s.format).toBe('sharegpt');
    expect(s.scanned).toBe(8);
    // a3 has one turn; a5 ("Hi") has fewer than vLLM's 4 prompt tokens.
    expect(s.rows.map((r) => r.line).sort((a, b) => a - b)).toEqual([2, 11, 19, 37, 44, 51]);
    const kv = s.rows.find((r) => r.line === 2)!;
    expect(kv.prompt).toBe('What does a KV cache store, and why does it make decoding faster?');
    expect(kv.inputTokens).toBe(tokenizer.count(kv.prompt));
    expect(kv.outputTokens).toBe(
      tokenizer.count('It stores the attention keys and values of every token already processed, so each decoding step only computes them for the newest token instead of the whole sequence again.'),
    );
  });

  it('reads the same rows when the file arrives in tiny chunks (rows cut anywhere)', async () => {
    const whole = await sample({ file: 'sharegpt-small.json' });
    for (const chunk of [1, 7, 64]) expect(await sample({ file: 'sharegpt-small.json' }, 100, 1, chunk)).toEqual(whole);
  });

  it('samples with the seed: same seed same rows in the same order, another seed another order', async () => {
    const a = await sample({ file: 'sharegpt-small.json' }, 3, 1);
    expect(a.rows).toHaveLength(3);
    expect((await sample({ file: 'sharegpt-small.json' }, 3, 1)).rows).toEqual(a.rows);
    const orders = new Set<string>();
    for (let seed = 1; seed <= 8; seed++) orders.add((await sample({ file: 'sharegpt-small.json' }, 3, seed)).rows.map((r) => r.line).join(','));
    expect(orders.size).toBeGreaterThan(3);
  });

  it('max_input_tokens and max_total_tokens filter as vLLM does', async () => {
    const short = await sample({ file: 'sharegpt-small.json', max_input_tokens: 10 });
    expect(short.rows.every((r) => r.inputTokens <= 10)).toBe(true);
    expect(short.rows.length).toBeLessThan(6);
    const total = await sample({ file: 'sharegpt-small.json', max_total_tokens: 40, output_tokens: 'dataset' });
    expect(total.rows.every((r) => r.inputTokens + r.outputTokens! <= 40)).toBe(true);
  });

  it('a malformed element is an error at file:line:col', async () => {
    expect(await failure(sample({ file: 'bad-sharegpt.json' }))).toMatch(/^bad-sharegpt\.json:3:54: not valid JSON \(.*\) in the element that starts on line 3$/);
  });

  it('filters that leave nothing say what the file has', async () => {
    expect(await failure(sample({ file: 'sharegpt-small.json', min_tokens: 500 }))).toMatch(
      /^sweep.yaml:5:11: dataset 'sharegpt-small.json': no row passes the filters \(prompts of at least 500 and at most 1024 tokens, prompt plus answer at most 2048\); its prompts have 1 to 1\d tokens by o200k_base; widen/,
    );
  });
});

describe('JSONL and CSV', () => {
  it('JSONL: the text field, and an output-length field as a number', async () => {
    const s = await sample({ file: 'prompts.jsonl', output: 'output_len', output_tokens: 'dataset' });
    expect(s.rows.map((r) => [r.line, r.outputTokens]).sort((a, b) => a[0]! - b[0]!)).toEqual([
      [1, 64],
      [2, 32],
      [3, 48],
      [5, 16],
      [6, 80],
    ]);
  });

  it('CSV: chosen columns, the answer as text counted in tokens, quoted newlines', async () => {
    const s = await sample({ file: 'qa.csv', text: 'question', output: 'answer', output_tokens: 'dataset' });
    const rows = [...s.rows].sort((a, b) => a.prompt.localeCompare(b.prompt));
    expect(rows.map((r) => r.prompt)).toEqual(['What is goodput?', 'What is ITL?', 'What is TTFT?']);
    expect(rows[1].outputTokens).toBe(tokenizer.count('The gap between two tokens,\r\nmeasured per pair.'));
  });

  it('a misspelt column suggests the nearest; a line that is not JSON names file:line:col', async () => {
    expect(await failure(sample({ file: 'qa.csv', text: 'questoin' }))).toBe(
      'qa.csv:2: no column "questoin" (found "question", "answer") — did you mean "question"?; name the column with text: (and output:) in the spec',
    );
    expect(await failure(sample({ file: 'bad.jsonl' }))).toMatch(/^bad\.jsonl:2:37: not valid JSON \(.*\); each line must be one JSON value$/);
  });

  it('a missing file or an unknown extension is an error at the spec line', async () => {
    expect(await failure(sample({ file: 'nope.jsonl' }))).toBe("sweep.yaml:5:11: dataset file 'nope.jsonl' not found; paths are relative to the spec's folder");
    expect(await failure(sample({ file: 'nope.parquet' }))).toMatch(/^sweep.yaml:5:11: dataset file 'nope.parquet' has extension '.parquet'; use .json \(ShareGPT\), .jsonl or .csv/);
  });

  it('output_tokens: dataset needs an output column', async () => {
    expect(await failure(sample({ file: 'prompts.jsonl', output_tokens: 'dataset' }))).toMatch(/no row of it has a reference answer or an output length/);
  });
});

describe('dataset source', () => {
  it('maps requests to rows through the offset, with the origin and the prefix', async () => {
    const s = await sample({ file: 'prompts.jsonl', output: 'output_len', output_tokens: 'dataset' });
    const vocab = localVocabulary(tokenizer);
    const prefixes = makePrefixes({ tokens: 32, count: 2 }, vocab, 1, 'k');
    const source = datasetSource({ sample: s, shown: 'prompts.jsonl', rowOf: (i) => i + 2, output: 'dataset', seed: 1, key: 'k', prefixes });
    const p = source.prompt(0);
    expect(p.origin).toBe(`prompts.jsonl:${s.rows[2].line}`);
    expect(p.text.endsWith(` ${s.rows[2].prompt}`)).toBe(true);
    expect(p.inputTokens).toBe(s.rows[2].inputTokens + 32);
    expect(Math.abs(tokenizer.count(p.text) - p.inputTokens!)).toBeLessThanOrEqual(1);
    expect(p.outputTokens).toBe(s.rows[2].outputTokens);
    expect(source.prompt(s.rows.length).origin).toBe(p.origin); // wraps around
  });
});

describe('big files', () => {
  it('samples a 50,000-line JSONL without holding it (only the sample is kept)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'llm-sweep-ds-'));
    const file = join(dir, 'big.jsonl');
    const lines: string[] = [];
    for (let i = 0; i < 50_000; i++) lines.push(JSON.stringify({ prompt: `request number ${i} about the kv cache`, n: i }));
    writeFileSync(file, lines.join('\n'));
    const s = await sampleDataset(spec({ file }), { ref: { path: file, shown: 'big.jsonl', at: 'x' }, tokenizer, seed: 3, count: 100 });
    expect(s.scanned).toBe(50_000);
    expect(s.rows).toHaveLength(100);
    // A uniform sample: its rows come from all over the file.
    const lineNos = s.rows.map((r) => r.line);
    expect(Math.min(...lineNos)).toBeLessThan(5_000);
    expect(Math.max(...lineNos)).toBeGreaterThan(45_000);
  });
});

describe('packed rows', () => {
  it('cross a thread boundary as buffers and read back the same rows', async () => {
    const { packRows, transferables, unpackRows } = await import('../../../../src/plan/workloads/packed-rows.js');
    const rows = [
      { line: 3, prompt: 'héllo wörld 日本', inputTokens: 5, outputTokens: 7 },
      { line: 9, prompt: '', inputTokens: 0, outputTokens: undefined },
      { line: 12, prompt: 'last 😀', inputTokens: 3, outputTokens: 1, turns: ['last 😀', 'answer'] },
    ];
    const packed = packRows(rows);
    expect(transferables(packed)).toHaveLength(5);
    const back = unpackRows(structuredClone(packed));
    expect(back.length).toBe(3);
    expect([0, 1, 2].map((i) => back.at(i))).toEqual([{ ...rows[0], turns: undefined }, { ...rows[1], turns: undefined }, rows[2]]);
    expect(back.at(3)).toBeUndefined();
  });
});
