/**
 * The CI gate end to end with the real CLI: thresholds during `run`, `compare` on the
 * fixture result pairs, and `merge` of shards run as separate processes against a fake
 * OpenAI-compatible server on 127.0.0.1.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { parseRequestsCsv } from '../../src/results/read-requests.js';
import { runCli, tempDir, writeSpec } from '../helpers/cli.js';
import { startFakeServer, streamChat, type FakeServer } from '../helpers/fake-openai.js';

let server: FakeServer;
beforeAll(async () => {
  // Longer answers for larger max_tokens, so cells differ in their rows.
  server = await startFakeServer((req, res) => {
    const n = Math.min(Number(req.body.max_tokens ?? 4), 6);
    const wantUsage = Boolean((req.body.stream_options as { include_usage?: boolean } | undefined)?.include_usage);
    return streamChat(res, { ttftMs: 5, itlMs: 2, tokens: Array.from({ length: n }, (_, i) => `t${i} `), usage: 'separate' }, wantUsage);
  });
});
afterAll(() => server.close());

function spec(extra = '', matrix = '  temperature: [0, 0.5]'): string {
  return `name: gate
target:
  provider: openai-chat
  base_url: ${server.baseUrl}
  retry: { retries: 0 }
prompts: ["Say hello.", "Count to three."]
params: { model: fake }
matrix:
${matrix}
requests: 4
${extra}
`;
}

const read = (dir: string, f: string) => readFileSync(join(dir, f), 'utf8');

/** summary.csv columns by name, one object per cell. */
function summaryRows(dir: string, columns: string[]): Record<string, string>[] {
  const [header, ...rows] = parse(read(dir, 'summary.csv')) as string[][];
  return rows.map((row) => Object.fromEntries(columns.map((c) => [c, row[header.indexOf(c)]])));
}

describe('thresholds in run', () => {
  it('exits 1 and names the cell, the threshold and the measured value', async () => {
    const dir = tempDir();
    const file = writeSpec(
      spec(`thresholds:
  error_rate: "< 1%"
  latency_ms.p95: "< 1"
  ttft_ms.p50{temperature:0.5}: ["> 0", "< 100000"]
`),
      dir,
    );
    const out = join(dir, 'out');
    const r = await runCli(['run', file, '--out', out, '--quiet']);
    expect(r.code).toBe(1);
    // A loaded machine may add a client-bound warning; the verdict lines are what is pinned.
    const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('warning:'));
    expect(lines, r.stderr).toHaveLength(3);
    expect(lines[0]).toMatch(/^threshold failed: cell t=0: latency_ms\.p95: < 1 — measured \d+(\.\d+)?$/);
    expect(lines[1]).toMatch(/^threshold failed: cell t=0\.5: latency_ms\.p95: < 1 — measured \d+(\.\d+)?$/);
    expect(lines[2]).toBe('2 threshold checks failed in 2 cells');
    expect(r.stdout).toMatch(/verdict/);
    expect(r.stdout).toMatch(/FAIL/);
    expect(summaryRows(out, ['threshold']).map((r) => r.threshold)).toEqual(['fail', 'fail']);
    const run = JSON.parse(read(out, 'run.json')) as { thresholds: { cell: string; threshold: string; status: string; value: number }[] };
    expect(run.thresholds.map((t) => `${t.cell} ${t.threshold} ${t.status}`)).toEqual([
      't=0 error_rate: < 1% pass',
      't=0 latency_ms.p95: < 1 fail',
      't=0.5 error_rate: < 1% pass',
      't=0.5 latency_ms.p95: < 1 fail',
      't=0.5 ttft_ms.p50{temperature:0.5}: > 0 pass',
      't=0.5 ttft_ms.p50{temperature:0.5}: < 100000 pass',
    ]);
    expect(run.thresholds[1].value).toBeGreaterThan(1);
  });

  it('exits 0 and marks cells pass when every threshold holds', async () => {
    const dir = tempDir();
    const file = writeSpec(spec('thresholds: { error_rate: "== 0", latency_ms.p95: "< 30000" }'), dir);
    const r = await runCli(['run', file, '--out', join(dir, 'out'), '--quiet', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as { cells: { threshold: string }[]; thresholds: unknown[] };
    expect(json.cells.map((c) => c.threshold)).toEqual(['pass', 'pass']);
    expect(json.thresholds).toHaveLength(4);
  });

  it('rejects bad threshold syntax with exit 2 and file:line:col, before sending anything', async () => {
    const seen = server.seen.length;
    const file = writeSpec(spec('thresholds:\n  error_rate: "< 1%"\n  latency_ms.p95: "2000"\n  latency.p99: "< 1"'));
    for (const cmd of ['run', 'validate']) {
      const r = await runCli([cmd, file]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(
        `error: ${file}:13:19: threshold 'latency_ms.p95': cannot read "2000"; write an operator and a number, e.g. "< 2000" (operators: < <= > >= == !=)\n` +
          `error: ${file}:14:3: threshold 'latency.p99': unknown metric 'latency' — did you mean 'latency_ms'?\n` +
          '2 problems\n',
      );
    }
    expect(server.seen.length).toBe(seen);
  });
});

describe('compare', () => {
  const FIX = 'test/fixtures/results';

  it('exits 1 on a regression and prints the table', async () => {
    const r = await runCli(['compare', `${FIX}/baseline`, `${FIX}/regression`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/│ m=a,c=1 +│ latency_ms\.p50 +│ \+10% +│ +808\.9 │ +1,068 │ +\+32% │ \[\+16\.5%, \+40\.2%\] +│ regression │/);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('5 regressions — 5 regressions, 0 improved, 3 within noise, 16 ok');
  });

  it('exits 0 on noise', async () => {
    const r = await runCli(['compare', `${FIX}/baseline`, `${FIX}/noise`]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('no regressions — 0 regressions, 0 improved, 6 within noise, 18 ok');
  });

  it('prints markdown and JSON', async () => {
    const md = await runCli(['compare', `${FIX}/baseline`, `${FIX}/regression`, '--markdown']);
    expect(md.code).toBe(1);
    expect(md.stdout).toBe(readFileSync('test/unit/compare/__snapshots__/compare-regression.md', 'utf8'));
    const js = await runCli(['compare', `${FIX}/baseline`, `${FIX}/regression`, '--json']);
    const report = JSON.parse(js.stdout) as { passed: boolean; counts: Record<string, number>; cells: unknown[] };
    expect(report).toMatchObject({ passed: false, counts: { regression: 5, improved: 0, noise: 3, ok: 16, 'n/a': 0 } });
    // The old spelling still works, with a warning on stderr.
    const old = await runCli(['compare', `${FIX}/baseline`, `${FIX}/regression`, '--format', 'json']);
    expect(old.stdout).toBe(js.stdout);
    expect(old.stderr).toBe('warning: --format json is deprecated; use --json\n');
  });

  it('takes rules from a spec compare: section, with --rule laid over them', async () => {
    const file = writeSpec(spec('compare:\n  error_rate: "+0.5"\n  latency_ms.p50: "+10%"'));
    const r = await runCli(['compare', `${FIX}/baseline`, `${FIX}/regression`, '--spec', file, '--rule', 'latency_ms.p50=+40%']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Rules: error_rate \+0\.5, latency_ms\.p50 \+40%\./);
  });

  it('lists missing cells; --strict fails on them', async () => {
    const r = await runCli(['compare', `${FIX}/baseline`, `${FIX}/missing`, '--strict']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('only in the baseline (failed: --strict): m=b,c=4');
    expect(r.stdout).toContain('only in the current result (failed: --strict): m=b,c=8');
  });

  it('exits 2 with "no cells in common" and what differs, unless --allow-empty', async () => {
    const dir = tempDir();
    const base = read(`${FIX}/baseline`, 'summary.csv');
    // The same grid with the model axis renamed, and one with other values of it.
    const renamed = join(dir, 'renamed.csv');
    writeFileSync(renamed, base.replace(/^cell,model,/, 'cell,engine,'));
    const other = join(dir, 'other.csv');
    writeFileSync(other, base.replace(/,a,/g, ',x,').replace(/,b,/g, ',y,'));
    const r = await runCli(['compare', `${FIX}/baseline`, renamed]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `error: no cells in common between ${FIX}/baseline and ${renamed}: nothing was compared\n` +
        '  axes only in the baseline: model\n' +
        '  axes only in the current result: engine\n' +
        'compare results of the same grid, or pass --allow-empty to accept an empty comparison\n',
    );
    const v = await runCli(['compare', `${FIX}/baseline`, other, '--markdown']);
    expect(v.code).toBe(2);
    expect(v.stderr).toContain('\n  model: baseline has a, b; current has x, y\n');
    const ok = await runCli(['compare', `${FIX}/baseline`, other, '--allow-empty']);
    expect(ok.code).toBe(0);
    expect(ok.stdout.trim().split('\n').at(-1)).toMatch(/^no cells in common \(--allow-empty\) — /);
  });

  it('exits 2 on bad input', async () => {
    const missing = await runCli(['compare', `${FIX}/baseline`, `${FIX}/nope`]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`error: ${FIX}/nope: no such file or folder; give a results folder or a summary.csv\n`);
    const rule = await runCli(['compare', `${FIX}/baseline`, `${FIX}/noise`, '--rule', 'latency_ms.p95=ten', '--confidence', '0.9']);
    expect(rule.code).toBe(2);
    expect(rule.stderr).toMatch(/^error: --rule latency_ms\.p95=ten: cannot read tolerance "ten"/);
  });
});

describe('merge of shards run as separate processes', () => {
  const matrix = '  temperature: [0, 0.5]\n  max_tokens: [2, 4, 6]';

  it('equals a whole run: the same rows, in plan order, and the same summary counts', async () => {
    const dir = tempDir();
    const file = writeSpec(spec('thresholds: { completion_tokens_mean: "< 5" }', matrix), dir);
    const whole = join(dir, 'whole');
    // One after another: parallel processes would load the machine for the other tests' timings.
    const w = await runCli(['run', file, '--out', whole, '--quiet']);
    const s1 = await runCli(['run', file, '--out', join(dir, 's1'), '--quiet', '--shard', '1/2']);
    // A Kubernetes Indexed Job's second pod: JOB_COMPLETION_INDEX is 0-based.
    const s2 = await runCli(['run', file, '--out', join(dir, 's2'), '--quiet', '--shard', 'auto/2'], { env: { JOB_COMPLETION_INDEX: '1' } });
    // max_tokens 6 answers 6 tokens: the threshold fails those cells in every run.
    expect([w.code, s1.code, s2.code]).toEqual([1, 1, 1]);
    const merged = join(dir, 'merged');
    const m = await runCli(['merge', join(dir, 's2'), join(dir, 's1'), '--out', merged]);
    expect(m.code).toBe(1);
    expect(m.stderr).toContain(`merged 2 result(s): 6 cells, 24 requests -> ${merged}`);
    expect(m.stderr).toContain('threshold failed: cell t=0,mt=6: completion_tokens_mean: < 5 — measured 6');
    // --quiet drops the progress line only: the table and the failures still show.
    const q = await runCli(['merge', join(dir, 's2'), join(dir, 's1'), '--out', join(dir, 'merged-quiet'), '--quiet']);
    expect(q.code).toBe(1);
    expect(q.stderr).not.toContain('merged 2 result(s)');
    expect(q.stderr).toContain('threshold failed: cell t=0,mt=6');
    expect(q.stdout).toMatch(/^0\.5 +6 +4\/0 /m);

    const rows = (d: string) => parseRequestsCsv(read(d, 'requests.csv')).records;
    const key = (r: ReturnType<typeof rows>[number]) =>
      [r.cell, r.prompt_id, r.repeat, r.status, r.prompt_tokens, r.completion_tokens, r.finish_reason].join('|');
    expect(rows(merged).map(key).sort()).toEqual(rows(whole).map(key).sort());
    const cellOrder = (d: string) => [...new Set(rows(d).map((r) => r.cell))];
    expect(cellOrder(merged)).toEqual(cellOrder(whole));
    expect(cellOrder(merged)).toEqual(['t=0,mt=2', 't=0,mt=4', 't=0,mt=6', 't=0.5,mt=2', 't=0.5,mt=4', 't=0.5,mt=6']);
    expect(read(merged, 'requests.csv').split('\n')[0]).toBe(read(whole, 'requests.csv').split('\n')[0]);

    const counts = (d: string) =>
      summaryRows(d, ['cell', 'temperature', 'max_tokens', 'requests', 'ok', 'errors', 'prompt_tokens_mean', 'completion_tokens_mean', 'threshold']);
    expect(counts(merged)).toEqual(counts(whole));
    expect(counts(merged).map((r) => r.threshold)).toEqual(['pass', 'pass', 'fail', 'pass', 'pass', 'fail']);
    const runOf = (d: string) => JSON.parse(read(d, 'run.json')) as { spec_hash: string; shard: unknown; thresholds: unknown[]; total_cells: number };
    expect(runOf(merged)).toMatchObject({ spec_hash: runOf(whole).spec_hash, shard: null, total_cells: 6 });
    expect(runOf(merged).thresholds).toEqual(
      (runOf(whole).thresholds as { value: number }[]).map((t) => expect.objectContaining({ ...t, value: expect.any(Number) })),
    );

    const again = await runCli(['merge', join(dir, 's1'), '--out', join(dir, 'partial')]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/^error: 3 of 6 planned cells are in no input: t=0,mt=4, t=0.5,mt=2, t=0.5,mt=6\. Of 2 shards, these were given: 1\/2\./);
    const mixed = await runCli(['merge', join(dir, 's1'), whole, '--out', join(dir, 'mixed')]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain('cell t=0,mt=2 is in both');
  });

  it('says what is wrong with --shard auto outside an Indexed Job', async () => {
    const file = writeSpec(spec());
    const r = await runCli(['plan', file, '--shard', 'auto/2'], { env: { JOB_COMPLETION_INDEX: undefined } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: --shard auto\/2: JOB_COMPLETION_INDEX is not set; auto takes the shard from a Kubernetes Indexed Job/);
  });
});
