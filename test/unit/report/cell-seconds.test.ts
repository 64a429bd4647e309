import { describe, expect, it } from 'vitest';
import { CellColumns } from '../../../src/metrics/cell-columns.js';
import type { RequestRecord } from '../../../src/records/types.js';
import { cellSeconds } from '../../../src/report/cell-seconds.js';

const t0 = Date.UTC(2026, 0, 1);
const rec = (startMs: number, latency: number, ok = true, ttft?: number): RequestRecord =>
  ({
    cell: 'c',
    params: {},
    prompt_id: 0,
    repeat: 0,
    started_at: new Date(t0 + startMs).toISOString(),
    status: ok ? 'ok' : 'error',
    http_status: ok ? 200 : 503,
    error_kind: ok ? undefined : 'http',
    attempts: 1,
    latency_ms: latency,
    ttft_ms: ttft,
  }) as unknown as RequestRecord;

describe('a cell over time', () => {
  it('buckets by second of send: p50 latency and TTFT, mean in flight, errors', () => {
    const tl = cellSeconds(
      CellColumns.from([rec(0, 400, true, 50), rec(100, 600, true, 70), rec(200, 800, true, 90), rec(1200, 500, false), rec(1500, 1000, true, 30)]),
    )!;
    expect(tl.bucket_s).toBe(1);
    expect(tl.t).toEqual([0, 1, 2]);
    expect(tl.latency_p50).toEqual([600, 1000, null]);
    expect(tl.ttft_p50).toEqual([70, 30, null]);
    expect(tl.errors).toEqual([0, 1, 0]);
    // Second 0: 400 + 600 + 800 ms busy = 1.8 in flight; second 1: 0.5 + 0.5 s; the last
    // bucket (2.0-2.5 s) has the 1000 ms request for its 0.5 s.
    expect(tl.in_flight).toEqual([1.8, 1, 1]);
  });

  it('widens its buckets for a long cell, keeping at most 600', () => {
    const tl = cellSeconds(CellColumns.from([rec(0, 10), rec(3_600_000, 10)]))!;
    expect(tl.bucket_s).toBe(7);
    expect(tl.t.length).toBeLessThanOrEqual(600);
  });
});
