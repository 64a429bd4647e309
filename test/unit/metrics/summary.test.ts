import { describe, expect, it } from 'vitest';
import { CellColumns } from '../../../src/metrics/cell-columns.js';
import { summarizeCell } from '../../../src/metrics/summary.js';
import type { RequestRecord } from '../../../src/records/types.js';
import { okRecord } from '../../helpers/records.js';

const rec = (i: number, over: Partial<RequestRecord>): RequestRecord => okRecord(i, over);

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

  it("holds the mean in flight by Little's law: every request's latency, the failed one's too, over the wall time", () => {
    // 9 requests of 1,000 ms and one of 5 ms over 1.8 s.
    expect(summarizeCell('c', {}, records).concurrency_mean).toBeCloseTo((9 * 1000 + 5) / 1800, 9);
    // Four back-to-back slots of two 500 ms requests each: 4 in flight the whole second.
    const full = Array.from({ length: 8 }, (_, i) => okRecord(i, { latency_ms: 500, started_at: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, i < 4 ? 0 : 500)).toISOString() }));
    expect(summarizeCell('c', {}, full).concurrency_mean).toBeCloseTo(4, 9);
    // The same slots with a 250 ms gap before each second request: 4 x 1,000 ms over 1,250 ms.
    const gappy = full.map((r, i) => (i < 4 ? r : { ...r, started_at: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, 750)).toISOString() }));
    expect(summarizeCell('c', {}, gappy).concurrency_mean).toBeCloseTo(3.2, 9);
    expect(summarizeCell('c', {}, []).concurrency_mean).toBeUndefined();
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

describe('cell summary: checks and cost', () => {
  const rows = [
    ...Array.from({ length: 19 }, (_, i) => rec(i, { checks_passed: 2, checks_total: 2, cost: 0.001, completion_tokens: 100 })),
    rec(19, { checks_passed: 1, checks_total: 2, cost: 0.001, completion_tokens: 100, tokens_source: 'estimate' }),
    rec(20, { status: 'error', http_status: 500, error: 'HTTP 500', latency_ms: 3 }),
  ];

  it('has the pass rate of the checked answers with its Wilson interval, and the cost figures', () => {
    const s = summarizeCell('c', {}, rows, { checks: true, priced: true });
    expect(s.check_pass_rate).toBe(0.95);
    expect(s.check_pass_rate_low).toBeCloseTo(0.763868806553258, 9);
    expect(s.check_pass_rate_high).toBeCloseTo(0.9911185511992047, 9);
    expect(s.cost_total).toBeCloseTo(0.02, 12);
    expect(s.cost_per_1k_requests).toBeCloseTo((0.02 / 21) * 1000, 12);
    expect(s.cost_per_1m_output_tokens).toBeCloseTo((0.02 / 2000) * 1e6, 12);
    expect(s.cost_estimated).toBe(true);
  });

  it('has neither without checks or pricing; with pricing and no costed request, a zero cost', () => {
    const plain = summarizeCell('c', {}, [rec(0, {}), rec(1, {})]);
    expect(plain.check_pass_rate).toBeUndefined();
    expect(plain.cost_total).toBeUndefined();
    const failed = summarizeCell('c', {}, [rows[20]], { checks: true, priced: true });
    expect(failed.check_pass_rate).toBeUndefined(); // not measured: a threshold on it fails
    expect(failed).toMatchObject({ cost_total: 0, cost_estimated: false });
    expect(failed.cost_per_1m_output_tokens).toBeUndefined();
  });
});
