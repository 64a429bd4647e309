/** The documented way to run a sweep from code (src/index.ts), against the bundled simulator. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPlan, loadSpec, memoryWriter, runSweep, startEndpoint, type RunEvent } from '../../src/index.js';
import { parseRunJson, serializeRunJson } from '../../src/results/run-json.js';
import { tempDir, writeSpec } from '../helpers/cli.js';

describe('public API', () => {
  it('runs a sweep against base_url: builtin and stops the simulator afterwards', async () => {
    const dir = tempDir();
    const loaded = loadSpec(
      writeSpec(
        `name: api
target:
  base_url: builtin
  simulator: { ttft_ms: 20, itl_ms: 2, jitter: 0, stop_probability: 0 }
prompts: ["hello"]
params: { model: sim, max_tokens: 5 }
matrix: { concurrency: [1, 2] }
requests: 4
`,
        dir,
      ),
    );
    const plan = buildPlan(loaded);
    const endpoint = await startEndpoint(loaded.spec.target!);
    const events: RunEvent['type'][] = [];
    let result;
    try {
      expect(endpoint.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      result = await runSweep({ loaded, plan, baseUrl: endpoint.baseUrl, outDir: join(dir, 'out'), onEvent: (e) => events.push(e.type) });
    } finally {
      await endpoint.stop();
    }
    expect(result.summaries.map((s) => [s.cell, s.ok, s.errors])).toEqual([
      ['c=1', 4, 0],
      ['c=2', 4, 0],
    ]);
    expect(result.summaries[0].completion_tokens_mean).toBe(5);
    expect(result.summaries[0].ttft_ms!.p50).toBeGreaterThanOrEqual(19);
    expect(events[0]).toBe('run-start');
    expect(events.at(-1)).toBe('run-end');
    expect(events.filter((e) => e === 'request-end')).toHaveLength(8);
    for (const f of ['requests.csv', 'summary.csv', 'run.json', 'report.html']) expect(existsSync(join(dir, 'out', f))).toBe(true);
    // The simulator is gone: its port no longer answers.
    await expect(fetch(`${endpoint.baseUrl}/models`)).rejects.toThrow();
  });

  it('runs a sweep in memory: the results come back, nothing touches the disk', async () => {
    const dir = tempDir();
    const never = join(dir, 'never');
    const loaded = loadSpec(
      writeSpec(
        `name: mem
target:
  base_url: builtin
  simulator: { ttft_ms: 5, itl_ms: 1, jitter: 0, stop_probability: 0 }
prompts: ["hello", "again"]
params: { model: sim, max_tokens: 3 }
matrix: { temperature: [0, 1] }
requests: 3
thresholds: { error_rate: "< 1%" }
output: { dir: ${JSON.stringify(never)}, save_responses: true }
`,
        dir,
      ),
    );
    const plan = buildPlan(loaded);
    const endpoint = await startEndpoint(loaded.spec.target!);
    const writer = memoryWriter();
    let result;
    try {
      result = await runSweep({ loaded, plan, baseUrl: endpoint.baseUrl, writer });
    } finally {
      await endpoint.stop();
    }
    expect(existsSync(never)).toBe(false);
    expect(writer.records.map((r) => [r.cell, r.prompt_id, r.repeat, r.status, r.completion_tokens])).toEqual([
      ['t=0', 0, 0, 'ok', 3],
      ['t=0', 1, 0, 'ok', 3],
      ['t=0', 0, 1, 'ok', 3],
      ['t=1', 0, 0, 'ok', 3],
      ['t=1', 1, 0, 'ok', 3],
      ['t=1', 0, 1, 'ok', 3],
    ]);
    // The same typed document run.json would hold, and the same summaries the run returned.
    const run = writer.run!;
    expect(run.cells).toEqual(result.summaries);
    expect(run.thresholds.map((t) => [t.cell, t.status])).toEqual([
      ['t=0', 'pass'],
      ['t=1', 'pass'],
    ]);
    expect(run.interrupted).toBe(false);
    expect(parseRunJson(serializeRunJson(run))).toEqual(JSON.parse(serializeRunJson(run)));
  });
});
