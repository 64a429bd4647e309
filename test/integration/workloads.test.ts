/**
 * Workloads end to end: the real CLI against the bundled simulator, which counts prompt
 * tokens with the workload's tokenizer (o200k) and honours ignore_eos, so the test knows
 * the truth. One run per source, plus the same seed across runs and shards, resume of a
 * conversation, and bad input at validate time.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { REPO, runCli, tempDir, writeSpec } from '../helpers/cli.js';

const FIXTURES = join(REPO, 'test/fixtures/workloads');
const SIM = '{ ttft_ms: 2, prefill_ms_per_token: 0, itl_ms: 0.3, jitter: 0, max_batch: 64 }';

function rows(dir: string, file = 'requests.csv'): Record<string, string>[] {
  const [header, ...lines] = parse(readFileSync(join(dir, file), 'utf8')) as string[][];
  return lines.map((l) => Object.fromEntries(header.map((h, i) => [h, l[i]])));
}

/**
 * Every saved answer as `cell#prompt_id:text`, sorted. At temperature 0 the simulator's text
 * is a function of the prompt alone: equal answers, equal prompts.
 */
function answers(dir: string): string[] {
  return readFileSync(join(dir, 'responses.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { cell: string; prompt_id: number; text: string })
    .map((r) => `${r.cell}#${r.prompt_id}:${r.text}`)
    .sort();
}

function spec(body: string): string {
  return writeSpec(`name: w
target: { provider: openai-chat, base_url: builtin, simulator: ${SIM} }
params: { model: sim-7b, temperature: 0 }
${body}`);
}

async function run(path: string, ...extra: string[]): Promise<{ out: string; stderr: string; stdout: string }> {
  const out = tempDir();
  const r = await runCli(['run', path, '--out', out, '--quiet', ...extra]);
  expect(r.stderr.replace(/^warning: cell .*client may have limited.*\n/gm, '')).toBe('');
  expect(r.code).toBe(0);
  return { out, stderr: r.stderr, stdout: r.stdout };
}

// Each test runs the CLI (and the simulator) one to five times; a busy 2-core machine needs room.
describe('workloads against the bundled simulator', { timeout: 180_000 }, () => {
  it('{ fixed: 1024 } gives 1024 prompt tokens on every request, output_tokens 128 with ignore_eos gives 128', async () => {
    const { out } = await run(
      spec(`prompts:
  synthetic: { input_tokens: { fixed: 1024 }, output_tokens: 128 }
matrix: { concurrency: [4] }
requests: 24
`),
    );
    const rs = rows(out);
    expect(rs).toHaveLength(24);
    for (const r of rs) {
      expect(r.status).toBe('ok');
      expect(Math.abs(Number(r.prompt_tokens) - 1024)).toBeLessThanOrEqual(1024 * 0.01);
      expect(r.completion_tokens).toBe('128');
      expect(r.input_tokens_requested).toBe('1024');
      expect(r.output_tokens_requested).toBe('128');
      expect(r.repeat).toBe('0');
    }
    expect(rs.map((r) => r.prompt_id).sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: 24 }, (_, i) => String(i)));
    const [s] = rows(out, 'summary.csv');
    expect(s).toMatchObject({ prompt_tokens_mean: '1024', input_tokens_requested: '1024', completion_tokens_mean: '128', output_tokens_requested: '128' });
  });

  it('the same seed gives byte-identical prompts across runs and shards; distinct requests get distinct prompts', async () => {
    const path = spec(`prompts:
  synthetic: { input_tokens: { uniform: [20, 60] }, output_tokens: 12 }
matrix: { input_tokens: [{ uniform: [20, 60] }, 64] }
requests: 8
output: { save_responses: true }
`);
    const tokens = (dir: string) => rows(dir).map((r) => `${r.cell}#${r.prompt_id}:${r.prompt_tokens}`).sort();
    const a = await run(path);
    const b = await run(path);
    const s1 = await run(path, '--shard', '1/2');
    const s2 = await run(path, '--shard', '2/2');
    expect(answers(b.out)).toEqual(answers(a.out));
    expect([...answers(s1.out), ...answers(s2.out)].sort()).toEqual(answers(a.out));
    expect([...tokens(s1.out), ...tokens(s2.out)].sort()).toEqual(tokens(a.out));
    const texts = answers(a.out).map((x) => x.split(':').slice(1).join(':'));
    expect(new Set(texts).size).toBe(texts.length);
    const other = await run(path, '--set', 'seed=2');
    expect(answers(other.out)).not.toEqual(answers(a.out));
  });

  it('plan shows the tokens per cell before anything is sent', async () => {
    const path = spec(`prompts:
  synthetic: { input_tokens: 1024, output_tokens: 128 }
matrix: { input_tokens: [128, 1024] }
requests: 10
`);
    const r = await runCli(['plan', path]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('synthetic workload (o200k_base)');
    expect(r.stdout).toMatch(/│ 1 │ in=128\s+│ 128\s+│ 10\s+│ 0\s+│ 1,280\s+│ 1,280\s+│/);
    expect(r.stdout).toMatch(/│ 2 │ in=1024\s+│ 1024\s+│ 10\s+│ 0\s+│ 10,240\s+│ 1,280\s+│/);
    expect(r.stdout).toContain('workload tokens (recorded requests): input 11,520   output 2,560');
    const json = JSON.parse((await runCli(['plan', path, '--json'])).stdout);
    expect(json.cells[1].workload_tokens).toEqual({ inputTokens: 10240, outputTokens: 1280 });
  });

  it('a ShareGPT dataset: reference answer lengths, each cell its own rows', async () => {
    const { out } = await run(
      spec(`prompts:
  dataset: { file: ${join(FIXTURES, 'sharegpt-small.json')}, output_tokens: dataset }
matrix: { concurrency: [1, 2] }
requests: 3
`),
    );
    const rs = rows(out);
    expect(rs).toHaveLength(6);
    for (const r of rs) {
      expect(r.prompt_tokens).toBe(r.input_tokens_requested);
      expect(r.completion_tokens).toBe(r.output_tokens_requested);
    }
    // 6 eligible rows, 6 requests: no row twice.
    expect(new Set(rs.map((r) => r.input_tokens_requested + '/' + r.output_tokens_requested)).size).toBe(6);
  });

  it('shared prefixes: the prefix comes on top of input_tokens', async () => {
    const { out } = await run(
      spec(`prompts:
  synthetic: { input_tokens: 100, output_tokens: 4 }
  prefix: { tokens: 200, count: 2 }
matrix: { prefix_count: [1, 3] }
requests: 6
`),
    );
    for (const r of rows(out)) expect(r.prompt_tokens).toBe('300');
  });

  it('sweeps/prefix-cache.yaml shows what prefix caching buys: cached_tokens and a lower TTFT with one prefix', async () => {
    const { out } = await run(join(REPO, 'sweeps/prefix-cache.yaml'));
    const rs = rows(out);
    // One prefix: only the first `concurrency` (4) requests, sent before any prefill finished,
    // miss; every later one finds the 1,024 prefix tokens cached. 16 prefixes for 16 requests: no hits.
    const one = rs.filter((r) => r.prefix_count === '1');
    expect(one).toHaveLength(16);
    expect(one.filter((r) => r.cached_tokens === '1024').length).toBeGreaterThanOrEqual(12);
    for (const r of one) expect(['0', '1024']).toContain(r.cached_tokens);
    const sixteen = rs.filter((r) => r.prefix_count === '16');
    expect(sixteen).toHaveLength(16);
    for (const r of sixteen) expect(r.cached_tokens).toBe('0');
    const summary = new Map(rows(out, 'summary.csv').map((s) => [s.prefix_count, s]));
    expect(summary.get('1')?.cached_tokens_p50).toBe('1024');
    expect(summary.get('16')?.cached_tokens_p50).toBe('0');
    // The simulator's prefill is 0.5 ms a token: ~512 ms saved per hit, far beyond scheduling noise.
    const ttft = (k: string): number => Number(summary.get(k)?.ttft_ms_p50);
    expect(ttft('1')).toBeLessThan(ttft('16') * 0.6);
  });

  it('conversations: turns in order with the history, session and turn columns, TTFT by turn', async () => {
    const path = spec(`prompts:
  conversation: { turns: 3, input_tokens: 50, output_tokens: 20, think_time_ms: 5, sessions: 4 }
matrix: { concurrency: [2] }
`);
    const { out } = await run(path);
    const rs = rows(out);
    expect(rs).toHaveLength(12);
    for (const r of rs) {
      expect(r.session).toBe(r.prompt_id);
      expect(r.turn).toBe(r.repeat);
      // Turn t carries t earlier turns and answers: 50 + t x (50 + 20) tokens. The server
      // re-tokenizes its own answers, so they may count a few tokens more than they streamed.
      const want = 50 + Number(r.turn) * 70;
      expect(r.input_tokens_requested).toBe(String(want));
      expect(Number(r.prompt_tokens)).toBeGreaterThanOrEqual(want);
      expect(Number(r.prompt_tokens)).toBeLessThanOrEqual(want * 1.05);
      expect(r.completion_tokens).toBe('20');
    }
    const keys = rs.map((r) => `${r.session}/${r.turn}`);
    expect(new Set(keys).size).toBe(12);
    const run_ = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    expect(run_.cells[0].ttft_by_turn.map((t: { turn: number; count: number }) => [t.turn, t.count])).toEqual([
      [0, 4],
      [1, 4],
      [2, 4],
    ]);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('TTFT by turn');

    // Resume: drop some rows, and --resume sends exactly those turns again (replaying their sessions).
    const csv = readFileSync(join(out, 'requests.csv'), 'utf8').split('\n');
    const kept = [csv[0], ...csv.slice(1).filter((l, i) => l !== '' && i % 3 !== 1)];
    writeFileSync(join(out, 'requests.csv'), `${kept.join('\n')}\n`);
    expect(rows(out).length).toBeLessThan(12);
    const r = await runCli(['run', path, '--resume', out, '--quiet']);
    expect(r.code).toBe(0);
    const after = rows(out);
    expect(after.map((x) => `${x.session}/${x.turn}`).sort()).toEqual([...keys].sort());
    for (const x of after) expect(x.input_tokens_requested).toBe(String(50 + Number(x.turn) * 70));

    // A row for a session the cell does not have: the folder is refused, naming the row.
    const lines = readFileSync(join(out, 'requests.csv'), 'utf8').trimEnd().split('\n');
    const header = lines[0].split(',');
    const bogus = lines[1].split(',');
    bogus[header.indexOf('prompt_id')] = '9';
    bogus[header.indexOf('session')] = '9';
    writeFileSync(join(out, 'requests.csv'), `${[...lines, bogus.join(',')].join('\n')}\n`);
    const refused = await runCli(['run', path, '--resume', out, '--quiet']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("session 9, turn 0 is not a turn the cell's conversations have");
  });

  it('trace replay: on the trace schedule (speed-up applied), lengths from the trace, queue_ms recorded', async () => {
    const { out } = await run(
      spec(`prompts:
  trace: { file: ${join(FIXTURES, 'mooncake-small.jsonl')}, speedup: 2 }
`),
    );
    const rs = rows(out).sort((a, b) => Date.parse(a.started_at) - Date.parse(b.started_at));
    expect(rs).toHaveLength(6);
    expect(rs.map((r) => r.prompt_tokens).sort()).toEqual(['1100', '1100', '1200', '300', '520', '700']);
    for (const r of rs) {
      expect(r.completion_tokens).toBe(r.output_tokens_requested);
      expect(r.queue_ms).not.toBe('');
    }
    // Scheduled (sent - queue_ms) on the trace's clock: it spans 260 ms, 130 ms at speed-up 2.
    const scheduled = rs.map((r) => Date.parse(r.started_at) - Number(r.queue_ms)).sort((a, b) => a - b);
    expect(scheduled[5] - scheduled[0]).toBeGreaterThan(126);
    expect(scheduled[5] - scheduled[0]).toBeLessThan(134);
  });

  it('tokenizer: server calibrates on the server and hits the count it asked for', async () => {
    const { out } = await run(
      spec(`tokenizer: server
prompts:
  synthetic: { input_tokens: 333, output_tokens: 5 }
requests: 3
`),
    );
    for (const r of rows(out)) expect(r.prompt_tokens).toBe('333');
  });

  it('warns, naming the cell, when the server counts more than 5% off what the workload wrote', async () => {
    const out = tempDir();
    const path = writeSpec(`name: w
target: { provider: openai-chat, base_url: builtin, simulator: { ttft_ms: 2, itl_ms: 0.3, jitter: 0, tokenizer: cl100k } }
tokenizer: ${join(REPO, 'test/fixtures/tokenizers/tiny-bpe.json')}
params: { model: sim-7b }
prompts:
  synthetic: { input_tokens: 200, output_tokens: 4 }
matrix: { concurrency: [1] }
requests: 3
`);
    const r = await runCli(['run', path, '--out', out, '--quiet']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: cell c=1: the server counted [\d.]+ prompt tokens per request, the workload wrote 200 by .*tiny-bpe\.json \(\+\d+\.\d%\): a tokenizer other than the model's/);
  });
});

// The runner makes each workload prompt (and a conversation's history) on the main thread and
// sends it to a worker as data: the rows must be the ones one event loop gives.
describe('workloads on worker threads (workers: 2)', { timeout: 180_000 }, () => {
  it('a synthetic workload gives the same prompts, lengths and answers as workers: 1', async () => {
    const path = spec(`prompts:
  synthetic: { input_tokens: { uniform: [200, 400] }, output_tokens: 24 }
matrix: { concurrency: [4] }
requests: 16
warmup: 2
workers: 2
output: { save_responses: true }
`);
    const two = await run(path);
    const one = await run(path, '--workers', '1');
    const json = JSON.parse(readFileSync(join(two.out, 'run.json'), 'utf8'));
    expect(json.cells[0].client.workers).toBe(2);
    const rs = rows(two.out);
    expect(rs).toHaveLength(16);
    for (const r of rs) {
      expect(r.status).toBe('ok');
      expect(r.completion_tokens).toBe('24');
      expect(r.output_tokens_requested).toBe('24');
      // The simulator counts with the workload's tokenizer: what it got is what was written.
      expect(r.prompt_tokens).toBe(r.input_tokens_requested);
    }
    const lengths = (dir: string) => rows(dir).map((r) => `${r.prompt_id}:${r.input_tokens_requested}:${r.prompt_tokens}`).sort();
    expect(lengths(two.out)).toEqual(lengths(one.out));
    expect(answers(two.out)).toEqual(answers(one.out));
    expect(new Set(answers(two.out).map((x) => x.split(':').slice(1).join(':'))).size).toBe(16);
  });

  it('conversations carry their history turn after turn, and a trace keeps its lengths and schedule', async () => {
    const conv = await run(
      spec(`prompts:
  conversation: { turns: 3, input_tokens: 50, output_tokens: 20, think_time_ms: 5, sessions: 4 }
matrix: { concurrency: [2] }
workers: 2
`),
    );
    const turns = rows(conv.out);
    expect(turns).toHaveLength(12);
    expect(new Set(turns.map((r) => `${r.session}/${r.turn}`)).size).toBe(12);
    for (const r of turns) {
      const want = 50 + Number(r.turn) * 70;
      expect(r.input_tokens_requested).toBe(String(want));
      expect(Number(r.prompt_tokens)).toBeGreaterThanOrEqual(want);
      expect(Number(r.prompt_tokens)).toBeLessThanOrEqual(want * 1.05);
      expect(r.completion_tokens).toBe('20');
    }
    const trace = await run(
      spec(`prompts:
  trace: { file: ${join(FIXTURES, 'mooncake-small.jsonl')}, speedup: 2 }
workers: 2
`),
    );
    const rs = rows(trace.out);
    expect(rs.map((r) => r.prompt_tokens).sort()).toEqual(['1100', '1100', '1200', '300', '520', '700']);
    for (const r of rs) expect(r.completion_tokens).toBe(r.output_tokens_requested);
    // Scheduled on the trace's clock (260 ms at speed-up 2), whichever thread sent it.
    const scheduled = rs.map((r) => Date.parse(r.started_at) - Number(r.queue_ms)).sort((a, b) => a - b);
    expect(scheduled[5] - scheduled[0]).toBeGreaterThan(126);
    expect(scheduled[5] - scheduled[0]).toBeLessThan(134);
  });
});

describe('workload errors at validate time', { timeout: 120_000 }, () => {
  const problems = async (body: string, dir = tempDir()) => {
    const path = writeSpec(
      `name: w
target: { base_url: builtin }
params: { model: m }
${body}`,
      dir,
    );
    const r = await runCli(['validate', path]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
    return r.stderr.replaceAll(path, 'spec.yaml').trim().split('\n');
  };

  it('min > max and a reversed uniform, at their line', async () => {
    expect(
      await problems(`prompts:
  synthetic:
    input_tokens: { normal: { mean: 500, stddev: 100, min: 900, max: 300 } }
    output_tokens: { uniform: [50, 10] }
requests: 4
`),
    ).toEqual([
      'error: spec.yaml:6:60: prompts.synthetic.input_tokens.normal.min must be at most max (300); swap them, got 900',
      'error: spec.yaml:7:32: prompts.synthetic.output_tokens.uniform[0] must be at most the upper bound (10); write [low, high], got 50',
      '2 problems',
    ]);
  });

  it('a missing dataset file, a malformed row, a trace going back in time', async () => {
    const dir = tempDir();
    expect(await problems(`prompts:\n  dataset: { file: nope.jsonl }\nrequests: 4\n`, dir)).toEqual([
      `error: spec.yaml:5:20: dataset file '${join(dir, 'nope.jsonl')}' not found; paths are relative to the spec's folder`,
    ]);
    writeFileSync(join(dir, 'd.jsonl'), '{"prompt": "ok one"}\n{"prompt": "broken"\n');
    expect(await problems(`prompts:\n  dataset: { file: d.jsonl }\nrequests: 4\n`, dir)).toEqual([
      `error: ${join(dir, 'd.jsonl')}:2:20: not valid JSON (Expected ',' or '}' after property value); each line must be one JSON value`,
    ]);
    expect(await problems(`prompts:\n  trace: { file: ${join(FIXTURES, 'mooncake-backwards.jsonl')} }\n`)).toEqual([
      `error: ${join(FIXTURES, 'mooncake-backwards.jsonl')}:3: timestamp 200 is before the previous row's 500: the trace goes back in time; sort it by timestamp (e.g. jq -s -c 'sort_by(.timestamp)[]')`,
    ]);
  });

  it('input_tokens beyond what a dataset can give, a workload axis without a workload, a workload without requests', async () => {
    expect(await problems(`prompts:\n  dataset: { file: ${join(FIXTURES, 'sharegpt-small.json')}, min_tokens: 2000, max_input_tokens: 4000 }\nrequests: 4\n`)).toEqual([
      expect.stringMatching(
        /^error: spec.yaml:5:20: dataset '.*sharegpt-small.json': no row passes the filters \(prompts of at least 2000 and at most 4000 tokens, prompt plus answer at most 2048\); its prompts have 1 to \d+ tokens by o200k_base; widen min_tokens \/ max_input_tokens \/ max_total_tokens$/,
      ),
    ]);
    expect(await problems(`prompts: ["hi"]\nmatrix: { input_tokens: [128] }\n`)).toEqual([
      'error: spec.yaml:5:11: matrix.input_tokens sets a workload, but prompts is a list; write prompts: { synthetic: { input_tokens: ... } } (docs/workloads.md)',
    ]);
    expect(await problems(`prompts:\n  synthetic: { input_tokens: 10 }\n`)).toEqual([
      'error: spec.yaml:5:3: a synthetic workload needs requests: N (per cell) or duration_s',
    ]);
  });

  it('a missing tokenizer.json', async () => {
    expect(await problems(`tokenizer: ./models/llama/tokenizer.json\nprompts:\n  synthetic: { input_tokens: 10 }\nrequests: 2\n`)).toEqual([
      "error: spec.yaml:4:12: tokenizer file './models/llama/tokenizer.json' not found; give the path of a tokenizer.json (or of the folder holding one), or a built-in encoding: o200k, cl100k",
    ]);
  });
});
