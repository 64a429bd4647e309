import { describe, expect, it } from 'vitest';
import { CellColumns } from '../../../src/metrics/cell-columns.js';
import type { Slo } from '../../../src/metrics/summary.js';
import type { RequestRecord } from '../../../src/records/types.js';
import { judgeSlo } from '../../../src/search/criterion.js';
import { searchCapacity } from '../../../src/search/strategy.js';
import type { Measure, SearchOptions } from '../../../src/search/types.js';
import { BatchScheduler } from '../../../src/simulator/latency-model.js';
import { mixSeed, mulberry32 } from '../../../src/random.js';
import {
  closedLoopState,
  impliedCapacity,
  openLoopState,
  saturationRate,
  type Workload,
} from '../../../src/simulator/steady-state.js';
import type { LatencyParams } from '../../../src/simulator/types.js';
import { simulatorSchema } from '../../../src/spec/schema.js';
import { VirtualClock } from '../../helpers/virtual-clock.js';

const EPOCH = Date.UTC(2026, 0, 1);

/**
 * Runs the real batch scheduler in virtual time: n requests, closed loop at `concurrency`
 * (each client sends its next request the moment the last ends) or evenly spaced at
 * `rate` requests/s. Returns one record per request, as the runner would write it.
 */
function runModel(p: LatencyParams, w: Workload, load: { concurrency: number } | { rate: number }, n: number, seed: number): RequestRecord[] {
  const clock = new VirtualClock();
  const scheduler = new BatchScheduler(p, clock);
  const out: RequestRecord[] = [];
  let sent = 0;
  const send = (): void => {
    if (sent >= n) return;
    const id = sent++;
    const arrived = clock.now();
    let first = NaN;
    scheduler.submit({
      promptTokens: w.promptTokens,
      outputTokens: w.outputTokens,
      random: mulberry32(mixSeed(seed, id)),
      arrivedAt: arrived,
      onToken: (i, at) => {
        if (i === 0) first = at;
      },
      onDone: (at) => {
        out.push({
          cell: 'c',
          params: {},
          prompt_id: 0,
          repeat: id,
          started_at: new Date(EPOCH + arrived).toISOString(),
          status: 'ok',
          attempts: 1,
          ttft_ms: first - arrived,
          latency_ms: at - arrived,
          tpot_ms: (at - first) / (w.outputTokens - 1),
          itl_p50_ms: (at - first) / (w.outputTokens - 1),
          completion_tokens: w.outputTokens,
        });
        if ('concurrency' in load) send();
      },
    });
  };
  if ('concurrency' in load) {
    for (let i = 0; i < Math.min(load.concurrency, n); i++) send();
  } else {
    const gap = 1000 / load.rate;
    const arrive = () => {
      send();
      if (sent < n) clock.setTimer(arrive, gap);
    };
    arrive();
  }
  clock.run();
  return out;
}

/** A measure callback over the model: every round is a fresh run, like a cell, its requests kept per value. */
function modelMeasure(p: LatencyParams, w: Workload, over: 'concurrency' | 'rate', slo: Slo, seed: number): Measure {
  const kept = new Map<number, CellColumns>();
  return async (value, more, at) => {
    const n = 'requests' in more ? more.requests : 0;
    const columns = kept.get(value) ?? new CellColumns();
    kept.set(value, columns);
    const load = over === 'concurrency' ? { concurrency: value } : { rate: value };
    for (const r of runModel(p, w, load, n, mixSeed(seed, at.step, at.round))) columns.push(r);
    return { judgement: judgeSlo(columns, slo, 0.95, 0.9), requests: columns.length };
  };
}

const defaults = simulatorSchema.parse({});

describe('steady state of the latency model', () => {
  it('matches the knee table of docs/simulator.md (defaults, 10 prompt tokens, 128 output tokens)', () => {
    const w = { promptTokens: 10, outputTokens: 128 };
    expect(closedLoopState(defaults, w, 1)).toMatchObject({ ttft_ms: 80.5, latency_ms: 1985.5, queue_ms: 0 });
    expect(closedLoopState(defaults, w, 1).output_tokens_per_s).toBeCloseTo(64.5, 1);
    expect(closedLoopState(defaults, w, 8).latency_ms).toBeCloseTo(3052.3, 1);
    expect(closedLoopState(defaults, w, 8).output_tokens_per_s).toBeCloseTo(335.5, 1);
    // Past max_batch throughput is flat and the wait grows by Little's law.
    expect(closedLoopState(defaults, w, 32).output_tokens_per_s).toBeCloseTo(335.5, 1);
    expect(closedLoopState(defaults, w, 16).queue_ms).toBeCloseTo(3052.3, 1);
  });

  it('agrees with the scheduler run in virtual time, closed loop and open loop', () => {
    const p: LatencyParams = { ttft_ms: 50, prefill_ms_per_token: 0.5, itl_ms: 10, jitter: 0, max_batch: 8, batch_slowdown: 0.05 };
    const w = { promptTokens: 20, outputTokens: 32 };
    const mean = (rs: RequestRecord[], k: 'ttft_ms' | 'tpot_ms' | 'latency_ms') => rs.reduce((s, r) => s + r[k]!, 0) / rs.length;
    for (const c of [1, 3, 8]) {
      // Leave out the last wave: the batch empties as the run ends.
      const rs = runModel(p, w, { concurrency: c }, 200, 1).slice(0, 200 - c);
      const s = closedLoopState(p, w, c);
      expect(mean(rs, 'tpot_ms')).toBeCloseTo(s.tpot_ms, 6);
      expect(mean(rs, 'latency_ms')).toBeCloseTo(s.latency_ms, 6);
    }
    const sat = saturationRate(p, w);
    for (const frac of [0.3, 0.6, 0.9]) {
      // Skip the first requests: the batch fills up from empty.
      const rs = runModel(p, w, { rate: sat * frac }, 400, 1).slice(100);
      const s = openLoopState(p, w, sat * frac);
      expect(mean(rs, 'ttft_ms')).toBeCloseTo(s.ttft_ms, 6);
      // The batch holds floor(n) or ceil(n) sequences by turns; TPOT follows the average to within a per cent.
      expect(Math.abs(mean(rs, 'tpot_ms') / s.tpot_ms - 1)).toBeLessThan(0.01);
    }
    // Past saturation the queue grows with the run.
    const over = runModel(p, w, { rate: sat * 1.2 }, 400, 1);
    expect(over[399].ttft_ms!).toBeGreaterThan(over[100].ttft_ms! + 1000);
  });
});

describe('the capacity the model implies', () => {
  const queueBound: LatencyParams = { ttft_ms: 50, prefill_ms_per_token: 0, itl_ms: 10, jitter: 0.05, max_batch: 4, batch_slowdown: 0.05 };
  const tpotBound: LatencyParams = { ...queueBound, max_batch: 16 };
  const w = { promptTokens: 10, outputTokens: 32 };

  it('is max_batch when queueing breaks a TTFT SLO, and the batch size whose TPOT fits when that binds first', () => {
    const search = { over: 'concurrency' as const, min: 1, max: 64, attainment: 0.95 };
    expect(impliedCapacity(queueBound, w, { ttft_ms: 100 }, search)).toEqual({ capacity: 4, firstFail: 5 });
    // TPOT at 9 = 10 x 1.4 = 14 ms, at 10 = 14.5 ms.
    expect(impliedCapacity(tpotBound, w, { tpot_ms: 14.2 }, search)).toEqual({ capacity: 9, firstFail: 10 });
    expect(impliedCapacity(tpotBound, w, { tpot_ms: 100 }, search)).toEqual({ capacity: 64 });
    expect(impliedCapacity(tpotBound, w, { ttft_ms: 10 }, search)).toEqual({ capacity: undefined, firstFail: 1 });
    // A queue only 1 in 32 requests waits in cannot be told from 95% attainment.
    expect(() => impliedCapacity({ ...queueBound, max_batch: 32 }, w, { ttft_ms: 100 }, search)).toThrow(/does not pin/);
  });

  it('is the saturation rate when queueing breaks a TTFT SLO, and the rate whose batch TPOT fits when that binds first', () => {
    const search = { over: 'rate' as const, min: 0.5, max: 200, attainment: 0.95 };
    const sat = saturationRate(queueBound, w);
    expect(sat).toBeCloseTo((4 / (50 + 31 * 10 * 1.15)) * 1000, 9);
    expect(impliedCapacity(queueBound, w, { ttft_ms: 150 }, search).capacity).toBeCloseTo(sat, 9);
    const r = impliedCapacity(tpotBound, w, { tpot_ms: 14.2 }, search).capacity!;
    expect(openLoopState(tpotBound, w, r).tpot_ms).toBeCloseTo(14.2, 9);
    expect(impliedCapacity(tpotBound, w, { tpot_ms: 100 }, search)).toEqual({ capacity: 200 });
  });
});

describe('searching the model in virtual time finds the implied capacity within one step', () => {
  const base: LatencyParams = { ttft_ms: 50, prefill_ms_per_token: 0, itl_ms: 10, jitter: 0.05, max_batch: 4, batch_slowdown: 0.05 };
  const w = { promptTokens: 10, outputTokens: 32 };
  const options = (over: SearchOptions['over']): SearchOptions => ({
    over,
    min: 1,
    max: 64,
    budget: { requests: 200 },
    maxRounds: 3,
    maxSteps: 12,
    tolerance: 0.1,
  });
  const cases: [string, LatencyParams, Slo][] = [
    ['queueing binds', base, { ttft_ms: 100 }],
    ['TPOT binds', { ...base, max_batch: 16 }, { tpot_ms: 14.2 }],
  ];

  it.each(cases)('concurrency, %s', async (_, p, slo) => {
    const truth = impliedCapacity(p, w, slo, { over: 'concurrency', min: 1, max: 64, attainment: 0.95 }).capacity!;
    const r = await searchCapacity(options('concurrency'), modelMeasure(p, w, 'concurrency', slo, 1));
    expect(r.outcome).toBe('bracketed');
    expect(Math.abs(r.capacity! - truth)).toBeLessThanOrEqual(1);
    const again = await searchCapacity(options('concurrency'), modelMeasure(p, w, 'concurrency', slo, 1));
    expect(again.steps).toEqual(r.steps);
  });

  it.each([
    ['queueing binds', base, { ttft_ms: 150 }],
    ['TPOT binds', { ...base, max_batch: 16 }, { tpot_ms: 14.2 }],
  ] as [string, LatencyParams, Slo][])('rate, %s', async (_, p, slo) => {
    const truth = impliedCapacity(p, w, slo, { over: 'rate', min: 1, max: 64, attainment: 0.95 }).capacity!;
    const r = await searchCapacity(options('rate'), modelMeasure(p, w, 'rate', slo, 1));
    expect(r.outcome).toBe('bracketed');
    expect(r.converged).toBe(true);
    // One step: the bracket (within 10%) holds the truth, give or take one more 10%.
    expect(r.bracket.pass!).toBeLessThanOrEqual(truth * 1.1);
    expect(r.bracket.fail!).toBeGreaterThanOrEqual(truth / 1.1);
  });
});
