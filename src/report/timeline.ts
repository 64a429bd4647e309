/**
 * Per cell, the server and the client over the same time axis: the client's requests in
 * flight beside the server's running and waiting requests (target.metrics), the client's
 * latency, and the server's KV-cache use. Drawn for cells whose server metrics were scraped.
 * Pure.
 */
import type { CellColumns } from '../metrics/cell-columns.js';
import type { CellSummary } from '../metrics/summary.js';
import { extent, percentileSorted } from '../metrics/stats.js';
import type { RunJson } from '../results/run-json.js';
import { cellLabel } from './axes.js';
import type { ChartSpec, Series } from './types.js';

/** The client's side of a cell over time: [s since its first send, value]. */
export interface ClientTimeline {
  inFlight: [number, number][];
  /** Median latency of the requests that ended in each slice of the cell, ms. */
  latency: [number, number][];
}

/**
 * At most `points` samples whatever the request count (a few KB per cell). Typed arrays and
 * loops, no spreads: a soak cell has hundreds of thousands of requests, more than a call's
 * arguments may be (`Math.max(...ends)` threw RangeError past ~120,000).
 */
export function clientTimeline(c: CellColumns, points = 100): ClientTimeline | undefined {
  const starts = new Float64Array(c.length);
  const ends = new Float64Array(c.length);
  const ok = new Uint8Array(c.length);
  let n = 0;
  let first = Infinity;
  let last = -Infinity;
  for (let i = 0; i < c.length; i++) {
    const s = c.startMs[i];
    if (!Number.isFinite(s)) continue;
    const e = s + (Number.isNaN(c.latency[i]) ? 0 : c.latency[i]);
    starts[n] = s;
    ends[n] = e;
    ok[n] = c.ok[i];
    n++;
    if (s < first) first = s;
    if (e > last) last = e;
  }
  if (n === 0) return undefined;
  const step = Math.max(1, last - first) / points;
  const binOf = (e: number) => Math.min(points - 1, Math.floor((e - first) / step));
  // The ok requests' latencies grouped by the slice they ended in (a counting sort), so each
  // slice's median is a sort of its own group.
  const offsets = new Uint32Array(points + 1);
  for (let i = 0; i < n; i++) if (ok[i] === 1) offsets[binOf(ends[i]) + 1]++;
  for (let k = 0; k < points; k++) offsets[k + 1] += offsets[k];
  const grouped = new Float64Array(offsets[points]);
  const fill = offsets.slice(0, points);
  for (let i = 0; i < n; i++) if (ok[i] === 1) grouped[fill[binOf(ends[i])]++] = ends[i] - starts[i];
  const latency: [number, number][] = [];
  for (let k = 0; k < points; k++) {
    if (offsets[k + 1] > offsets[k]) latency.push([round3(((k + 0.5) * step) / 1000), percentileSorted(grouped.subarray(offsets[k], offsets[k + 1]).sort(), 50)]);
  }
  const sortedStarts = starts.subarray(0, n).sort();
  const sortedEnds = ends.subarray(0, n).sort();
  const inFlight: [number, number][] = [];
  let si = 0;
  let ei = 0;
  for (let k = 0; k <= points; k++) {
    const t = first + k * step;
    while (si < n && sortedStarts[si] <= t) si++;
    while (ei < n && sortedEnds[ei] <= t) ei++;
    inFlight.push([round3((t - first) / 1000), si - ei]);
  }
  return { inFlight, latency };
}

/** One cell's timeline charts; cells without scraped server metrics get none. */
export function timelineCharts(
  run: RunJson | undefined,
  cells: readonly CellSummary[],
  timelines: ReadonlyMap<string, ClientTimeline | undefined>,
  swept: readonly string[],
): { cell: string; label: string; charts: ChartSpec[] }[] {
  const out: { cell: string; label: string; charts: ChartSpec[] }[] = [];
  cells.forEach((c, n) => {
    const sources = run?.extras?.[c.cell]?.server_metrics ?? [];
    const server = (gauge: string) => sources.map((s) => s.timelines[gauge]).find((t) => t && t.length > 0);
    const running = server('server_running');
    const waiting = server('server_waiting');
    const kv = server('server_kv_cache_usage');
    if (!running && !waiting && !kv) return;
    const client = timelines.get(c.cell);
    const xs = [...(client?.inFlight ?? []), ...(running ?? []), ...(waiting ?? []), ...(kv ?? [])].map((p) => p[0]);
    const { min, max } = extent(xs);
    const x = { title: "s since the cell's first request", scale: 'linear' as const, min: Math.min(0, min), max };
    const series = (label: string, points: [number, number][] | undefined, dense = false): Series[] =>
      points ? [{ label, points: points.map(([t, y]) => ({ x: t, y })), ...(dense ? { dense } : {}) }] : [];
    const label = cellLabel(c, swept);
    const charts: ChartSpec[] = [
      {
        kind: 'line',
        id: `timeline-requests-${n}`,
        title: `Requests over time · ${label}`,
        x,
        y: { title: 'requests', scale: 'linear' },
        series: [...series('client in flight', client?.inFlight, true), ...series('server running', running), ...series('server waiting', waiting)],
      },
    ];
    if (client && client.latency.length > 0) {
      charts.push({
        kind: 'line',
        id: `timeline-latency-${n}`,
        title: `Latency over time · ${label}`,
        x,
        y: { title: 'client latency p50 (ms)', scale: 'linear' },
        series: series('client latency (median of requests ending then)', client.latency),
      });
    }
    if (kv) {
      charts.push({
        kind: 'line',
        id: `timeline-kv-${n}`,
        title: `KV-cache use over time · ${label}`,
        x,
        y: { title: 'KV-cache usage (%)', scale: 'linear', min: 0, max: 100 },
        series: series('server KV-cache usage', kv.map(([t, v]) => [t, v * 100])),
      });
    }
    out.push({ cell: c.cell, label, charts });
  });
  return out;
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
