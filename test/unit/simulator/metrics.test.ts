import { afterEach, describe, expect, it } from 'vitest';
import { aggregateCell } from '../../../src/server-metrics/aggregate.js';
import { parsePrometheus } from '../../../src/server-metrics/parse.js';
import { TTFT_BUCKETS_S } from '../../../src/simulator/metrics.js';
import { startSimulator } from '../../../src/simulator/server.js';
import type { RunningSimulator } from '../../../src/simulator/types.js';
import { sleep } from '../../helpers/fake-openai.js';
import { post } from '../../helpers/sim-client.js';

let sim: RunningSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function metrics(): Promise<ReturnType<typeof parsePrometheus>> {
  const res = await fetch(`${sim?.origin}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheus(await res.text());
}

const value = (samples: ReturnType<typeof parsePrometheus>, name: string, labels: Record<string, string> = {}) =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((a, s) => a + s.value, 0);

describe('simulator GET /metrics', () => {
  it("reports the scheduler's running and waiting requests under vLLM's names", async () => {
    sim = await startSimulator({ max_batch: 4, ttft_ms: 20, itl_ms: 10, jitter: 0, stop_probability: 0 });
    const body = { model: 'sim-7b', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 60 };
    const idle = await metrics();
    expect(value(idle, 'vllm:num_requests_running')).toBe(0);
    expect(idle.find((s) => s.name === 'vllm:num_requests_running')?.labels).toEqual({ engine: '0', model_name: 'sim-7b' });
    // 12 requests, 4 slots, each ~620 ms: for the first ~600 ms, 4 run and 8 wait.
    const done = Array.from({ length: 12 }, () => post(`${sim?.baseUrl}/chat/completions`, body));
    // Wait (bounded) until all 12 have arrived: on a loaded machine that takes a while.
    let busy = await metrics();
    for (let i = 0; i < 40 && value(busy, 'vllm:num_requests_running') + value(busy, 'vllm:num_requests_waiting') < 12; i++) {
      await sleep(10);
      busy = await metrics();
    }
    expect(value(busy, 'vllm:num_requests_running')).toBe(4);
    expect(value(busy, 'vllm:num_requests_waiting')).toBe(8);
    const exchanges = await Promise.all(done);
    expect(exchanges.every((e) => e.status === 200)).toBe(true);
    const after = await metrics();
    expect(value(after, 'vllm:num_requests_running')).toBe(0);
    expect(value(after, 'vllm:time_to_first_token_seconds_count')).toBe(12);
    expect(value(after, 'vllm:request_queue_time_seconds_count')).toBe(12);
    expect(value(after, 'vllm:e2e_request_latency_seconds_count')).toBe(12);
    expect(value(after, 'vllm:request_success_total', { finished_reason: 'length' })).toBe(12);
    expect(value(after, 'vllm:generation_tokens_total')).toBe(12 * 60);
    expect(value(after, 'vllm:prompt_tokens_total')).toBe(12 * 1);
    // Buckets are vLLM's, cumulative, ending in +Inf = count.
    const buckets = after.filter((s) => s.name === 'vllm:time_to_first_token_seconds_bucket');
    expect(buckets.map((s) => s.labels.le)).toEqual([...TTFT_BUCKETS_S.map((b) => (Number.isInteger(b) ? `${b}.0` : String(b))), '+Inf']);
    expect(buckets.at(-1)?.value).toBe(12);
  });

  it('observes TTFT from arrival, queue wait included: 3 waves of 4 in a batch of 4', async () => {
    sim = await startSimulator({ max_batch: 4, ttft_ms: 50, itl_ms: 10, jitter: 0, stop_probability: 0 });
    const before = await metrics();
    const body = { model: 'sim-7b', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 10 };
    await Promise.all(Array.from({ length: 12 }, () => post(`${sim?.baseUrl}/chat/completions`, body)));
    const after = await metrics();
    const s = aggregateCell(
      [
        [
          { ok: true, url: '', phase: 'before', sentAt: 0, at: 0, samples: before },
          { ok: true, url: '', phase: 'after', sentAt: 1, at: 1, samples: after },
        ],
      ],
      { start: 0, end: 1 },
    );
    // Waves last 50 + 9 * 10 = 140 ms: TTFTs of 50, 190 and 330 ms from the first arrival,
    // a little less for requests that arrived later, more when timers run late (a busy
    // machine: 305 ms seen at load 11). Without the queue wait every TTFT would be ~50 ms.
    const sum = value(after, 'vllm:time_to_first_token_seconds_sum') * 1000;
    expect(sum / 12).toBeGreaterThan(150);
    expect(sum / 12).toBeLessThan(190 * 2);
    expect(s.server_ttft_mean_ms).toBeCloseTo(sum / 12);
    // The median TTFT (the second wave, ~190 ms) lies in vLLM's (0.1, 0.25] s bucket, or the
    // next one, (0.25, 0.5], when timers run late.
    expect(s.server_ttft_p50_ms).toBeGreaterThan(100);
    expect(s.server_ttft_p50_ms).toBeLessThanOrEqual(500);
    // Queue waits of 0, 140 and 280 ms.
    expect(s.server_queue_time_mean_ms).toBeGreaterThan(100);
  });
});
