/**
 * Capacity search through the real CLI against the bundled simulator, whose batching model
 * implies the capacity (src/simulator/steady-state.ts): the search must find it within one
 * step, over concurrency and over rate, and the same seed must give the same steps. The
 * model is slow enough (a 210 ms request, 2 in the batch) that a loaded machine's few ms of
 * timer noise cannot move a step across the SLO.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCapacityCsv } from '../../src/results/capacity-csv.js';
import type { CapacityEntry } from '../../src/search/result.js';
import { impliedCapacity, saturationRate } from '../../src/simulator/steady-state.js';
import type { LatencyParams } from '../../src/simulator/types.js';
import { runCli, tempDir, writeSpec } from '../helpers/cli.js';

const MODEL: LatencyParams = { ttft_ms: 60, prefill_ms_per_token: 0, itl_ms: 10, jitter: 0.05, max_batch: 2, batch_slowdown: 0 };
const WORKLOAD = { promptTokens: 10, outputTokens: 16 };
const SLO = { ttft_ms: 120 };

function spec(search: string, extra = ''): string {
  return `
name: search-test
target:
  base_url: builtin
  simulator: { ttft_ms: ${MODEL.ttft_ms}, prefill_ms_per_token: 0, itl_ms: ${MODEL.itl_ms}, jitter: ${MODEL.jitter}, max_batch: ${MODEL.max_batch}, batch_slowdown: 0, stop_probability: 0 }
prompts: ["Explain the KV cache."]
params: { model: sim-7b, max_tokens: ${WORKLOAD.outputTokens} }
arrival: constant
search:
${search}
${extra}`;
}

/** The search both the concurrency and the resume tests run. */
const CONCURRENCY_SEARCH = `  over: concurrency
  min: 1
  max: 32
  slo: { ttft_ms: ${SLO.ttft_ms} }
  attainment: 0.8
  confidence: 0.8
  max_rounds: 2`;

async function run(yaml: string, args: string[] = []) {
  const dir = tempDir();
  const out = join(dir, 'out');
  const r = await runCli(['run', writeSpec(yaml, dir), '--out', out, '--quiet', ...args], { timeoutMs: 120_000 });
  const run = r.code === 0 || r.code === 1 ? JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) : undefined;
  return { ...r, out, run, capacity: (run?.capacity ?? []) as CapacityEntry[] };
}

describe('capacity search on the bundled simulator', () => {
  it('finds the concurrency the batching model implies, the same steps for the same seed, and says it in words', async () => {
    const truth = impliedCapacity(MODEL, WORKLOAD, SLO, { over: 'concurrency', min: 1, max: 32, attainment: 0.8 });
    expect(truth).toEqual({ capacity: 2, firstFail: 3 });
    const yaml = spec(CONCURRENCY_SEARCH);
    const [a, b] = [await run(yaml), await run(yaml)];
    expect(a.code, a.stderr).toBe(0);
    const [c] = a.capacity;
    expect(Math.abs(c.capacity! - truth.capacity!)).toBeLessThanOrEqual(1);
    expect(c).toMatchObject({ cell: 'default', over: 'concurrency', outcome: 'bracketed', criterion: 'TTFT p80 <= 120 ms', converged: true });
    // The same values in the same order with the same verdicts (how many rounds a step took
    // can differ: a loaded machine's timer delays are not seeded).
    const steps = (e: CapacityEntry) => e.steps.map((s) => [s.value, s.verdict]);
    expect(steps(b.capacity[0])).toEqual(steps(c));
    // Every step is a cell of its own, with its search_step, in summary.csv and run.json.
    expect(a.run.cells.map((s: { cell: string; search_step: number }) => [s.cell, s.search_step])).toEqual(
      c.steps.map((s) => [`c=${s.value}`, s.index]),
    );
    expect(readFileSync(join(a.out, 'requests.csv'), 'utf8').split('\n')[0]).toMatch(/^cell,concurrency,prompt_id,.*,search_step,round,input_tokens_requested,output_tokens_requested,session,turn$/);
    // capacity.csv says the same as run.json.
    const [row] = parseCapacityCsv(readFileSync(join(a.out, 'capacity.csv'), 'utf8'));
    expect(row).toMatchObject({ cell: 'default', capacity: c.capacity, bracket: c.bracket, decided: c.decided, requests: c.requests });
    // compare: the same capacity is no regression; a bracket below the baseline's is one.
    const same = await runCli(['compare', a.out, b.out]);
    expect(same.code, same.stdout).toBe(0);
    expect(same.stdout).toMatch(/capacity\s+│ bracket │\s+2-3 │\s+2-3 │/);
    const worse = join(tempDir(), 'worse');
    cpSync(a.out, worse, { recursive: true });
    const doc = JSON.parse(readFileSync(join(worse, 'run.json'), 'utf8'));
    doc.capacity[0].bracket = { pass: 1, fail: 2 };
    doc.capacity[0].capacity = 1;
    writeFileSync(join(worse, 'run.json'), JSON.stringify(doc));
    const regressed = await runCli(['compare', a.out, worse, '--markdown']);
    expect(regressed.code).toBe(1);
    expect(regressed.stdout).toMatch(/\| `default` \| capacity \| bracket \| 2-3 \| 1-2 \|.*regression/);
    expect(a.stdout).toMatch(new RegExp(`capacity: ${c.capacity} concurrent requests meet TTFT p80 <= 120 ms \\(attainment \\d+(\\.\\d)?%, 80% CI \\d+(\\.\\d)?-\\d+(\\.\\d)?%\\); ${c.bracket.fail} do not \\(\\d+%\\)`));
  }, 180_000);

  it('finds the rate at which the batch saturates, within one step of the tolerance', async () => {
    const truth = impliedCapacity(MODEL, WORKLOAD, SLO, { over: 'rate', min: 4, max: 64, attainment: 0.8 });
    expect(truth.capacity).toBeCloseTo(saturationRate(MODEL, WORKLOAD), 9);
    const r = await run(
      spec(`  over: rate
  min: 4
  max: 64
  slo: { ttft_ms: ${SLO.ttft_ms} }
  attainment: 0.8
  confidence: 0.8
  max_rounds: 2
  tolerance: 0.25`),
    );
    expect(r.code, r.stderr).toBe(0);
    const [c] = r.capacity;
    expect(c).toMatchObject({ over: 'rate', outcome: 'bracketed', converged: true });
    expect(c.bracket.fail! / c.bracket.pass!).toBeLessThanOrEqual(1.25);
    // One step: the bracket holds the truth, give or take one more tolerance.
    expect(c.bracket.pass!).toBeLessThanOrEqual(truth.capacity! * 1.25);
    // A busy machine slows the simulator's timers, so it saturates earlier (6.7 of 7.6 at load 11).
    expect(c.bracket.fail!).toBeGreaterThanOrEqual(truth.capacity! / 1.5);
    expect(r.run.cells[0]).toMatchObject({ cell: 'r=4', search_step: 0, offered_rps: 4 });
  }, 180_000);

  it('resumes a killed search where it stopped: the same steps, every request once', async () => {
    const yaml = spec(CONCURRENCY_SEARCH);
    const dir = tempDir();
    const file = writeSpec(yaml, dir);
    const out = join(dir, 'out');
    let killed = false;
    const first = await runCli(['run', file, '--out', out], {
      env: { LLM_SWEEP_PROGRESS_MS: '50' },
      timeoutMs: 120_000,
      onStderr: (text, child) => {
        // Kill it in the second step (concurrency 2), the first step's rows on disk. (Which
        // steps follow depends on the measured latencies, so on the machine's load.)
        if (!killed && /c=2\s+\d+\/20 in cell/.test(text)) {
          killed = true;
          child.kill('SIGKILL');
        }
      },
    });
    expect(killed, first.stderr).toBe(true);
    const second = await runCli(['run', file, '--resume', out, '--quiet'], { timeoutMs: 120_000 });
    expect(second.code, second.stderr).toBe(0);
    const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    const [c] = run.capacity as CapacityEntry[];
    // Quiet machine: steps 1, 2, 4, 3 and capacity 2. The resumed search goes on from the
    // step it was killed in, and ends with a bracket one apart.
    expect(c.steps.slice(0, 2).map((s) => s.value)).toEqual([1, 2]);
    expect(new Set(c.steps.map((s) => s.value)).size).toBe(c.steps.length);
    expect(c.converged).toBe(true);
    expect(c.capacity).toBe(c.bracket.pass);
    if (c.bracket.pass !== undefined && c.bracket.fail !== undefined) expect(c.bracket.fail - c.bracket.pass).toBe(1);
    const rows = readFileSync(join(out, 'requests.csv'), 'utf8').trim().split('\n').slice(1);
    const keys = rows.map((line) => line.split(',').slice(0, 4).join(','));
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.length).toBe(c.requests);
  }, 240_000);

  it('merges the shards of a search: every searched cell with its steps and capacity', async () => {
    const yaml = `
target:
  base_url: builtin
  simulator: { ttft_ms: 5, itl_ms: 1, jitter: 0, max_batch: 2, batch_slowdown: 0, stop_probability: 0 }
prompts: ["hi"]
params: { model: sim-7b, max_tokens: 4 }
matrix: { temperature: [0, 0.5] }
search: { over: concurrency, min: 1, max: 2, slo: { latency_ms: 5000 }, requests_per_step: 10, attainment: 0.5, confidence: 0.5 }
thresholds:
  capacity: ">= 2"
`;
    const dir = tempDir();
    const file = writeSpec(yaml, dir);
    for (const k of [1, 2]) {
      const r = await runCli(['run', file, '--shard', `${k}/2`, '--out', join(dir, `s${k}`), '--quiet']);
      expect(r.code, r.stderr).toBe(0);
    }
    const m = await runCli(['merge', join(dir, 's1'), join(dir, 's2'), '--out', join(dir, 'm')]);
    expect(m.code, m.stderr).toBe(0);
    const run = JSON.parse(readFileSync(join(dir, 'm', 'run.json'), 'utf8'));
    expect(run.capacity.map((e: CapacityEntry) => [e.cell, e.capacity, e.outcome])).toEqual([
      ['t=0', 2, 'at_max'],
      ['t=0.5', 2, 'at_max'],
    ]);
    expect(run.cells.map((c: { cell: string; search_step: number }) => [c.cell, c.search_step])).toEqual([
      ['t=0,c=1', 0],
      ['t=0,c=2', 1],
      ['t=0.5,c=1', 0],
      ['t=0.5,c=2', 1],
    ]);
    expect(run.thresholds.map((t: { cell: string; status: string }) => [t.cell, t.status])).toEqual([
      ['t=0', 'pass'],
      ['t=0.5', 'pass'],
    ]);
    expect(parseCapacityCsv(readFileSync(join(dir, 'm', 'capacity.csv'), 'utf8'))).toHaveLength(2);
  }, 180_000);

  it('reports capacity < min for a server that fails even at min, as a row, not an error', async () => {
    const r = await run(`
target:
  base_url: builtin
  simulator: { ttft_ms: 30, itl_ms: 1, jitter: 0, stop_probability: 0 }
prompts: ["hi"]
params: { model: sim-7b, max_tokens: 4 }
search: { over: concurrency, min: 2, max: 8, slo: { ttft_ms: 5 }, requests_per_step: 30 }
`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.capacity[0]).toMatchObject({ outcome: 'below_min', bracket: { fail: 2 }, decided: true });
    expect(r.capacity[0].capacity).toBeUndefined();
    const csv = readFileSync(join(r.out, 'capacity.csv'), 'utf8').split('\n')[1];
    expect(csv).toMatch(/^default,concurrency,below_min,,,2,/);
    expect(r.stdout).toMatch(/^capacity: even 2 concurrent requests do not meet TTFT p95 <= 5 ms \(attainment 0%, 90% CI 0-\d+%\): capacity < 2$/m);
  }, 120_000);

  it('refuses a bad search at file:line:col with exit 2 and sends nothing', async () => {
    const dir = tempDir();
    const r = await runCli(['run', writeSpec(`target: { base_url: builtin }\nprompts: [hi]\nsearch: { over: rate, min: 8, max: 2, slo: { ttft_ms: 100 }, attainment: 0 }\n`, dir), '--out', join(dir, 'out')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/spec\.yaml:3:28: search\.min \(8\) is above search\.max \(2\); give min <= max/);
    expect(r.stderr).toMatch(/spec\.yaml:3:\d+: search\.attainment must be a share above 0 and at most 1/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('on a noisy server, gives a step at the target more requests and reports it undecided at the cap', async () => {
    // 5% of requests fail (seeded): the true attainment is the target, so no step can be decided.
    const r = await run(
      `
target:
  base_url: builtin
  simulator: { ttft_ms: 1, itl_ms: 0.5, jitter: 0, fault_rate: 0.05, faults: ["500"], stop_probability: 0 }
  retry: { retries: 0 }
prompts: ["hi"]
params: { model: sim-7b, max_tokens: 4 }
search:
  over: concurrency
  min: 2
  max: 4
  slo: { latency_ms: 5000 }
  requests_per_step: 60
  max_rounds: 3
`,
    );
    expect(r.code, r.stderr).toBe(0);
    const [c] = r.capacity;
    const first = c.steps[0];
    expect(first).toMatchObject({ value: 2, verdict: 'undecided', rounds: 3, requests: 180 });
    expect(first.interval![0]).toBeLessThan(0.95);
    expect(first.interval![1]).toBeGreaterThanOrEqual(0.95);
    expect(c.decided).toBe(false);
    expect(r.run.cells[0]).toMatchObject({ cell: 'c=2', requests: 180, search_verdict: 'undecided' });
    expect(r.stdout).toMatch(/not decided: \d was too close to call after \d+ requests/);
  }, 180_000);
});
