/**
 * The latency model in real time, end to end over HTTP. The exact arithmetic is pinned in
 * virtual time by the unit tests (test/unit/simulator/latency-model.test.ts); here the bounds
 * are generous and the estimators robust to a busy machine: a token is never early, so the
 * fastest of a few runs estimates TTFT; ITL is the mean gap from first to last token (reads
 * that coalesce chunks do not matter). Wall-clock tests retry twice on a starved CI box.
 */
import { describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/simulator/server.js';
import { chatBody, contentEvents, meanGap, median, post } from '../helpers/sim-client.js';

const TOLERANCE_MS = 25;
const TIMING = { retry: 2 };

describe('latency model over HTTP (jitter 0)', () => {
  it('TTFT = ttft + prefill * prompt tokens, ITL = itl at concurrency 1', TIMING, async () => {
    const sim = await startSimulator({ ttft_ms: 60, prefill_ms_per_token: 0.5, itl_ms: 10, jitter: 0, stop_probability: 0 });
    const url = `${sim.baseUrl}/chat/completions`;
    // The first request of a fresh process pays for JIT and lazy loading; a benchmark warms up too.
    await post(url, chatBody({ max_tokens: 1 }));
    // 'hi' is 1 prompt token (+0.5 ms); 400 characters are 100 (+50 ms).
    for (const [content, ttft] of [
      ['hi', 60.5],
      ['x'.repeat(400), 110],
    ] as const) {
      const runs = [];
      for (let i = 0; i < 3; i++) {
        runs.push(contentEvents(await post(url, chatBody({ stream: true, max_tokens: 12, messages: [{ role: 'user', content }] }))));
      }
      for (const events of runs) expect(events).toHaveLength(12);
      const ttfts = runs.map((e) => e[0].at);
      expect(Math.min(...ttfts)).toBeGreaterThan(ttft - 1);
      expect(Math.min(...ttfts)).toBeLessThan(ttft + TOLERANCE_MS);
      expect(Math.abs(median(runs.map(meanGap)) - 10)).toBeLessThan(3);
    }
    await sim.close();
  });

  it('queues past max_batch: with max_batch 2 and 4 concurrent requests, two TTFTs include the wait', TIMING, async () => {
    const sim = await startSimulator({ ttft_ms: 100, prefill_ms_per_token: 0, itl_ms: 10, jitter: 0, stop_probability: 0, max_batch: 2, batch_slowdown: 0 });
    const url = `${sim.baseUrl}/chat/completions`;
    await post(url, chatBody({ max_tokens: 1 }));
    const all = await Promise.all([1, 2, 3, 4].map(() => post(url, chatBody({ stream: true, max_tokens: 8 }))));
    await sim.close();
    const ttfts = all.map((ex) => contentEvents(ex)[0].at).sort((a, b) => a - b);
    // First two: 100 ms. They finish at 100 + 7 * 10 = 170 ms; the other two start then: 170 + 100 = 270 ms.
    // Lower bounds hold on any machine (a token is never early); the groups are 170 ms apart.
    expect(ttfts[0]).toBeGreaterThan(99);
    expect(ttfts[2]).toBeGreaterThan(270 - 5);
    expect(ttfts[2] - ttfts[1]).toBeGreaterThan(170 * 0.6);
    expect(ttfts[3] - ttfts[2]).toBeLessThan(170 * 0.4);
  });

  it('stretches the inter-token delay with the batch size', TIMING, async () => {
    // A long TTFT: all four are in the batch before the first token, however late one of them arrives.
    const sim = await startSimulator({ ttft_ms: 100, prefill_ms_per_token: 0, itl_ms: 4, jitter: 0, stop_probability: 0, max_batch: 4, batch_slowdown: 0.5 });
    const url = `${sim.baseUrl}/chat/completions`;
    const all = await Promise.all([1, 2, 3, 4].map(() => post(url, chatBody({ stream: true, max_tokens: 10 }))));
    await sim.close();
    // 4 in the batch: 4 * (1 + 0.5 * 3) = 10 ms.
    expect(Math.abs(median(all.map((ex) => meanGap(contentEvents(ex)))) - 10)).toBeLessThan(3);
  });
});
