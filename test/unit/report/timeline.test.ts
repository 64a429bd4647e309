import { describe, expect, it } from 'vitest';
import { CellColumns } from '../../../src/metrics/cell-columns.js';
import { summarizeCell } from '../../../src/metrics/summary.js';
import { clientTimeline, timelineCharts } from '../../../src/report/timeline.js';
import type { RunJson } from '../../../src/results/run-json.js';
import { recordsFor } from './fixtures.js';

describe('clientTimeline', () => {
  it('counts requests in flight at evenly spaced times and takes the median latency of those ending in each slice', () => {
    // Starts every 100 ms, each 300 ms long (concurrency 3 in recordsFor's model, plus i ms).
    const c = CellColumns.from(recordsFor({ concurrency: 3 }, 10));
    const t = clientTimeline(c, 10)!;
    expect(t.inFlight[0]).toEqual([0, 1]);
    expect(Math.max(...t.inFlight.map((p) => p[1]))).toBe(3);
    expect(t.inFlight.at(-1)?.[1]).toBe(0);
    expect(t.latency.length).toBeGreaterThan(0);
    expect(t.latency.every(([, ms]) => ms >= 300 && ms <= 309)).toBe(true);
    expect(clientTimeline(CellColumns.from([]))).toBeUndefined();
  });

  it('takes a cell of 300,000 requests (more than a call takes arguments), with the same counts and medians', () => {
    // 300 requests in flight, each 300 + (i % 5) ms; a new one every ms over 300 s.
    const n = 300_000;
    const c = new CellColumns();
    c.length = n;
    c.startMs = Float64Array.from({ length: n }, (_, i) => 1_000_000 + i);
    c.latency = Float64Array.from({ length: n }, (_, i) => 300 + (i % 5));
    c.ok = Uint8Array.from({ length: n }, (_, i) => (i % 10 === 0 ? 0 : 1));
    const t = clientTimeline(c, 100)!;
    expect(t.inFlight).toHaveLength(101);
    // Mid-run, 300 started in the last 300 ms and not yet ended, give or take the 5 ms spread.
    expect(t.inFlight[50][1]).toBeGreaterThanOrEqual(298);
    expect(t.inFlight[50][1]).toBeLessThanOrEqual(305);
    expect(t.inFlight.at(-1)![1]).toBe(0);
    expect(t.latency).toHaveLength(100);
    expect(t.latency.every(([, ms]) => ms === 302)).toBe(true);
  });
});

describe('timelineCharts', () => {
  it("draws a cell's client in flight beside the server's running and waiting, on one time axis", () => {
    const records = recordsFor({ concurrency: 3 }, 10);
    const summary = summarizeCell(records[0].cell, { concurrency: 3 }, records);
    const run = {
      extras: {
        [summary.cell]: {
          server_metrics: [
            { url: 'http://h/metrics', ok: 3, failed: 0, timelines: { server_running: [[-0.01, 0], [0.5, 3], [1.3, 0]], server_waiting: [[-0.01, 0], [0.5, 1], [1.3, 0]] } },
          ],
        },
      },
    } as unknown as RunJson;
    const timelines = new Map([[summary.cell, clientTimeline(CellColumns.from(records))]]);
    const [cell] = timelineCharts(run, [summary], timelines, []);
    expect(cell.charts.map((c) => c.id)).toEqual(['timeline-requests-0', 'timeline-latency-0']);
    const requests = cell.charts[0];
    if (requests.kind !== 'line') throw new Error('a line chart');
    expect(requests.series.map((s) => s.label)).toEqual(['client in flight', 'server running', 'server waiting']);
    expect(requests.x.min).toBe(-0.01);
    expect(requests.x.max).toBe(1.3);
    expect(requests.series[0].dense).toBe(true);
    // A cell without scraped metrics gets no timeline.
    expect(timelineCharts(undefined, [summary], timelines, [])).toEqual([]);
  });
});
