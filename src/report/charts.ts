/**
 * Which charts a sweep gets, and their data. Pure: summaries and records in, chart specs out.
 * One chart set per swept axis (an axis with one value gets none), a throughput-latency
 * curve when a load axis is swept, per-cell distributions, and errors when there are any.
 */
import type { CellSummary } from '../metrics/summary.js';
import { kneeIndex } from '../metrics/knee.js';
import { percentileSorted } from '../metrics/stats.js';
import { axisCell } from '../records/columns.js';
import { LOAD_AXES, axisTitle, axisValues, cellLabel, valueScale, xValue, type Units } from './axes.js';
import type { CellDetail } from './data.js';
import type { AxisCharts, AxisSpec, BoxStats, ChartSpec, ErrorGroup, Limit, Point, Series } from './types.js';

/** A per-cell number to plot; undefined when the cell has none (e.g. every request failed). */
interface Metric {
  key: string;
  /** Its name in thresholds (`latency_ms.p95: "< 2000"`). */
  ref: string;
  title: string;
  axisTitle: string;
  get: (s: CellSummary) => number | undefined;
  /** Multiplies values and limits for display (100: a share drawn as a percentage). */
  scale?: number;
}

/** The three numbers a reader looks for first, in this order. */
export const AXIS_METRICS: readonly Metric[] = [
  { key: 'latency_p50', ref: 'latency_ms.p50', title: 'Latency p50', axisTitle: 'latency p50 (ms)', get: (s) => s.latency_ms?.p50 },
  { key: 'latency_p95', ref: 'latency_ms.p95', title: 'Latency p95', axisTitle: 'latency p95 (ms)', get: (s) => s.latency_ms?.p95 },
  { key: 'ttft_p50', ref: 'ttft_ms.p50', title: 'TTFT p50', axisTitle: 'TTFT p50 (ms)', get: (s) => s.ttft_ms?.p50 },
];

/** Drawn when a request failed or a threshold names it. */
export const ERROR_RATE_METRIC: Metric = {
  key: 'error_rate',
  ref: 'error_rate',
  title: 'Error rate',
  axisTitle: 'error rate (%)',
  get: (s) => s.error_rate,
  scale: 100,
};

/** Drawn when the spec has checks: the pass rate against each swept axis. */
export const PASS_RATE_METRIC: Metric = {
  key: 'check_pass_rate',
  ref: 'check_pass_rate',
  title: 'Check pass rate',
  axisTitle: 'check pass rate (%)',
  get: (s) => s.check_pass_rate,
  scale: 100,
};

/** Thresholds to draw on the charts. */
export interface ChartMarks {
  /** Unscoped thresholds by metric (`latency_ms.p95` -> [{ value: 400, label: 'threshold < 400' }]), in the metric's unit. */
  limits: ReadonlyMap<string, readonly { value: number; label: string }[]>;
  /** `${cell}\u0000${metric}` of every failed check. */
  failed: ReadonlySet<string>;
}

export const NO_MARKS: ChartMarks = { limits: new Map(), failed: new Set() };

export function failedKey(cell: string, metric: string): string {
  return `${cell}\u0000${metric}`;
}

/**
 * The limits of `metric` worth drawing on an axis whose data reach `dataMax`: those within
 * twice the data (a limit far above the data would squash it into a line at the bottom).
 * A share's limit is always drawn: its axis is short, and "0% failed, limit 1%" is news.
 */
export function limitsFor(marks: ChartMarks, metric: string, axis: 'x' | 'y', dataMax: number, scale = 1): Limit[] {
  return (marks.limits.get(metric) ?? [])
    .map((l) => ({ axis, value: l.value * scale, label: l.label }))
    .filter((l) => Number.isFinite(l.value) && l.value >= 0 && (scale !== 1 || l.value <= 2 * dataMax));
}

function maxY(series: readonly Series[], pick: (p: Point) => number): number {
  return Math.max(0, ...series.flatMap((s) => s.points.map(pick)));
}

/**
 * Cells grouped by their values on `others` (the swept axes other than the one on x), each
 * group one line, labelled `temperature=0.7, max_tokens=256`. Group order is first
 * appearance, so lines follow the spec's order.
 */
export function groupByOthers(cells: readonly CellSummary[], others: readonly string[]): { label: string; cells: CellSummary[] }[] {
  const groups = new Map<string, { label: string; cells: CellSummary[] }>();
  for (const c of cells) {
    const key = others.map((a) => axisCell(c.params[a])).join('\u0000');
    let g = groups.get(key);
    if (!g) {
      const label = others.filter((a) => c.params[a] !== undefined).map((a) => `${a}=${axisCell(c.params[a])}`);
      g = { label: others.length > 0 ? label.join(', ') : 'all cells', cells: [] };
      groups.set(key, g);
    }
    g.cells.push(c);
  }
  return [...groups.values()];
}

/**
 * One series per combination of the swept axes other than `axis`, its points in `axis`
 * order; `point` gives a cell's point, or undefined to leave the cell out (no data).
 */
export function seriesAlong(
  cells: readonly CellSummary[],
  axis: string,
  swept: readonly string[],
  point: (c: CellSummary) => Point | undefined,
): Series[] {
  const order = new Map(axisValues(cells, axis).map((v, i) => [axisCell(v), i]));
  const rank = (c: CellSummary) => order.get(axisCell(c.params[axis]))!;
  const groups = groupByOthers(
    cells.filter((c) => c.params[axis] !== undefined),
    swept.filter((a) => a !== axis),
  );
  return groups
    .map((g) => ({
      label: g.label,
      points: [...g.cells].sort((a, b) => rank(a) - rank(b)).flatMap((c) => point(c) ?? []),
    }))
    .filter((s) => s.points.length > 0);
}

/**
 * For each swept axis: latency p50, latency p95 and TTFT p50 against its values, and the
 * error rate when a request failed or a threshold names it.
 */
export function axisCharts(cells: readonly CellSummary[], swept: readonly string[], marks: ChartMarks = NO_MARKS, units: Units = {}): AxisCharts[] {
  const metrics = [
    ...AXIS_METRICS,
    ...(cells.some((c) => c.errors > 0) || marks.limits.has(ERROR_RATE_METRIC.ref) ? [ERROR_RATE_METRIC] : []),
    ...(cells.some((c) => c.check_pass_rate !== undefined) ? [PASS_RATE_METRIC] : []),
  ];
  return swept.map((axis) => {
    const values = axisValues(cells, axis);
    const x = valueScale(values, axisTitle(axis, units));
    const charts: ChartSpec[] = [];
    for (const m of metrics) {
      const series = seriesAlong(cells, axis, swept, (c) => {
        const v = m.get(c);
        if (v === undefined || !Number.isFinite(v)) return undefined;
        const p: Point = { x: xValue(c.params[axis], x), y: v * (m.scale ?? 1) };
        if (marks.failed.has(failedKey(c.cell, m.ref))) p.failed = true;
        return p;
      });
      if (series.length === 0) continue;
      const limits = limitsFor(marks, m.ref, 'y', maxY(series, (p) => p.y), m.scale);
      charts.push({
        kind: 'line',
        id: `axis-${axis}-${m.key}`,
        title: `${m.title} by ${axis}`,
        x,
        y: { title: m.axisTitle, scale: 'linear' },
        series,
        ...(limits.length > 0 ? { limits } : {}),
      });
    }
    return { axis, values, charts };
  });
}

/**
 * Output tokens/s against latency p95, one line per combination of the other swept axes,
 * points in load order and labelled with the load value: the curve bends where adding load
 * stops buying throughput. Undefined when no load axis is swept.
 */
export function throughputChart(cells: readonly CellSummary[], swept: readonly string[], marks: ChartMarks = NO_MARKS): ChartSpec | undefined {
  const load = LOAD_AXES.find((a) => swept.includes(a));
  if (!load) return undefined;
  const short = load === 'concurrency' ? 'c' : 'r';
  const series = seriesAlong(cells, load, swept, (c) => {
    const lat = c.latency_ms?.p95;
    if (lat === undefined || !Number.isFinite(lat) || c.ok === 0) return undefined;
    const p: Point = { x: lat, y: c.output_tokens_per_s, label: `${short}=${axisCell(c.params[load])}` };
    if (THROUGHPUT_REFS.some((ref) => marks.failed.has(failedKey(c.cell, ref)))) p.failed = true;
    return p;
  });
  if (series.length === 0) return undefined;
  for (const s of series) {
    const k = kneeIndex(s.points.map((p) => ({ throughput: p.y, latency: p.x as number })));
    if (k !== undefined) {
      s.points[k].knee = true;
      s.points[k].label = `${s.points[k].label} knee`;
    }
  }
  const limits = [
    ...limitsFor(marks, 'latency_ms.p95', 'x', maxY(series, (p) => p.x as number)),
    ...limitsFor(marks, 'output_tokens_per_s', 'y', maxY(series, (p) => p.y)),
  ];
  return {
    kind: 'line',
    id: 'throughput',
    title: `Output throughput vs latency p95, by ${load}`,
    x: { title: 'latency p95 (ms)', scale: 'linear' },
    y: { title: 'output tokens/s', scale: 'linear' },
    series,
    pointLabels: true,
    ...(limits.length > 0 ? { limits } : {}),
  };
}

/**
 * Achieved against offered request rate, one line per combination of the other swept axes,
 * with the ideal (achieved = offered) dashed: a cell below it could not be sent, or served,
 * as fast as asked. Undefined unless rate is swept with numbers (rate: inf offers none).
 */
export function rateChart(cells: readonly CellSummary[], swept: readonly string[]): ChartSpec | undefined {
  if (!swept.includes('rate')) return undefined;
  const series = seriesAlong(cells, 'rate', swept, (c) =>
    c.offered_rps !== undefined && c.achieved_rps !== undefined ? { x: c.offered_rps, y: c.achieved_rps } : undefined,
  );
  if (series.length === 0) return undefined;
  const top = Math.max(...series.flatMap((s) => s.points.map((p) => p.x as number)));
  return {
    kind: 'line',
    id: 'rate',
    title: 'Achieved vs offered request rate',
    x: { title: 'offered (requests/s)', scale: 'linear' },
    y: { title: 'achieved (requests/s)', scale: 'linear' },
    series: [...series, { label: 'achieved = offered', points: [{ x: 0, y: 0 }, { x: top, y: top }], reference: true }],
  };
}

/**
 * Conversations: median TTFT by turn, one line per cell. Later turns carry the whole history,
 * so a server whose prefix cache works keeps the line flat while the prompts grow.
 */
export function turnChart(cells: readonly CellSummary[], label: (c: CellSummary) => string): ChartSpec | undefined {
  const series = cells
    .filter((c) => c.ttft_by_turn && c.ttft_by_turn.length > 0)
    .map((c) => ({ label: label(c), points: c.ttft_by_turn!.map((t) => ({ x: t.turn + 1, y: t.p50 })) }));
  if (series.length === 0) return undefined;
  const turns = Math.max(...series.flatMap((s) => s.points.map((p) => p.x)));
  return {
    kind: 'line',
    id: 'ttft-by-turn',
    title: 'TTFT p50 by turn',
    x: { title: 'turn', scale: 'linear', ticks: Array.from({ length: turns }, (_, i) => i + 1) },
    y: { title: 'TTFT p50 (ms)', scale: 'linear' },
    series,
  };
}

/** The metrics on the throughput curve's axes. */
const THROUGHPUT_REFS = ['latency_ms.p95', 'output_tokens_per_s'];

/** Box-plot numbers of a list of values; null when there are none. */
export function boxStats(values: readonly (number | undefined)[]): BoxStats | null {
  const finite = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
  if (finite.length === 0) return null;
  const s = Float64Array.from(finite).sort();
  return {
    count: s.length,
    min: s[0],
    q1: percentileSorted(s, 25),
    median: percentileSorted(s, 50),
    q3: percentileSorted(s, 75),
    p95: percentileSorted(s, 95),
    max: s[s.length - 1],
  };
}

/**
 * Latency and TTFT distributions of successful requests, one box per cell. Only the box
 * numbers go into the report, so its size does not grow with the request count.
 */
export function distributionCharts(cells: readonly CellSummary[], details: ReadonlyMap<string, CellDetail>, swept: readonly string[]): ChartSpec[] {
  const categories = cells.map((c) => cellLabel(c, swept));
  const out: ChartSpec[] = [];
  const metrics = [
    { id: 'dist-latency', title: 'Latency distribution per cell', axis: 'latency (ms)', get: (d: CellDetail) => d.latency },
    { id: 'dist-ttft', title: 'TTFT distribution per cell', axis: 'TTFT (ms)', get: (d: CellDetail) => d.ttft },
  ];
  for (const m of metrics) {
    const boxes = cells.map((c) => {
      const d = details.get(c.cell);
      return d ? m.get(d) : null;
    });
    if (boxes.every((b) => b === null)) continue;
    out.push({ kind: 'box', id: m.id, title: m.title, x: boxScale(boxes, m.axis), categories, boxes });
  }
  return out;
}

/**
 * Linear, unless the cells differ by more than 30x (a 100 ms cell next to a 10 s one would
 * be a dot): then logarithmic, with ticks at 1, 2, 5 x 10^k.
 */
export function boxScale(boxes: readonly (BoxStats | null)[], title: string): AxisSpec {
  const present = boxes.filter((b): b is BoxStats => b !== null);
  const lo = Math.min(...present.map((b) => b.min));
  const hi = Math.max(...present.map((b) => b.max));
  if (!(lo > 0) || hi / lo < 30) return { title, scale: 'linear', min: 0, max: hi * 1.02 };
  const ticks: number[] = [];
  for (let k = Math.floor(Math.log10(lo)); 10 ** k <= hi * 10; k++) {
    for (const m of [1, 2, 5]) {
      const t = m * 10 ** k;
      if (t >= lo / 2 && t <= hi * 2) ticks.push(Number(t.toPrecision(1)));
    }
  }
  return { title, scale: 'logarithmic', ticks, min: Math.min(lo, ticks[0]), max: Math.max(hi, ticks[ticks.length - 1]) };
}

/** Failed requests grouped by kind and status (metrics/cell-columns.ts `errorKey`), most frequent first, with where and an example. */
export function errorGroups(cells: readonly CellSummary[], details: ReadonlyMap<string, CellDetail>, swept: readonly string[]): ErrorGroup[] {
  const groups = new Map<string, ErrorGroup>();
  for (const c of cells) {
    const label = cellLabel(c, swept);
    for (const t of details.get(c.cell)?.errors ?? []) {
      let g = groups.get(t.key);
      if (!g) {
        g = { key: t.key, kind: t.kind, http_status: t.http_status, count: 0, cells: [], example: t.example };
        groups.set(t.key, g);
      }
      g.count += t.count;
      if (!g.cells.includes(label)) g.cells.push(label);
    }
  }
  return [...groups.values()].sort((a, b) => b.count - a.count);
}

/** Errors per cell stacked by group; only cells with errors. Undefined when nothing failed. */
export function errorChart(
  cells: readonly CellSummary[],
  details: ReadonlyMap<string, CellDetail>,
  swept: readonly string[],
  groups: readonly ErrorGroup[],
): ChartSpec | undefined {
  if (groups.length === 0) return undefined;
  const errorsOf = (c: CellSummary) => details.get(c.cell)?.errors ?? [];
  const failing = cells.filter((c) => errorsOf(c).length > 0);
  const series = groups.map((g) => ({
    label: g.key,
    values: failing.map((c) => errorsOf(c).find((t) => t.key === g.key)?.count ?? 0),
  }));
  return {
    kind: 'stacked-bar',
    id: 'errors',
    title: 'Failed requests per cell, by kind and status',
    x: { title: 'failed requests', scale: 'linear' },
    categories: failing.map((c) => cellLabel(c, swept)),
    series,
  };
}
