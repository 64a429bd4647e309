import { describe, expect, it } from 'vitest';
import { checkCell, evaluateThresholds, parseThresholds } from '../../../src/compare/thresholds.js';
import { UserError } from '../../../src/errors.js';
import type { CellSummary } from '../../../src/metrics/summary.js';
import { loadSpec } from '../../../src/spec/load.js';
import { writeSpec } from '../../helpers/cli.js';

const at = (path: (string | number)[], which: 'key' | 'value' = 'value') => `${which}@${path.join('.')}`;
const matrix = { model: ['a', 'b'], concurrency: [1, 8], include: [{ model: 'c', concurrency: 2 }] };

function parse(thresholds: Record<string, string | string[]>) {
  return parseThresholds({ thresholds, matrix }, at);
}

function summary(over: Partial<CellSummary> = {}): CellSummary {
  const stats = { count: 10, mean: 900, min: 400, max: 2500, p50: 800, p90: 1500, p95: 2100, p99: 2400 };
  return {
    cell: 'm=a,c=8',
    params: { model: 'a', concurrency: 8 },
    requests: 10,
    ok: 10,
    errors: 0,
    error_rate: 0,
    duration_s: 5,
    requests_per_s: 2,
    output_tokens_per_s: 120,
    latency_ms: stats,
    ttft_ms: { ...stats, p50: 250 },
    prompt_tokens_mean: 12,
    completion_tokens_mean: 60,
    estimated_tokens: 0,
    errors_by_kind: {},
    ...over,
  };
}

describe('threshold parsing', () => {
  it('reads metric.agg, scalar metrics, every operator, lists, percentages and scopes', () => {
    const { thresholds, problems } = parse({
      'latency_ms.p95': '< 2000',
      error_rate: '<= 1%',
      output_tokens_per_s: ['>= 100', '!= 0'],
      'ttft_ms.max': '==5',
      'tpot_ms.min': '> 1e-3',
      'itl_ms.p99{model:a, concurrency=8}': '< 40',
      slo_attainment: '>= 99.5%',
    });
    expect(problems).toEqual([]);
    expect(thresholds.map((t) => [t.metric.key, t.op, t.limit, t.scope])).toEqual([
      ['latency_ms.p95', '<', 2000, {}],
      ['error_rate', '<=', 0.01, {}],
      ['output_tokens_per_s', '>=', 100, {}],
      ['output_tokens_per_s', '!=', 0, {}],
      ['ttft_ms.max', '==', 5, {}],
      ['tpot_ms.min', '>', 0.001, {}],
      ['itl_ms.p99', '<', 40, { model: 'a', concurrency: '8' }],
      ['slo_attainment', '>=', 0.995, {}],
    ]);
  });

  it('reports each mistake at the key or the value, with a fix', () => {
    const { problems } = parse({
      'latncy_ms.p95': '< 2000',
      latency_ms: '< 2000',
      'latency_ms.p955': '< 2000',
      'error_rate.p95': '< 1',
      'ttft_ms.p50': '2000',
      'tpot_ms.p50': ['< 10', 'fast'],
      'latency_ms.p50': '< 10%',
      'latency_ms.p90{modle:a}': '< 1',
      'latency_ms.p99{model:z}': '< 1',
    });
    expect(problems).toEqual([
      "key@thresholds.latncy_ms.p95: threshold 'latncy_ms.p95': unknown metric 'latncy_ms' — did you mean 'latency_ms'?",
      "key@thresholds.latency_ms: threshold 'latency_ms': latency_ms needs an aggregate: latency_ms.p95 (one of mean, p50, p90, p95, p99, min, max, or a percentile such as p99.9)",
      "key@thresholds.latency_ms.p955: threshold 'latency_ms.p955': unknown aggregate 'p955' of latency_ms — did you mean 'p95'? (one of mean, p50, p90, p95, p99, min, max, or a percentile such as p99.9 listed in percentiles:)",
      "key@thresholds.error_rate.p95: threshold 'error_rate.p95': error_rate is one number per cell; it takes no aggregate (write just 'error_rate')",
      'value@thresholds.ttft_ms.p50: threshold \'ttft_ms.p50\': cannot read "2000"; write an operator and a number, e.g. "< 2000" (operators: < <= > >= == !=)',
      'value@thresholds.tpot_ms.p50.1: threshold \'tpot_ms.p50\': cannot read "fast"; write an operator and a number, e.g. "< 2000" (operators: < <= > >= == !=)',
      "value@thresholds.latency_ms.p50: threshold 'latency_ms.p50': a percentage only applies to error_rate, slo_attainment and check_pass_rate; give latency_ms in its own unit",
      "key@thresholds.latency_ms.p90{modle:a}: threshold 'latency_ms.p90{modle:a}': 'modle' is not a matrix axis — did you mean 'model'?",
      "key@thresholds.latency_ms.p99{model:z}: threshold 'latency_ms.p99{model:z}': no cell has model=z (values: a, b, c)",
    ]);
  });

  it('is checked when the spec loads: bad syntax is a UserError at file:line:col', () => {
    const file = writeSpec(`name: t
target: { base_url: "http://127.0.0.1:9/v1" }
prompts: ["hi"]
matrix:
  temperature: [0, 1]
thresholds:
  error_rate: "< 1%"
  latency_ms.p95: "about 2000"
  ttft_ms.p5O: "< 300"
compare:
  latency_ms.p95: "+ten%"
`);
    let err: unknown;
    try {
      loadSpec(file);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    const problems = (err as UserError).problems.map((p) => p.replace(file, 'spec.yaml'));
    expect(problems).toEqual([
      'spec.yaml:8:19: threshold \'latency_ms.p95\': cannot read "about 2000"; write an operator and a number, e.g. "< 2000" (operators: < <= > >= == !=)',
      "spec.yaml:9:3: threshold 'ttft_ms.p5O': unknown aggregate 'p5O' of ttft_ms — did you mean 'p50'? (one of mean, p50, p90, p95, p99, min, max, or a percentile such as p99.9 listed in percentiles:)",
      'spec.yaml:11:19: compare \'latency_ms.p95\': cannot read tolerance "+ten%" of latency_ms.p95; write "+10%" (relative), "+0.01" (absolute), "-5%" for a drop, "±10%" for either way',
    ]);
  });
});

describe('threshold evaluation', () => {
  it('passes and fails on the measured value and sets summary.threshold', () => {
    const { thresholds } = parse({ 'latency_ms.p95': '< 2000', error_rate: '< 1%', 'ttft_ms.p50': '< 300' });
    const s = summary();
    const results = checkCell(thresholds, s);
    expect(results.map((r) => [r.threshold, r.value, r.status])).toEqual([
      ['latency_ms.p95: < 2000', 2100, 'fail'],
      ['error_rate: < 1%', 0, 'pass'],
      ['ttft_ms.p50: < 300', 250, 'pass'],
    ]);
    expect(s.threshold).toBe('fail');
    const ok = summary({ latency_ms: { ...summary().latency_ms!, p95: 1999.9 } });
    checkCell(thresholds, ok);
    expect(ok.threshold).toBe('pass');
  });

  it('applies a scoped threshold only to the cells with those matrix values', () => {
    const { thresholds } = parse({ 'latency_ms.p50{model:b}': '< 100', 'latency_ms.p50{concurrency:8}': '< 1000' });
    expect(evaluateThresholds(thresholds, summary()).map((r) => r.threshold)).toEqual(['latency_ms.p50{concurrency:8}: < 1000']);
    const b1 = summary({ cell: 'm=b,c=1', params: { model: 'b', concurrency: 1 } });
    expect(evaluateThresholds(thresholds, b1).map((r) => [r.threshold, r.status])).toEqual([['latency_ms.p50{model:b}: < 100', 'fail']]);
    const none = summary({ params: { model: 'c', concurrency: 2 } });
    checkCell(thresholds, none);
    expect(none.threshold).toBeUndefined();
  });

  it('fails a metric the cell could not measure, skips one that does not apply', () => {
    const { thresholds } = parse({ 'latency_ms.p95': '< 2000', 'ttft_ms.p50': '< 300', slo_attainment: '> 90%' });
    const allFailed = summary({ ok: 0, errors: 10, error_rate: 1, latency_ms: undefined, ttft_ms: undefined });
    expect(evaluateThresholds(thresholds, allFailed).map((r) => [r.metric, r.status, r.note])).toEqual([
      ['latency_ms.p95', 'fail', 'not measured: no successful requests'],
      ['ttft_ms.p50', 'fail', 'not measured: no successful requests'],
      ['slo_attainment', 'fail', 'not measured: slo_attainment needs an slo: section in the spec'],
    ]);
    const notStreamed = summary({ ttft_ms: undefined });
    const r = evaluateThresholds(thresholds, notStreamed).find((x) => x.metric === 'ttft_ms.p50')!;
    expect(r).toMatchObject({ status: 'skip', note: 'not measured: needs a streamed response' });
    const withSlo = { ...summary(), slo_attainment: 0.95 } as CellSummary;
    expect(evaluateThresholds(thresholds, withSlo).find((x) => x.metric === 'slo_attainment')).toMatchObject({ status: 'pass', value: 0.95 });
  });
});
