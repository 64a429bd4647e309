import { describe, expect, it } from 'vitest';
import { CLIENT_LIMITS, judgeClient } from '../../../src/runner/client-health.js';

const healthy = { loopDelayP99Ms: 2, loopDelayMaxMs: 8, cpu: 0.2, wallMs: 10_000 };

describe('judging the client', () => {
  it('passes a healthy cell', () => {
    expect(judgeClient(healthy)).toMatchObject({ bound: false, reason: undefined, loop_delay_p99_ms: 2, cpu: 0.2 });
  });

  it('flags each limit with its reason', () => {
    expect(judgeClient({ ...healthy, loopDelayP99Ms: CLIENT_LIMITS.loopDelayP99Ms + 1 }).reason).toBe('event-loop delay p99 21.0 ms');
    expect(judgeClient({ ...healthy, cpu: 0.97 }).reason).toBe('client CPU 97% of a core');
    expect(judgeClient({ ...healthy, dispatchLagP99Ms: 12.5 }).reason).toBe('dispatch lag p99 12.5 ms');
    expect(judgeClient({ ...healthy, cpu: 0.97, loopDelayP99Ms: 50 }).reason).toBe('event-loop delay p99 50.0 ms, client CPU 97% of a core');
  });

  it('does not judge loop delay or CPU on a cell too short to tell', () => {
    expect(judgeClient({ ...healthy, wallMs: 200, loopDelayP99Ms: 60, cpu: 1 }).bound).toBe(false);
  });

  it('weighs loop delay against what the cell measured: 30 ms skews a 100 ms TTFT, not 2-second requests', () => {
    const late = { ...healthy, loopDelayP99Ms: 30 };
    expect(judgeClient(late, CLIENT_LIMITS, { ttftP50Ms: 2000, latencyP50Ms: 2500, concurrency: 1 })).toMatchObject({ bound: false, concurrency: 1 });
    expect(judgeClient(late, CLIENT_LIMITS, { ttftP50Ms: 100, latencyP50Ms: 900, concurrency: 8 })).toMatchObject({
      bound: true,
      reason: 'event-loop delay p99 30.0 ms (30% of TTFT p50 100 ms)',
      concurrency: 8,
      open_loop: false,
    });
  });
});

describe('judging the client with worker threads', () => {
  it('allows the CPU limit once per loop the cores can run, and names the workers', () => {
    expect(judgeClient({ ...healthy, cpu: 1.5, loops: 2, workers: 2 })).toMatchObject({ bound: false, workers: 2 });
    expect(judgeClient({ ...healthy, cpu: 1.9, loops: 2, workers: 2 }).reason).toBe('client CPU 190% of a core');
    expect(judgeClient({ ...healthy, cpu: 1.5 }).bound).toBe(true);
    expect(judgeClient(healthy).workers).toBeUndefined();
  });
});
