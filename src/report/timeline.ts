/**
 * Per cell, the server and the client over the same time axis: the client's requests in
 * flight beside the server's running and waiting requests (target.metrics), the client's
 * latency, and the server's KV-cache use. Drawn for cells whose server metrics were scraped.
 * Pure.
 */
import type { CellColumns } from '../metrics/cell-columns.js';
import type { CellSummary } from '../metrics/summary.js';
import { percentileSorted } from '../metrics/stats.js';
import type { RunJson } from '../results/run-json.js';
import { cellLabel } from './axes.js';
import type { ChartSpec, Series } from './types.js';

/** The client's side of a cell over time: [s since its first send, value]. */
export interface ClientTimeline {
  inFlight: [number, number][];
  /** Median latency of the requests that ended in each slice of the cell, ms. */
  latency: [number, number][];
}

/** At most `points` samples whatever the request count (a few KB per cell). */
export function clientTimeline(c: CellColumns, points = 100): ClientTimeline | undefined {
  const spans: [number, number, boolean][] = [];
  let first = Infinity;
  for (let i = 0; i < c.length; i++) {
    const s = c.startMs[i];
    if (!Number.isFinite(s)) continue;
    const lat = Number.isNaN(c.latency[i]) ? 0 : c.latency[i];
    spans.push([s, s + lat, c.ok[i] === 1]);
    first = Math.min(first, s);
  }
  if (spans.length === 0) return undefined;
  const last = Math.max(...spans.map((x) => x[1]));
  const span = Math.max(1, last - first);
  const step = span / points;
  const starts = spans.map((x) => x[0]).sort((a, b) => a - b);
  const ends = spans.map((x) => x[1]).sort((a, b) => a - b);
  const inFlight: [number, number][] = [];
  let si = 0;
  let ei = 0;
  for (let k = 0; k <= points; k++) {
    const t = first + k * step;
    while (si < starts.length && starts[si] <= t) si++;
    while (ei < ends.length && ends[ei] <= t) ei++;
    inFlight.push([round3((t - first) / 1000), si - ei]);
  }
  const bins: number[][] = Array.from({ length: points }, () => []);
  for (const [s, e, ok] of spans) if (ok) bins[Math.min(points - 1, Math.floor((e - first) / step))].push(e - s);
  const latency: [number, number][] = [];
  bins.forEach((b, k) => {
    if (b.length > 0) latency.push([round3(((k + 0.5) * step) / 1000), percentileSorted(Float64Array.from(b).sort(), 50)]);
  });
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
    const x = { title: "s since the cell's first request", scale: 'linear' as const, min: Math.min(0, ...xs), max: Math.max(...xs) };
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
