import { describe, expect, it } from 'vitest';
import { BatchScheduler, type SequenceSpec } from '../../../src/simulator/latency-model.js';
import { mulberry32 } from '../../../src/random.js';
import type { LatencyParams } from '../../../src/simulator/types.js';
import { simulatorSchema } from '../../../src/spec/schema.js';
import { VirtualClock } from '../../helpers/virtual-clock.js';

const params: LatencyParams = { ttft_ms: 50, prefill_ms_per_token: 0, itl_ms: 10, jitter: 0, max_batch: 8, batch_slowdown: 0 };

interface Trace {
  admitted?: number;
  tokens: number[];
  done?: number;
}

function setup(p: Partial<LatencyParams> = {}) {
  const clock = new VirtualClock();
  const scheduler = new BatchScheduler({ ...params, ...p }, clock);
  const submit = (outputTokens: number, extra: Partial<SequenceSpec> = {}) => {
    const trace: Trace = { tokens: [] };
    const handle = scheduler.submit({
      promptTokens: 0,
      outputTokens,
      random: mulberry32(1),
      onAdmit: (at) => (trace.admitted = at),
      onToken: (i, at) => {
        expect(i).toBe(trace.tokens.length);
        expect(clock.now()).toBeCloseTo(at, 0);
        trace.tokens.push(at);
      },
      onDone: (at) => (trace.done = at),
      ...extra,
    });
    return { trace, handle };
  };
  return { clock, scheduler, submit };
}

describe('BatchScheduler', () => {
  it('gives a lone sequence TTFT = ttft + prefill * prompt tokens, then one token per itl', () => {
    const { clock, submit } = setup({ prefill_ms_per_token: 0.5 });
    const { trace } = submit(4, { promptTokens: 100 });
    clock.run();
    expect(trace.tokens).toEqual([100, 110, 120, 130]);
    expect(trace.done).toBe(130);
  });

  it('finishes a sequence with no tokens right after its TTFT', () => {
    const { clock, submit } = setup();
    const { trace } = submit(0);
    clock.run();
    expect(trace).toEqual({ admitted: 0, tokens: [], done: 50 });
  });

  it('stretches the inter-token delay by batch_slowdown per extra sequence, recomputed per token', () => {
    const { clock, submit } = setup({ batch_slowdown: 0.5 });
    const a = submit(4);
    clock.run(65); // a: tokens at 50, 60; the next (70) was scheduled with 1 active
    const b = submit(3); // 2 active from now on: 10 * (1 + 0.5) = 15
    clock.run();
    expect(a.trace.tokens).toEqual([50, 60, 70, 85]);
    expect(b.trace.tokens).toEqual([115, 125, 135]); // a left at 85: b alone again
  });

  it('queues past max_batch (FIFO) and admits when a slot frees', () => {
    const { clock, scheduler, submit } = setup({ max_batch: 2 });
    const seqs = [submit(5), submit(5), submit(5), submit(5)];
    expect([scheduler.activeCount, scheduler.queuedCount]).toEqual([2, 2]);
    clock.run();
    expect(seqs.map((s) => s.trace.admitted)).toEqual([0, 0, 90, 90]);
    expect(seqs.map((s) => s.trace.tokens[0])).toEqual([50, 50, 140, 140]);
    expect(seqs.map((s) => s.trace.done)).toEqual([90, 90, 180, 180]);
    expect([scheduler.activeCount, scheduler.queuedCount]).toEqual([0, 0]);
  });

  it('counts queue wait from arrival', () => {
    const { clock, submit } = setup({ max_batch: 1 });
    submit(1, { arrivedAt: 0 });
    clock.run(20);
    const late = submit(1, { arrivedAt: 20 });
    clock.run();
    expect(late.trace).toMatchObject({ admitted: 50, tokens: [100] });
  });

  it('frees the slot of a cancelled sequence at once, and drops a cancelled queued one', () => {
    const { clock, scheduler, submit } = setup({ max_batch: 1 });
    const a = submit(100);
    const b = submit(2);
    const c = submit(2);
    clock.run(70);
    c.handle.cancel();
    a.handle.cancel();
    expect([a.handle.state, c.handle.state, b.handle.state]).toEqual(['cancelled', 'cancelled', 'active']);
    clock.run();
    expect(a.trace.tokens).toEqual([50, 60, 70]);
    expect(a.trace.done).toBeUndefined();
    expect(b.trace).toEqual({ admitted: 70, tokens: [120, 130], done: 130 });
    expect(c.trace.admitted).toBeUndefined();
    expect(scheduler.activeCount).toBe(0);
  });

  it('applies a seeded relative jitter to every delay', () => {
    const run = (seed: number) => {
      const { clock, submit } = setup({ jitter: 0.2 });
      const { trace } = submit(50, { random: mulberry32(seed) });
      clock.run();
      return trace.tokens;
    };
    const t = run(5);
    expect(run(5)).toEqual(t);
    expect(run(6)).not.toEqual(t);
    expect(t[0]).toBeGreaterThanOrEqual(40);
    expect(t[0]).toBeLessThanOrEqual(60);
    const gaps = t.slice(1).map((x, i) => x - t[i]);
    for (const g of gaps) expect(g).toBeGreaterThanOrEqual(8 - 1e-9);
    for (const g of gaps) expect(g).toBeLessThanOrEqual(12 + 1e-9);
    expect(new Set(gaps.map((g) => g.toFixed(6))).size).toBeGreaterThan(10);
  });

  it('multiplies the inter-token delay by itlFactor (the slow fault)', () => {
    const { clock, submit } = setup();
    const { trace } = submit(3, { itlFactor: 10 });
    clock.run();
    expect(trace.tokens).toEqual([50, 150, 250]);
  });

  it('cancels everything on close', () => {
    const { clock, scheduler, submit } = setup({ max_batch: 1 });
    const a = submit(5);
    const b = submit(5);
    scheduler.close();
    clock.run();
    expect([a.trace.tokens, b.trace.tokens]).toEqual([[], []]);
    expect(submit(1).handle.state).toBe('cancelled');
  });
});

describe('the knee with the default model (jitter 0)', () => {
  /** Closed loop: `clients` clients each send `perClient` requests back to back; virtual time. */
  function sweep(clients: number) {
    const defaults = { ...simulatorSchema.parse({}), jitter: 0 };
    const clock = new VirtualClock();
    const scheduler = new BatchScheduler(defaults, clock);
    const outputTokens = 64;
    const perClient = 6;
    const latencies: number[] = [];
    let tokens = 0;
    const send = (left: number) => {
      const sent = clock.now();
      scheduler.submit({
        promptTokens: 40,
        outputTokens,
        random: mulberry32(1),
        onToken: () => tokens++,
        onDone: (at) => {
          latencies.push(at - sent);
          if (left > 1) send(left - 1);
        },
      });
    };
    for (let c = 0; c < clients; c++) send(perClient);
    clock.run();
    const mean = latencies.reduce((a, b) => a + b, 0) / latencies.length;
    return { throughput: (tokens / clock.now()) * 1000, latency: mean };
  }

  it('throughput rises up to max_batch (8) then flattens while latency climbs', () => {
    const r = Object.fromEntries([1, 2, 4, 8, 16, 32].map((c) => [c, sweep(c)]));
    expect(r[2].throughput).toBeGreaterThan(r[1].throughput * 1.8);
    expect(r[4].throughput).toBeGreaterThan(r[2].throughput * 1.6);
    expect(r[8].throughput).toBeGreaterThan(r[4].throughput * 1.5);
    expect(Math.abs(r[16].throughput / r[8].throughput - 1)).toBeLessThan(0.03);
    expect(Math.abs(r[32].throughput / r[8].throughput - 1)).toBeLessThan(0.03);
    expect(r[8].latency).toBeLessThan(r[1].latency * 1.7); // batching costs a little per request
    expect(r[16].latency).toBeGreaterThan(r[8].latency * 1.8); // past max_batch: queueing
    expect(r[32].latency).toBeGreaterThan(r[8].latency * 3.5);
  });
});
