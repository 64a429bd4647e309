/**
 * The worker pool against a fake server on 127.0.0.1 (the worker entry is the built
 * dist/runner/worker-main.js): timestamps come back on this thread's clock, an abort
 * reaches requests in flight on every worker, and a lane keeps its worker.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Cell, Prompt } from '../../../src/plan/types.js';
import { openWorkerExchanger, workerYoungMb } from '../../../src/runner/worker-pool.js';
import type { CellExchanger } from '../../../src/runner/cell-exchanger.js';
import { targetSchema } from '../../../src/spec/schema.js';
import { startFakeServer, streamChat, type FakeServer } from '../../helpers/fake-openai.js';

let server: FakeServer | undefined;
let pool: CellExchanger | undefined;
afterEach(async () => {
  await pool?.close();
  await server?.close();
  pool = undefined;
  server = undefined;
});

const cell: Cell = { id: 'c', index: 0, target: 'default', group: 0, params: {}, body: { model: 'm' }, maxTokens: undefined, load: { concurrency: 4, stream: true }, requests: 8, warmup: 0 };
const prompts: Prompt[] = [{ id: 0, messages: [{ role: 'user', content: 'hi' }], text: 'hi', origin: 'prompts[0]' }];

async function open(baseUrl: string, workers: number) {
  const target = targetSchema.parse({ base_url: baseUrl, retry: { retries: 0 } });
  pool = await openWorkerExchanger({ target, cell, prompts, secrets: [], sockets: 2, family: 'vllm' }, { askUsage: true }, workers);
  return pool;
}

describe('the worker pool', () => {
  it("gives timestamps on this thread's clock: between the send and the answer, TTFT at least the server's", async () => {
    server = await startFakeServer((_req, res) => streamChat(res, { ttftMs: 30, itlMs: 5, tokens: ['a', 'b', 'c'], usage: 'separate' }, true));
    const p = await open(server.baseUrl, 2);
    const signal = new AbortController().signal;
    for (let i = 0; i < 6; i++) {
      const before = performance.now();
      const r = await p.send(i, signal, i);
      const after = performance.now();
      expect(r.ok).toBe(true);
      expect(r.sentAt).toBeGreaterThanOrEqual(before);
      expect(r.endAt).toBeLessThanOrEqual(after);
      expect(r.firstTokenAt! - r.sentAt).toBeGreaterThanOrEqual(29);
      expect(r.text).toBe('abc');
    }
  });

  it("sends a workload's prompt as data: its own text and output length, not the cell's prompt", async () => {
    server = await startFakeServer((_req, res) => streamChat(res, { ttftMs: 1, itlMs: 1, tokens: ['a'], usage: 'separate' }, true));
    const p = await open(server.baseUrl, 2);
    const prompt = { id: 7, messages: [{ role: 'user' as const, content: 'workload text' }], text: 'workload text', origin: 'synthetic', outputTokens: 5 };
    const r = await p.send(prompt, new AbortController().signal, 1);
    expect(r.ok).toBe(true);
    const body = server.seen[0].body as { messages: { content: string }[] };
    expect(body.messages.at(-1)!.content).toBe('workload text');
    expect(body).toMatchObject({ max_tokens: 5, min_tokens: 5, ignore_eos: true });
  });

  it('cuts requests in flight on every worker when the signal aborts', async () => {
    server = await startFakeServer((_req, res) => streamChat(res, { ttftMs: 5, itlMs: 5000, tokens: ['a', 'b'], usage: 'separate' }, true));
    const p = await open(server.baseUrl, 2);
    const ctrl = new AbortController();
    const sends = [0, 1, 2, 3].map((i) => p.send(i, ctrl.signal, i));
    // Wait for every request to reach the server, not for a time.
    for (let k = 0; k < 500 && server.seen.length < 4; k++) await new Promise((r) => setTimeout(r, 10));
    expect(server.seen).toHaveLength(4);
    ctrl.abort();
    const results = await Promise.all(sends);
    expect(results.map((r) => r.errorKind)).toEqual(['aborted', 'aborted', 'aborted', 'aborted']);
  });

  it('reports each worker loop when it closes', async () => {
    server = await startFakeServer((_req, res) => streamChat(res, { ttftMs: 1, itlMs: 1, tokens: ['a'], usage: 'separate' }, true));
    const p = await open(server.baseUrl, 2);
    await p.send(0, new AbortController().signal);
    const loads = await p.close();
    pool = undefined;
    expect(loads).toHaveLength(2);
    for (const l of loads) {
      expect(l.utilization).toBeGreaterThanOrEqual(0);
      expect(l.utilization).toBeLessThanOrEqual(1);
      expect(l.loopDelayMaxMs).toBeGreaterThanOrEqual(l.loopDelayP99Ms);
    }
  });
});

describe('workerYoungMb', () => {
  it('gives a worker 24 MB of young generation per 128 streams, from 24 to 96', () => {
    expect([1, 32, 128, 129, 256, 384, 512, 513, 4096].map(workerYoungMb)).toEqual([24, 24, 24, 48, 48, 72, 96, 96, 96]);
  });
});
