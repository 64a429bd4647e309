import { describe, expect, it } from 'vitest';
import { compileThresholds } from '../../../src/compare/thresholds.js';
import { CellColumns } from '../../../src/metrics/cell-columns.js';
import { summarizeCell } from '../../../src/metrics/summary.js';
import type { RequestRecord } from '../../../src/records/types.js';
import { defaultRequestsPerStep, judgeProportion, minRequestsToPass, judgeSlo, judgeThresholds, sloLabel, thresholdProportion } from '../../../src/search/criterion.js';

function rec(i: number, over: Partial<RequestRecord> = {}): RequestRecord {
  return {
    cell: 'c',
    params: { model: 'm', concurrency: 8 },
    prompt_id: i,
    repeat: 0,
    started_at: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, i * 10)).toISOString(),
    status: 'ok',
    attempts: 1,
    latency_ms: 1000,
    ttft_ms: 100,
    tpot_ms: 10,
    completion_tokens: 91,
    ...over,
  };
}

/** n requests, the first `slow` of them with TTFT 900 ms, then `errors` failed ones. */
function cell(n: number, slow: number, errors = 0) {
  const records = Array.from({ length: n }, (_, i) =>
    i < slow ? rec(i, { ttft_ms: 900 }) : i >= n - errors ? rec(i, { status: 'error', http_status: 503, latency_ms: 3, ttft_ms: undefined }) : rec(i),
  );
  const columns = CellColumns.from(records);
  return { columns, summary: summarizeCell('c', records[0].params, columns) };
}

describe('judgeProportion', () => {
  it('passes when the interval is wholly at or above the target, fails wholly below, else undecided by its lean', () => {
    expect(judgeProportion(99, 100, 0.95, 0.9, 'x')).toMatchObject({ verdict: 'pass', lean: 'pass', attainment: 0.99 });
    expect(judgeProportion(80, 100, 0.95, 0.9, 'x')).toMatchObject({ verdict: 'fail', lean: 'fail' });
    expect(judgeProportion(96, 100, 0.95, 0.9, 'x')).toMatchObject({ verdict: 'undecided', lean: 'pass' });
    expect(judgeProportion(93, 100, 0.95, 0.9, 'x')).toMatchObject({ verdict: 'undecided', lean: 'fail' });
    // The same share, ten times the requests: now decided.
    expect(judgeProportion(960, 1000, 0.9, 0.9, 'x').verdict).toBe('pass');
  });

  it('cannot pass 95% with 90% confidence on fewer than 52 requests, even with none missing', () => {
    expect(judgeProportion(51, 51, 0.95, 0.9, 'x').verdict).toBe('undecided');
    expect(judgeProportion(52, 52, 0.95, 0.9, 'x').verdict).toBe('pass');
  });

  it('knows the fewest requests that can pass a target, and defaults to twice that', () => {
    expect(minRequestsToPass(0.95, 0.9)).toBe(52);
    expect(minRequestsToPass(0.99, 0.9)).toBe(268);
    expect(minRequestsToPass(0.9, 0.95)).toBe(35);
    for (const [a, c] of [[0.95, 0.9], [0.99, 0.8], [0.5, 0.99]]) {
      const n = minRequestsToPass(a, c);
      expect(judgeProportion(n, n, a, c, 'x').verdict).toBe('pass');
      expect(judgeProportion(n - 1, n - 1, a, c, 'x').verdict).not.toBe('pass');
    }
    expect(defaultRequestsPerStep(0.95, 0.9)).toBe(104);
    expect(defaultRequestsPerStep(1, 0.9)).toBe(50);
  });

  it('judges a target of 1 by every request: no miss passes, one miss fails', () => {
    expect(judgeProportion(20, 20, 1, 0.9, 'x').verdict).toBe('pass');
    expect(judgeProportion(19, 20, 1, 0.9, 'x').verdict).toBe('fail');
  });

  it('is undecided with no requests', () => {
    expect(judgeProportion(0, 0, 0.9, 0.9, 'x')).toMatchObject({ verdict: 'undecided', lean: 'fail', interval: [0, 1] });
  });
});

describe('judgeSlo', () => {
  it('counts requests that succeeded and met every SLO, errors as misses', () => {
    const { columns } = cell(200, 2, 1);
    const j = judgeSlo(columns, { ttft_ms: 500, tpot_ms: 50 }, 0.95, 0.9);
    expect(j).toMatchObject({ verdict: 'pass', attainment: 197 / 200, label: 'TTFT <= 500 ms and TPOT <= 50 ms for 95% of requests', target: 0.95 });
    expect(judgeSlo(cell(200, 30).columns, { ttft_ms: 500 }, 0.95, 0.9).verdict).toBe('fail');
  });

  it('says the SLO with its target in words', () => {
    expect(sloLabel({ ttft_ms: 500 }, 0.95)).toBe('TTFT p95 <= 500 ms');
    expect(sloLabel({ itl_ms: 20 }, 0.995)).toBe('ITL p99.5 <= 20 ms');
    expect(sloLabel({ latency_ms: 2000, ttft_ms: 300 }, 0.9)).toBe('TTFT <= 300 ms and latency <= 2000 ms for 90% of requests');
    expect(sloLabel({ ttft_ms: 300 }, 1)).toBe('TTFT <= 300 ms for every request');
  });
});

describe('judgeThresholds', () => {
  const compile = (thresholds: Record<string, string | string[]>) => compileThresholds({ thresholds, matrix: { model: ['m', 'other'] } });

  it('turns a percentile threshold into the share on the right side of the limit', () => {
    const { columns } = cell(100, 3);
    const [below, above] = compile({ 'ttft_ms.p95': ['< 500', '> 50'] });
    expect(thresholdProportion(below, columns)).toEqual({ successes: 97, trials: 100, target: 0.95 });
    // p95 > 50: more than 5% of values above 50.
    expect(thresholdProportion(above, columns)).toEqual({ successes: 100, trials: 100, target: 0.05 });
  });

  it('turns error_rate and slo_attainment into proportions, and leaves the rest to their value', () => {
    const { columns } = cell(100, 10, 1);
    const [err] = compile({ error_rate: '< 5%' });
    expect(thresholdProportion(err, columns)).toEqual({ successes: 99, trials: 100, target: 0.95 });
    const [att] = compile({ slo_attainment: '>= 0.8' });
    expect(thresholdProportion(att, columns, { ttft_ms: 500 })).toEqual({ successes: 89, trials: 100, target: 0.8 });
    const [mean] = compile({ 'latency_ms.mean': '< 2000' });
    expect(thresholdProportion(mean, columns)).toBeUndefined();
  });

  it('fails when any threshold fails, is undecided when one is, passes when all pass', () => {
    const clean = cell(200, 2);
    const pass = judgeThresholds(compile({ 'ttft_ms.p95': '< 500', 'latency_ms.mean': '< 2000' }), clean.columns, clean.summary, 0.9);
    expect(pass).toMatchObject({ verdict: 'pass', lean: 'pass', attainment: 198 / 200, target: 0.95 });
    expect(pass.label).toBe('ttft_ms.p95 < 500 and latency_ms.mean < 2000');

    const meanFails = judgeThresholds(compile({ 'ttft_ms.p95': '< 500', 'latency_ms.mean': '< 500' }), clean.columns, clean.summary, 0.9);
    // The failing threshold decides; the proportion that passed is not what is shown.
    expect(meanFails).toMatchObject({ verdict: 'fail', lean: 'fail', label: 'ttft_ms.p95 < 500 and latency_ms.mean < 500' });
    expect(meanFails.attainment).toBeUndefined();

    const edge = cell(100, 5);
    expect(judgeThresholds(compile({ 'ttft_ms.p95': '< 500' }), edge.columns, edge.summary, 0.9)).toMatchObject({
      verdict: 'undecided',
      lean: 'pass',
      attainment: 0.95,
    });
  });

  it('skips thresholds scoped to other cells', () => {
    const { columns, summary } = cell(100, 50);
    const j = judgeThresholds(compile({ 'ttft_ms.p95{model:other}': '< 500' }), columns, summary, 0.9);
    expect(j).toMatchObject({ verdict: 'pass', label: 'no threshold applies' });
  });
});
