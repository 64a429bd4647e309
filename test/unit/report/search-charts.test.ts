import { describe, expect, it } from 'vitest';
import type { CellSummary } from '../../../src/metrics/summary.js';
import { paretoChart, searchSections } from '../../../src/report/search-charts.js';
import type { Spec } from '../../../src/spec/schema.js';
import { capacityEntry } from '../../helpers/capacity.js';

const step = (index: number, value: number, verdict: 'pass' | 'fail' | 'undecided', attainment: number) => ({
  index,
  cell: `m=a,c=${value}`,
  value,
  phase: index < 3 ? ('probe' as const) : ('bisect' as const),
  rounds: 1,
  requests: 100,
  verdict,
  lean: verdict === 'fail' ? ('fail' as const) : ('pass' as const),
  attainment,
  interval: [attainment - 0.03, Math.min(1, attainment + 0.02)] as [number, number],
});

const entry = capacityEntry({
  capacity: 3,
  bracket: { pass: 3, fail: 4 },
  converged: true,
  attainment: 0.97,
  interval: [0.94, 0.99],
  fail_attainment: 0.6,
  requests: 400,
  steps: [step(0, 1, 'pass', 1), step(1, 2, 'pass', 0.99), step(2, 4, 'fail', 0.6), step(3, 3, 'pass', 0.97)],
});

const summary = (cell: string, ttft95: number, perUser: number, total: number) =>
  ({ cell, params: {}, completion_tokens_mean: perUser, latency_ms: { mean: 1000 }, ttft_ms: { p95: ttft95 }, output_tokens_per_s: total }) as unknown as CellSummary;

describe('search charts', () => {
  it('draws each searched cell: attainment and its latency percentile by the searched value, fails marked, target, SLO and capacity as lines', () => {
    const spec = { search: { over: 'concurrency', slo: { ttft_ms: 500 } }, slo: undefined } as unknown as Spec;
    const cells = [summary('m=a,c=1', 100, 60, 60), summary('m=a,c=2', 200, 55, 110), summary('m=a,c=4', 900, 30, 120), summary('m=a,c=3', 450, 40, 118)];
    const [s] = searchSections(spec, [entry], cells);
    expect(s.label).toBe('model=a');
    expect(s.line).toBe('3 concurrent requests meet TTFT p95 <= 500 ms (attainment 97%, 90% CI 94-99%); 4 do not (60%)');
    const [att, lat] = s.charts;
    if (att.kind !== 'line' || lat.kind !== 'line') throw new Error('line charts expected');
    expect(att.series[0].points.map((p) => [p.x, p.y, p.label, p.failed])).toEqual([
      [1, 100, 'pass', false],
      [2, 99, 'pass', false],
      [3, 97, 'pass', false],
      [4, 60, 'fail', true],
    ]);
    expect(att.limits).toEqual([
      { axis: 'y', value: 95, label: 'target 95%' },
      { axis: 'x', value: 3, label: 'capacity 3' },
    ]);
    expect(lat.title).toBe('TTFT p95 by concurrency');
    expect(lat.series[0].points.map((p) => p.y)).toEqual([100, 200, 450, 900]);
    expect(lat.limits![0]).toEqual({ axis: 'y', value: 500, label: 'SLO 500 ms' });
  });

  it('draws the Pareto front through the cells no other beats on both, every cell a labelled point', () => {
    const cells = [summary('c=1', 0, 60, 60), summary('c=2', 0, 55, 110), summary('c=3', 0, 40, 100), summary('c=4', 0, 30, 120)];
    const chart = paretoChart(cells, (c) => c.cell)!;
    if (chart.kind !== 'line') throw new Error('line chart expected');
    const [front, all] = chart.series;
    expect(front.points).toEqual([
      { x: 30, y: 120 },
      { x: 55, y: 110 },
      { x: 60, y: 60 },
    ]);
    expect(all.showLine).toBe(false);
    expect(all.points.map((p) => p.label)).toEqual(['c=1', 'c=2', 'c=3', 'c=4']);
    expect(paretoChart(cells.slice(0, 1), (c) => c.cell)).toBeUndefined();
  });
});
