import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { builtinTokenizer } from '../../../src/tokenizers/builtin.js';
import { loadTokenizer } from '../../../src/tokenizers/load.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const at = 'sweep.yaml:4:14';
const load = (name: string, dir = ROOT) => loadTokenizer(name, { dir, at });
const message = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return (e as Error).message;
  }
  throw new Error('did not throw');
};

describe('built-in encodings', () => {
  it('o200k and cl100k count as OpenAI does, and decode what they encode', () => {
    expect(load('o200k').count('The quick brown fox jumps over the lazy dog.')).toBe(10);
    expect(load('cl100k').count('The quick brown fox jumps over the lazy dog.')).toBe(10);
    expect(load('o200k').count('日本語のテキスト')).toBe(6);
    expect(load('cl100k').count('日本語のテキスト')).not.toBe(6);
    const t = load('o200k_base');
    expect(t.name).toBe('o200k_base');
    expect(t.decode(t.encode('hello <|endoftext|> world'))).toBe('hello <|endoftext|> world');
    expect(t.vocabSize).toBeGreaterThan(199_000);
  });

  it('is loaded once per process', () => {
    expect(builtinTokenizer('o200k')).toBe(builtinTokenizer('o200k_base'));
  });
});

describe('tokenizer.json', () => {
  it('reads a Hugging Face tokenizer.json, by file or by folder', () => {
    const t = load('test/fixtures/tokenizers/tiny-bpe.json');
    expect(t.name).toBe('test/fixtures/tokenizers/tiny-bpe.json');
    const ids = t.encode(' The key value cache keeps tokens.');
    expect(t.decode(ids)).toBe(' The key value cache keeps tokens.');
    expect(t.count(' the cache')).toBe(2);
    expect(t.vocabSize).toBe(557);
    const dir = mkdtempSync(join(tmpdir(), 'llm-sweep-tok-'));
    copyFileSync(join(ROOT, 'test/fixtures/tokenizers/tiny-bpe.json'), join(dir, 'tokenizer.json'));
    expect(load(dir).count(' the cache')).toBe(2);
  });

  it('a missing file, bad JSON, a misspelt encoding: clear errors at the spec line', () => {
    expect(message(() => load('./models/llama3/tokenizer.json'))).toBe(
      "sweep.yaml:4:14: tokenizer file './models/llama3/tokenizer.json' not found; give the path of a tokenizer.json (or of the folder holding one), or a built-in encoding: o200k, cl100k",
    );
    const dir = mkdtempSync(join(tmpdir(), 'llm-sweep-tok-'));
    writeFileSync(join(dir, 'bad.json'), '{\n  "model": {\n    "type": "BPE",,\n  }\n}\n');
    expect(message(() => load('bad.json', dir))).toMatch(/^bad\.json:3:19: not valid JSON/);
    writeFileSync(join(dir, 'odd.json'), '{"model": {"type": "Nonsense"}}');
    expect(message(() => load('odd.json', dir))).toMatch(/^sweep.yaml:4:14: tokenizer 'odd.json' is not a tokenizer.json @huggingface\/tokenizers can read/);
    expect(message(() => load('o200'))).toBe(
      "sweep.yaml:4:14: tokenizer 'o200' is not a built-in encoding (o200k, cl100k) nor a path — did you mean 'o200k'?; give a tokenizer.json path such as ./models/llama3/tokenizer.json",
    );
  });

  it('counts a long run without whitespace in linear time', () => {
    const t = load('test/fixtures/tokenizers/tiny-bpe.json');
    const t0 = performance.now();
    expect(t.count('a'.repeat(100_000))).toBeGreaterThan(1000);
    expect(performance.now() - t0).toBeLessThan(10_000);
  });
});
