import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../../src/errors.js';
import { readTrace, traceSchema, traceSource, traceTotals } from '../../../../src/plan/workloads/trace.js';
import { localVocabulary } from '../../../../src/plan/workloads/vocabulary.js';
import { builtinTokenizer } from '../../../../src/tokenizers/builtin.js';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/workloads/', import.meta.url));
const ref = (file: string) => ({ path: join(FIXTURES, file), shown: file, at: 'sweep.yaml:6:11' });
const o200k = builtinTokenizer('o200k');
const vocab = localVocabulary(o200k);

describe('Mooncake trace replay', () => {
  it('reads the schedule and lengths; the speed-up divides the gaps', async () => {
    const trace = await readTrace(ref('mooncake-small.jsonl'));
    expect(trace.length).toBe(6);
    const source = traceSource({ trace, spec: traceSchema.parse({ file: 'x', speedup: 2 }), vocab, seed: 1, key: 'c' });
    expect(Array.from({ length: 6 }, (_, i) => source.dueMs(i))).toEqual([0, 20, 47.5, 47.5, 90, 130]);
    expect(traceTotals(trace)).toEqual({ inputTokens: 4920, outputTokens: 106 });
  });

  it('each prompt has input_length tokens; shared hash ids are shared text, so prefixes match', async () => {
    const trace = await readTrace(ref('mooncake-small.jsonl'));
    const source = traceSource({ trace, spec: traceSchema.parse({ file: 'x' }), vocab, seed: 1, key: 'c' });
    const ps = Array.from({ length: 6 }, (_, i) => source.prompt(i));
    expect(ps.map((p) => o200k.count(p.text))).toEqual([1100, 700, 1200, 300, 520, 1100]);
    expect(ps.map((p) => p.outputTokens)).toEqual([20, 12, 30, 8, 16, 20]);
    expect(ps[0].origin).toBe('mooncake-small.jsonl:1');
    const ids = ps.map((p) => o200k.encode(p.text));
    const common = (a: number[], b: number[]) => {
      let n = 0;
      while (n < a.length && a[n] === b[n]) n++;
      return n;
    };
    expect(common(ids[0], ids[2])).toBe(1100); // [0, 1, 2] is a prefix of [0, 1, 2, 4]
    expect(common(ids[0], ids[1])).toBe(512); // block 0 only
    expect(common(ids[0], ids[5])).toBe(1024); // blocks 0 and 1
    expect(common(ids[0], ids[3])).toBeLessThan(4); // nothing shared
  });

  it('the same seed gives the same text; another cell other text', async () => {
    const trace = await readTrace(ref('mooncake-small.jsonl'));
    const make = (key: string) => traceSource({ trace, spec: traceSchema.parse({ file: 'x' }), vocab, seed: 1, key });
    expect(make('a').prompt(2)).toEqual(make('a').prompt(2));
    expect(make('b').prompt(2).text).not.toBe(make('a').prompt(2).text);
  });

  it('timestamps going backwards: an error naming the line and the fix', async () => {
    const e = await readTrace(ref('mooncake-backwards.jsonl')).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(UserError);
    expect((e as Error).message).toBe(
      "mooncake-backwards.jsonl:3: timestamp 200 is before the previous row's 500: the trace goes back in time; sort it by timestamp (e.g. jq -s -c 'sort_by(.timestamp)[]')",
    );
  });

  it('a row without a length, or a missing file: clear errors', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'llm-sweep-trace-'));
    writeFileSync(join(dir, 't.jsonl'), '{"timestamp": 0, "input_length": 10, "output_length": 5}\n{"timestamp": 5, "input_len": 10, "output_length": 5}\n');
    const e = await readTrace({ path: join(dir, 't.jsonl'), shown: 't.jsonl', at: 'x' }).catch((err: unknown) => err);
    expect((e as Error).message).toBe('t.jsonl:2: "input_length" must be a whole number of tokens from 1 to 2,000,000, got undefined');
    const missing = await readTrace(ref('nope.jsonl')).catch((err: unknown) => err);
    expect((missing as Error).message).toBe("sweep.yaml:6:11: dataset file 'nope.jsonl' not found; paths are relative to the spec's folder");
  });
});
