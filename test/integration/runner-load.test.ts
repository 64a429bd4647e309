/**
 * Open-loop load and client health, in-process (runSweep from src/) against a fake server
 * on 127.0.0.1, so the test can also starve the client's event loop on purpose.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { buildPlan } from '../../src/plan/build.js';
import { memoryWriter } from '../../src/results/writer.js';
import { runSweep } from '../../src/runner/run-sweep.js';
import { loadSpec } from '../../src/spec/load.js';
import { tempDir, writeSpec } from '../helpers/cli.js';
import { startFakeServer, streamChat, type FakeServer } from '../helpers/fake-openai.js';

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function runInProcess(yaml: string, during?: () => () => void, workers: 1 | 2 = 1) {
  const dir = tempDir();
  const loaded = loadSpec(writeSpec(yaml, dir));
  const plan = buildPlan(loaded);
  const stopBusy = during?.();
  try {
    return await runSweep({ loaded, plan, baseUrl: loaded.spec.target!.base_url, writer: memoryWriter(), workers });
  } finally {
    stopBusy?.();
  }
}

// The open loop is scheduled on the main thread either way; with worker threads the
// requests are sent and timed there (the workers test runs the CLI in both modes).
describe.each([1, 2] as const)('open loop, workers: %i', (workers) => {
  it('keeps the scheduled time when the concurrency cap holds requests back (queue_ms)', async () => {
    server = await startFakeServer((_req, res) => streamChat(res, { ttftMs: 40, itlMs: 5, tokens: ['a', 'b'], usage: 'separate' }, true));
    // 100 requests/s offered, but one at a time and ~45 ms each: the queue must grow.
    const result = await runInProcess(`
target: { base_url: ${server.baseUrl} }
prompts: ["hi"]
params: { model: m, max_tokens: 2 }
matrix: { rate: [100], concurrency: [1] }
arrival: constant
requests: 12
`, undefined, workers);
    const [s] = result.summaries;
    expect(s.ok).toBe(12);
    expect(s.offered_rps).toBe(100);
    // Request k is due at 10k ms and starts after k earlier 45 ms requests: it waits ~35k ms.
    expect(s.queue_ms!.max).toBeGreaterThan(250);
    expect(s.e2e_latency_ms!.p99).toBeGreaterThan(s.latency_ms!.p99 + 200);
    expect(s.achieved_rps!).toBeLessThan(40);
  });

  it('does not queue when the server keeps up', async () => {
    server = await startFakeServer((_req, res) => streamChat(res, { ttftMs: 2, itlMs: 1, tokens: ['a'], usage: 'separate' }, true));
    const result = await runInProcess(`
target: { base_url: ${server.baseUrl} }
prompts: ["hi"]
params: { model: m }
matrix: { rate: [50], concurrency: [8] }
arrival: constant
requests: 10
`, undefined, workers);
    // Generous: on a loaded machine timers fire late, and that lateness counts as queueing.
    expect(result.summaries[0].queue_ms!.p50).toBeLessThan(100);
  });

  it('stops scheduling at the deadline of a duration cell', async () => {
    server = await startFakeServer((_req, res) => streamChat(res, { ttftMs: 1, itlMs: 1, tokens: ['a'], usage: 'separate' }, true));
    const result = await runInProcess(`
target: { base_url: ${server.baseUrl} }
prompts: ["hi"]
params: { model: m }
matrix: { rate: [40], concurrency: [4] }
arrival: constant
duration_s: 0.5
`, undefined, workers);
    // Arrivals at 0, 25, ..., 475 ms: exactly 20 before the deadline.
    expect(result.summaries[0].requests).toBe(20);
  });
});

describe('rate: inf', () => {
  it('makes every request due at the cell start: the concurrency cap turns into queue_ms', async () => {
    server = await startFakeServer((_req, res) => streamChat(res, { ttftMs: 40, itlMs: 5, tokens: ['a', 'b'], usage: 'separate' }, true));
    const writer = memoryWriter();
    const dir = tempDir();
    const loaded = loadSpec(
      writeSpec(
        `
target: { base_url: ${server.baseUrl} }
prompts: ["hi"]
params: { model: m, max_tokens: 2 }
matrix: { rate: [inf], concurrency: [2] }
requests: 6
`,
        dir,
      ),
    );
    const result = await runSweep({ loaded, plan: buildPlan(loaded), baseUrl: loaded.spec.target!.base_url, writer });
    const [s] = result.summaries;
    expect(s.cell).toBe('r=inf,c=2');
    expect(s.ok).toBe(6);
    expect(s.offered_rps).toBeUndefined();
    // Three waves of two ~45 ms requests, all due at 0: the last pair waits about two waves
    // longer than the first (relative, so a loaded machine's delays cancel out).
    const queued = writer.records.map((r) => r.queue_ms!).sort((a, b) => a - b);
    expect(queued[5] - queued[1]).toBeGreaterThan(60);
    expect(queued[3] - queued[1]).toBeGreaterThan(30);
    expect(writer.records.every((r) => r.params.rate === 'inf')).toBe(true);
  });

  it('runs a duration cell as fast as its concurrency cap allows, and stops at the deadline', async () => {
    server = await startFakeServer((_req, res) => streamChat(res, { ttftMs: 5, itlMs: 1, tokens: ['a'], usage: 'separate' }, true));
    const result = await runInProcess(`
target: { base_url: ${server.baseUrl} }
prompts: ["hi"]
params: { model: m, rate: inf, concurrency: 2 }
duration_s: 0.3
`);
    expect(result.summaries[0].ok).toBeGreaterThan(4);
  });
});

describe('client health', () => {
  it('flags a cell when the client event loop is starved', async () => {
    server = await startFakeServer((_req, res) => streamChat(res, { ttftMs: 5, itlMs: 5, tokens: ['a', 'b', 'c'], usage: 'separate' }, true));
    const result = await runInProcess(
      `
target: { base_url: ${server.baseUrl} }
prompts: ["hi"]
params: { model: m }
matrix: { concurrency: [2] }
requests: 30
`,
      () => {
        // A deliberate busy loop: blocks the event loop for 40 ms every 50 ms.
        const t = setInterval(() => {
          const end = performance.now() + 40;
          while (performance.now() < end);
        }, 10);
        return () => clearInterval(t);
      },
    );
    const c = result.summaries[0].client!;
    expect(c.bound).toBe(true);
    expect(c.loop_delay_p99_ms).toBeGreaterThan(20);
    expect(c.reason).toMatch(/event-loop delay p99/);
    // First tokens that waited behind 40 ms blocks: the client's share of TTFT says so.
    expect(c.ttft_delay_p99_ms).toBeGreaterThan(10);
    expect(c.ttft_delay_p50_ms).toBeLessThanOrEqual(c.ttft_delay_p99_ms!);
  });

  it("reports the client's share of TTFT for every streamed cell, below the TTFT itself", async () => {
    server = await startFakeServer((_req, res) => streamChat(res, { ttftMs: 30, itlMs: 5, tokens: ['a', 'b', 'c'], usage: 'separate' }, true));
    const result = await runInProcess(`
target: { base_url: ${server.baseUrl} }
prompts: ["hi"]
params: { model: m }
matrix: { concurrency: [2] }
requests: 20
`);
    const [s] = result.summaries;
    expect(s.client!.ttft_delay_p50_ms).toBeGreaterThanOrEqual(0);
    // An upper bound of the client's own lateness cannot be most of a 30 ms TTFT on an idle loop.
    expect(s.client!.ttft_delay_p50_ms!).toBeLessThan(s.ttft_ms!.p50!);
  });
});
