import { describe, expect, it } from 'vitest';
import { axisTitle, axisValues, cellLabel, sweptAxes, valueScale } from '../../../src/report/axes.js';
import { axisCharts, boxScale, boxStats, distributionCharts, errorChart, errorGroups, throughputChart } from '../../../src/report/charts.js';
import { chartMarks } from '../../../src/report/meta.js';
import type { ChartSpec } from '../../../src/report/types.js';
import { details as groupRecords, fakeRun, grid } from './fixtures.js';

const line = (c: ChartSpec | undefined) => {
  if (c?.kind !== 'line') throw new Error(`expected a line chart, got ${c?.kind}`);
  return c;
};

describe('swept axes', () => {
  it('charts only axes with more than one value', () => {
    const { cells, axes } = grid({ model: ['m1'], concurrency: [1, 4], temperature: [0.7] });
    expect(sweptAxes(cells, axes)).toEqual(['concurrency']);
    const charts = axisCharts(cells, sweptAxes(cells, axes));
    expect(charts.map((a) => a.axis)).toEqual(['concurrency']);
    expect(charts[0].charts.map((c) => c.id)).toEqual([
      'axis-concurrency-latency_p50',
      'axis-concurrency-latency_p95',
      'axis-concurrency-ttft_p50',
    ]);
  });

  it('has no axis chart when nothing is swept', () => {
    const { cells, axes } = grid({ concurrency: [2] });
    expect(sweptAxes(cells, axes)).toEqual([]);
    expect(axisCharts(cells, [])).toEqual([]);
    expect(throughputChart(cells, [])).toBeUndefined();
  });

  it('orders numbers ascending and text in spec order', () => {
    const { cells } = grid({ model: ['zeta', 'alpha'], concurrency: [8, 1, 4] });
    expect(axisValues(cells, 'concurrency')).toEqual([1, 4, 8]);
    expect(axisValues(cells, 'model')).toEqual(['zeta', 'alpha']);
  });

  it('picks a log scale for positive numbers over a decade, category for text', () => {
    expect(valueScale([1, 2, 4, 8, 16], 'c')).toEqual({ title: 'c', scale: 'logarithmic', ticks: [1, 2, 4, 8, 16] });
    expect(valueScale([0, 0.7, 1], 't').scale).toBe('linear');
    expect(valueScale([64, 256], 'mt').scale).toBe('linear');
    expect(valueScale(['a', true, [1]], 'x')).toEqual({ title: 'x', scale: 'category', labels: ['a', 'true', '[1]'] });
  });

  it("titles axes with their units: the load settings', and the provider's", () => {
    expect(axisTitle('concurrency')).toBe('concurrency (requests in flight)');
    expect(axisTitle('rate')).toBe('rate (requests/s)');
    expect(axisTitle('max_tokens', { max_tokens: 'tokens' })).toBe('max_tokens (tokens)');
    expect(axisTitle('max_tokens')).toBe('max_tokens');
    expect(axisTitle('temperature')).toBe('temperature');
  });

  it('names cells by their swept axes only', () => {
    const { cells, axes } = grid({ model: ['m1'], concurrency: [1, 4], temperature: [0, 0.7] });
    expect(cells.map((c) => cellLabel(c, sweptAxes(cells, axes)))).toEqual(['c=1,t=0', 'c=1,t=0.7', 'c=4,t=0', 'c=4,t=0.7']);
  });
});

describe('axis charts', () => {
  it('draws one line per value of the other swept axes, points in axis order', () => {
    const { cells, axes } = grid({ temperature: [0, 0.7], concurrency: [4, 1] });
    const [byTemp, byConc] = axisCharts(cells, sweptAxes(cells, axes));
    const p50 = line(byConc.charts[0]);
    expect(p50.title).toBe('Latency p50 by concurrency');
    expect(p50.x).toEqual({ title: 'concurrency (requests in flight)', scale: 'linear', ticks: [1, 4] });
    expect(p50.y.title).toBe('latency p50 (ms)');
    expect(p50.series.map((s) => s.label)).toEqual(['temperature=0', 'temperature=0.7']);
    // latency = 100 * concurrency + i over i = 0..4: p50 = 100c + 2.
    expect(p50.series[0].points).toEqual([
      { x: 1, y: 102 },
      { x: 4, y: 402 },
    ]);
    expect(line(byTemp.charts[0]).series.map((s) => s.label)).toEqual(['concurrency=4', 'concurrency=1']);
  });

  it('uses a category scale for text values and skips cells with no successful request', () => {
    const ok = grid({ model: ['a'], concurrency: [1] }, 3);
    const failing = grid({ model: ['b'], concurrency: [1] }, 3, { fail: () => ({ http_status: 503, error: 'HTTP 503: busy', error_kind: 'http' }) });
    const cells = [...ok.cells, ...failing.cells];
    expect(cells[1].ok).toBe(0);
    const [byModel] = axisCharts(cells, sweptAxes(cells, ok.axes));
    const c = line(byModel.charts[0]);
    expect(c.x.scale).toBe('category');
    expect(c.x.labels).toEqual(['a', 'b']);
    expect(c.series).toHaveLength(1);
    expect(c.series[0].points).toEqual([{ x: 'a', y: 101 }]);
  });

  it('leaves out the TTFT chart when no request streamed', () => {
    const { cells, axes } = grid({ concurrency: [1, 2] });
    for (const c of cells) delete c.ttft_ms;
    expect(axisCharts(cells, sweptAxes(cells, axes))[0].charts.map((c) => c.id)).toEqual([
      'axis-concurrency-latency_p50',
      'axis-concurrency-latency_p95',
    ]);
  });
});

describe('thresholds on the charts', () => {
  it('draws unscoped rules near the data as lines (read by the gate\'s parser) and marks the cells that failed them', () => {
    const { cells, axes } = grid({ concurrency: [1, 2] });
    const check = (cell: string, status: string) => ({ cell, threshold: 'latency_ms.p95: < 250', metric: 'latency_ms.p95', op: '<', limit: 250, status });
    const run = fakeRun({
      spec: {
        matrix: { concurrency: [1, 2] },
        thresholds: {
          'latency_ms.p95': '< 250',
          'latency_ms.p50': ['> 0', '< 5000'],
          'ttft_ms.p50{concurrency:1}': '< 10',
          error_rate: '< 1%',
        },
      },
      thresholds: [check('c=2', 'fail'), check('c=1', 'pass')],
    });
    const marks = chartMarks(run);
    expect([...marks.limits.keys()]).toEqual(['latency_ms.p95', 'latency_ms.p50', 'error_rate']);
    const [byConc] = axisCharts(cells, sweptAxes(cells, axes), marks);
    // No request failed, but a threshold names the error rate: its chart shows the limit, in percent.
    const [p50, p95, ttft, errors] = byConc.charts.map(line);
    expect(errors.id).toBe('axis-concurrency-error_rate');
    expect(errors.limits).toEqual([{ axis: 'y', value: 1, label: 'threshold < 1%' }]);
    expect(errors.series[0].points.map((p) => p.y)).toEqual([0, 0]);
    // 5000 is far above the data (p50 ~ 200 ms): not drawn; 0 is drawn.
    expect(p50.limits).toEqual([{ axis: 'y', value: 0, label: 'threshold > 0' }]);
    expect(p95.limits).toEqual([{ axis: 'y', value: 250, label: 'threshold < 250' }]);
    expect(ttft.limits).toBeUndefined();
    expect(p95.series[0].points.map((p) => p.failed)).toEqual([undefined, true]);
    expect(p50.series[0].points.some((p) => p.failed)).toBe(false);
    const t = line(throughputChart(cells, ['concurrency'], marks));
    expect(t.limits).toEqual([{ axis: 'x', value: 250, label: 'threshold < 250' }]);
    expect(t.series[0].points.map((p) => p.failed)).toEqual([undefined, true]);
  });
});

describe('throughput-latency curve', () => {
  it('appears when concurrency is swept, one line per other combination, points labelled by load', () => {
    const { cells, axes } = grid({ temperature: [0, 1], concurrency: [1, 2, 4] });
    const t = line(throughputChart(cells, sweptAxes(cells, axes)));
    expect(t.x.title).toBe('latency p95 (ms)');
    expect(t.y.title).toBe('output tokens/s');
    expect(t.pointLabels).toBe(true);
    expect(t.series.map((s) => s.label)).toEqual(['temperature=0', 'temperature=1']);
    // This grid's throughput flattens after c=1 while latency climbs: c=1 is the knee (metrics/knee.ts).
    expect(t.series[0].points.map((p) => p.label)).toEqual(['c=1 knee', 'c=2', 'c=4']);
    expect(t.series[0].points.map((p) => p.knee)).toEqual([true, undefined, undefined]);
    expect(t.series[0].points[0].x).toBeCloseTo(cells[0].latency_ms!.p95);
    expect(t.series[0].points[0].y).toBeCloseTo(cells[0].output_tokens_per_s);
  });

  it('uses rate when that is the swept load axis', () => {
    const { cells, axes } = grid({ rate: [1, 5], concurrency: [64] });
    const t = line(throughputChart(cells, sweptAxes(cells, axes)));
    expect(t.title).toBe('Output throughput vs latency p95, by rate');
    expect(t.series).toHaveLength(1);
    expect(t.series[0].label).toBe('all cells');
    expect(t.series[0].points.map((p) => p.label)).toEqual(['r=1', 'r=5']);
  });

  it('is absent when only request parameters are swept', () => {
    const { cells, axes } = grid({ temperature: [0, 1], concurrency: [8] });
    expect(throughputChart(cells, sweptAxes(cells, axes))).toBeUndefined();
  });
});

describe('distributions and errors', () => {
  it('computes box numbers from the successful requests of each cell', () => {
    expect(boxStats([5, 1, 3, 2, 4, undefined])).toEqual({ count: 5, min: 1, q1: 2, median: 3, q3: 4, p95: 4.8, max: 5 });
    expect(boxStats([])).toBeNull();
    const { cells, axes, records } = grid({ concurrency: [1, 2] });
    const d = distributionCharts(cells, groupRecords(records), sweptAxes(cells, axes));
    expect(d.map((c) => c.id)).toEqual(['dist-latency', 'dist-ttft']);
    const lat = d[0];
    if (lat.kind !== 'box') throw new Error('box expected');
    expect(lat.categories).toEqual(['c=1', 'c=2']);
    expect(lat.boxes[1]).toMatchObject({ count: 5, min: 200, median: 202, max: 204 });
  });

  it('switches the value axis to log when cells differ by more than 30x', () => {
    const box = (min: number, max: number) => ({ count: 2, min, q1: min, median: min, q3: max, p95: max, max });
    expect(boxScale([box(80, 120), box(100, 900)], 'ms')).toEqual({ title: 'ms', scale: 'linear', min: 0, max: 918 });
    expect(boxScale([box(80, 120), null, box(2000, 9000)], 'ms')).toEqual({
      title: 'ms',
      scale: 'logarithmic',
      ticks: [50, 100, 200, 500, 1000, 2000, 5000, 10000],
      min: 50,
      max: 10000,
    });
  });

  it('keeps the report size independent of the request count', () => {
    const small = grid({ concurrency: [1, 2] }, 10);
    const big = grid({ concurrency: [1, 2] }, 5000);
    const size = (g: typeof small) => JSON.stringify(distributionCharts(g.cells, groupRecords(g.records), ['concurrency'])).length;
    expect(size(big)).toBeLessThan(size(small) * 1.5);
  });

  it('groups errors by HTTP status or kind, most frequent first, with cells and an example', () => {
    const { cells, axes, records } = grid({ concurrency: [1, 2] }, 6, {
      fail: (i) =>
        i === 1
          ? { http_status: 200, error: 'timeout: no data for 300 ms', error_kind: 'timeout' }
          : i >= 3
            ? { http_status: 503, error: 'HTTP 503: busy', error_kind: 'http' }
            : undefined,
    });
    const swept = sweptAxes(cells, axes);
    const byCell = groupRecords(records);
    const groups = errorGroups(cells, byCell, swept);
    expect(groups).toEqual([
      { key: 'HTTP 503', kind: 'http', http_status: 503, count: 6, cells: ['c=1', 'c=2'], example: 'HTTP 503: busy' },
      { key: 'timeout (after HTTP 200)', kind: 'timeout', http_status: 200, count: 2, cells: ['c=1', 'c=2'], example: 'timeout: no data for 300 ms' },
    ]);
    const chart = errorChart(cells, byCell, swept, groups);
    expect(chart).toMatchObject({ kind: 'stacked-bar', categories: ['c=1', 'c=2'], series: [{ label: 'HTTP 503', values: [3, 3] }, { label: 'timeout (after HTTP 200)', values: [1, 1] }] });
  });

  it('has no error chart when nothing failed', () => {
    const { cells, records } = grid({ concurrency: [1, 2] });
    const byCell = groupRecords(records);
    expect(errorGroups(cells, byCell, ['concurrency'])).toEqual([]);
    expect(errorChart(cells, byCell, ['concurrency'], [])).toBeUndefined();
  });
});
