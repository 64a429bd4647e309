import { describe, expect, it } from 'vitest';
import { bootstrapDifference } from '../../../src/compare/bootstrap.js';
import { parseMetric, requestSample, whyMissing } from '../../../src/compare/gate-metrics.js';
import { checkCell, compileThresholds } from '../../../src/compare/thresholds.js';
import { defaultRulesFor } from '../../../src/compare/tolerances.js';
import type { MetricRef } from '../../../src/compare/types.js';
import { CellColumns } from '../../../src/metrics/cell-columns.js';
import { summarizeCell } from '../../../src/metrics/summary.js';
import type { RequestRecord } from '../../../src/records/types.js';

const row = (i: number, over: Partial<RequestRecord>): RequestRecord => ({
  cell: 'c',
  params: {},
  prompt_id: i,
  repeat: 0,
  started_at: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, i)).toISOString(),
  status: 'ok',
  attempts: 1,
  latency_ms: 100,
  completion_tokens: 10,
  ...over,
});
/** n answers of which `pass` passed their one check, each costing `cost`. */
const cell = (n: number, pass: number, cost = 0.001) =>
  CellColumns.from(Array.from({ length: n }, (_, i) => row(i, { checks_total: 1, checks_passed: i < pass ? 1 : 0, cost })));
const ref = (text: string) => parseMetric(text) as MetricRef;

describe('check_pass_rate and cost as gate metrics', () => {
  it('thresholds read them per cell; a rate takes a percentage', () => {
    const thresholds = compileThresholds({ thresholds: { check_pass_rate: '> 90%', cost_per_1k_requests: '< 0.5' } });
    const s = summarizeCell('c', {}, cell(100, 85, 0.001), { checks: true, priced: true });
    const results = checkCell(thresholds, s);
    expect(results.map((r) => [r.metric, r.status, r.value])).toEqual([
      ['check_pass_rate', 'fail', 0.85],
      ['cost_per_1k_requests', 'fail', 1],
    ]);
    expect(s.threshold).toBe('fail');
  });

  it('without checks or pricing they are not measured, and say what the spec needs', () => {
    const s = summarizeCell('c', {}, [row(0, {})]);
    expect(whyMissing(s, ref('check_pass_rate')).note).toBe('not measured: check_pass_rate needs a checks: section in the spec');
    expect(whyMissing(s, ref('cost_total')).note).toBe('not measured: cost_total needs a pricing: section in the spec');
    const failed = summarizeCell('c', {}, [row(0, { status: 'error', latency_ms: 1 })], { checks: true });
    expect(whyMissing(failed, ref('check_pass_rate'))).toEqual({ applies: true, note: 'not measured: no successful requests, so no answer was checked' });
  });

  it('the bootstrap resamples per-answer pass/fail: a big drop is significant, a small one on few answers is not', () => {
    const opts = { resamples: 2000, confidence: 0.95, seed: 1 };
    const before = requestSample(cell(200, 190), ref('check_pass_rate'))!;
    expect(before.x).toHaveLength(200);
    const big = bootstrapDifference(before, requestSample(cell(200, 120), ref('check_pass_rate'))!, opts)!;
    expect(big.estimate).toEqual([0.95, 0.6]);
    expect(big.ci[1]).toBeLessThan(0);
    const few = bootstrapDifference(requestSample(cell(20, 19), ref('check_pass_rate'))!, requestSample(cell(20, 17), ref('check_pass_rate'))!, opts)!;
    expect(few.ci[0]).toBeLessThan(0);
    expect(few.ci[1]).toBeGreaterThanOrEqual(0);
  });

  it('the cost samples give the cell figures on the full sample', () => {
    const c = CellColumns.from([row(0, { cost: 0.002, completion_tokens: 100 }), row(1, { cost: 0.004, completion_tokens: 300 }), row(2, { status: 'error' })]);
    const total = requestSample(c, ref('cost_total'))!;
    expect(total.stat(total.x)).toBeCloseTo(0.006, 12);
    const per1k = requestSample(c, ref('cost_per_1k_requests'))!;
    expect(per1k.stat(per1k.x)).toBeCloseTo(2, 12); // 0.006 / 3 requests x 1000
    const perTok = requestSample(c, ref('cost_per_1m_output_tokens'))!;
    expect(perTok.stat(perTok.x, perTok.y)).toBeCloseTo(15, 9); // 0.006 / 400 tokens x 1e6
    expect(requestSample(CellColumns.from([row(0, {})]), ref('cost_total'))).toBeUndefined();
  });

  it('compare adds default rules for them when a result has them', () => {
    expect(defaultRulesFor([{ error_rate: 0 }])).not.toHaveProperty('check_pass_rate');
    expect(defaultRulesFor([{ check_pass_rate: 0.9, cost_per_1k_requests: 1 }])).toMatchObject({ check_pass_rate: '-0.05', cost_per_1k_requests: '+10%' });
  });
});
