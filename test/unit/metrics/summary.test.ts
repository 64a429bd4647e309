import { describe, expect, it } from 'vitest';
import { CellColumns } from '../../../src/metrics/cell-columns.js';
import { summarizeCell } from '../../../src/metrics/summary.js';
import type { RequestRecord } from '../../../src/records/types.js';

function rec(i: number, over: Partial<RequestRecord>): RequestRecord {
  return {
    cell: 'c',
    params: {},
    prompt_id: i,
    repeat: 0,
    started_at: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, i * 100)).toISOString(),
    status: 'ok',
    attempts: 1,
    latency_ms: 1000,
    ttft_ms: 100,
    tpot_ms: 10,
    completion_tokens: 91,
    ...over,
  };
}

describe('cell summary', () => {
  // 10 requests sent 100 ms apart, each 1 s long: wall time 0.9 + 1.0 = 1.9 s.
  const records = [
    ...Array.from({ length: 7 }, (_, i) => rec(i, {})),
    rec(7, { ttft_ms: 600 }), // misses the TTFT SLO
    rec(8, { tpot_ms: 80 }), // misses the TPOT SLO
    rec(9, { status: 'error', http_status: 503, error: 'HTTP 503: busy', latency_ms: 5, ttft_ms: undefined }),
  ];

  it('counts, rates and throughput follow the documented definitions', () => {
    const s = summarizeCell('c', {}, records);
    expect(s).toMatchObject({ requests: 10, ok: 9, errors: 1, error_rate: 0.1, errors_by_kind: { 'HTTP 503': 1 } });
    expect(s.duration_s).toBeCloseTo(1.8, 6); // last send at 0.8 s (the error at 0.9 s ends at 0.905 s)
    expect(s.output_tokens_per_s).toBeCloseTo((9 * 91) / 1.8, 6);
    expect(s.requests_per_s).toBeCloseTo(9 / 1.8, 6);
    expect(s.latency_ms?.p50).toBe(1000);
    expect(s.slo_attainment).toBeUndefined();
  });

  it('computes goodput and SLO attainment as vLLM does: all given SLOs, per second of wall time', () => {
    const s = summarizeCell('c', {}, records, { slo: { ttft_ms: 500, tpot_ms: 50, latency_ms: 5000 } });
    expect(s.slo_attainment).toBeCloseTo(7 / 10, 10);
    expect(s.goodput_rps).toBeCloseTo(7 / 1.8, 6);
  });

  it('treats an error as missing every SLO and a lone token as meeting TPOT', () => {
    const c = CellColumns.from([records[9], rec(0, { tpot_ms: undefined })]);
    expect(c.meetsSlo(0, { latency_ms: 10 })).toBe(false);
    expect(c.meetsSlo(1, { tpot_ms: 1 })).toBe(true);
  });

  it('reports latency from the scheduled time when requests queued (open loop)', () => {
    const queued = records.slice(0, 4).map((r, i) => ({ ...r, queue_ms: i * 100 }));
    const s = summarizeCell('c', {}, queued, { rate: 10 });
    expect(s.queue_ms?.max).toBe(300);
    expect(s.e2e_latency_ms?.max).toBe(1300);
    expect(s.offered_rps).toBe(10);
    expect(s.achieved_rps).toBeCloseTo(4 / 1.3, 6);
  });
});
