/**
 * A cell's scrapes to its server summary, through the metric maps. Pure.
 *
 * - Gauges: each scrape taken while the cell ran (its `at` inside the window) gives one
 *   value (the metric's series combined: summed, averaged or the largest); the columns are
 *   the mean and the max of those values. The scrapes before and after stand for the idle
 *   server between cells and are left out.
 * - Counters: the increase from the scrape before the cell to the scrape after it, per second
 *   of the cell (of the scrapes' span when one of those two failed).
 * - Histograms: the increase of every bucket over the cell, summed over series; quantiles
 *   interpolate inside a bucket, the mean is the increase of `_sum` over that of `_count`.
 * - Ratios: the increase of some counters over the increase of others (hits / queries).
 *
 * Several URLs (a server and a DCGM exporter): sources are read in order and a column,
 * once given, is kept; within a source, the maps' rules are tried in order likewise.
 */
import type { GaugeBase, ServerColumn, ServerMetricsSummary } from './columns.js';
import { extent } from '../metrics/stats.js';
import { histogramQuantile, type Bucket } from './histogram.js';
import { increase, increaseBySeries } from './increase.js';
import { METRIC_MAPS, type MetricMap } from './maps/index.js';
import type { Across, GaugeRule, HistogramRule, RateRule, RatioRule } from './maps/rules.js';
import { indexSamples } from './parse.js';
import type { CellWindow, PromSample, SampleIndex, Scrape } from './types.js';

interface Indexed {
  at: number;
  phase: Scrape['phase'];
  index: SampleIndex;
}

interface CellView {
  /** Successful scrapes in time order. */
  all: Indexed[];
  /** Those taken while the cell ran. */
  during: Indexed[];
  /** Seconds the counters' increase is spread over. */
  seconds: number;
}

/** The server summary of one cell from every source's scrapes (each source: one URL). */
export function aggregateCell(sources: readonly (readonly Scrape[])[], window: CellWindow, maps: readonly MetricMap[] = METRIC_MAPS): ServerMetricsSummary {
  const out: ServerMetricsSummary = {};
  for (const scrapes of sources) {
    const view = viewOf(scrapes, window);
    if (view.all.length === 0) continue;
    for (const map of maps) {
      for (const rule of map.rules) {
        const values = evaluate(rule, view);
        for (const [column, value] of Object.entries(values) as [ServerColumn, number | undefined][]) {
          if (value !== undefined && Number.isFinite(value) && out[column] === undefined) out[column] = value;
        }
      }
    }
  }
  return out;
}

/** One point of a gauge over time: `at` is performance.now(), ms. */
export interface GaugePoint {
  at: number;
  value: number;
}

/**
 * The mapped gauges of one source over time (every successful scrape, before and after
 * included), for the report's charts: running, waiting and KV use beside the client's
 * in-flight requests.
 */
export function gaugeTimelines(scrapes: readonly Scrape[], maps: readonly MetricMap[] = METRIC_MAPS): Partial<Record<GaugeBase, GaugePoint[]>> {
  const all = indexedOk(scrapes);
  const out: Partial<Record<GaugeBase, GaugePoint[]>> = {};
  for (const map of maps) {
    for (const rule of map.rules) {
      if (rule.kind !== 'gauge' || !rule.max) continue;
      const base = rule.max.slice(0, -'_max'.length) as GaugeBase;
      if (out[base]) continue;
      const points = gaugePoints(rule, all);
      if (points.length > 0) out[base] = points;
    }
  }
  return out;
}

function indexedOk(scrapes: readonly Scrape[]): Indexed[] {
  return scrapes
    .filter((s) => s.ok)
    .map((s) => ({ at: s.at, phase: s.phase, index: indexSamples(s.ok ? s.samples : []) }))
    .sort((a, b) => a.at - b.at);
}

function viewOf(scrapes: readonly Scrape[], window: CellWindow): CellView {
  const all = indexedOk(scrapes);
  const during = all.filter((s) => s.at >= window.start && s.at <= window.end);
  const bracketed = all.length >= 2 && all[0].phase === 'before' && all[all.length - 1].phase === 'after';
  const spanMs = bracketed ? window.end - window.start : all.length >= 2 ? all[all.length - 1].at - all[0].at : 0;
  return { all, during, seconds: spanMs / 1000 };
}

function evaluate(rule: GaugeRule | RateRule | RatioRule | HistogramRule, view: CellView): Partial<Record<ServerColumn, number>> {
  switch (rule.kind) {
    case 'gauge':
      return gaugeStats(rule, view);
    case 'rate':
      return rateOf(rule, view);
    case 'ratio':
      return ratioOf(rule, view);
    case 'histogram':
      return histogramStats(rule, view);
  }
}

function present(view: readonly Indexed[], name: string): boolean {
  return view.some((s) => (s.index.get(name)?.length ?? 0) > 0);
}

function firstPresent(view: readonly Indexed[], names: readonly string[], suffix = ''): string | undefined {
  return names.find((n) => present(view, n + suffix));
}

function combine(values: number[], across: Across): number | undefined {
  if (values.length === 0) return undefined;
  if (across === 'max') return extent(values).max;
  const sum = values.reduce((a, b) => a + b, 0);
  return across === 'sum' ? sum : sum / values.length;
}

function gaugePoints(rule: GaugeRule, scrapes: readonly Indexed[]): GaugePoint[] {
  const metric = firstPresent(scrapes, rule.metric);
  if (metric === undefined) return [];
  const points: GaugePoint[] = [];
  for (const s of scrapes) {
    const values = (s.index.get(metric) ?? []).map((x) => x.value).filter(Number.isFinite);
    const v = combine(values, rule.across);
    if (v !== undefined) points.push({ at: s.at, value: v * rule.scale });
  }
  return points;
}

function gaugeStats(rule: GaugeRule, view: CellView): Partial<Record<ServerColumn, number>> {
  const values = gaugePoints(rule, view.during).map((p) => p.value);
  if (values.length === 0) return {};
  const out: Partial<Record<ServerColumn, number>> = {};
  if (rule.mean) out[rule.mean] = values.reduce((a, b) => a + b, 0) / values.length;
  if (rule.max) out[rule.max] = extent(values).max;
  return out;
}

function rateOf(rule: RateRule, view: CellView): Partial<Record<ServerColumn, number>> {
  const metric = firstPresent(view.all, rule.metric);
  if (metric === undefined || view.all.length < 2 || !(view.seconds > 0)) return {};
  return { [rule.column]: (increase(indexes(view.all), metric) * rule.scale) / view.seconds };
}

function ratioOf(rule: RatioRule, view: CellView): Partial<Record<ServerColumn, number>> {
  if (view.all.length < 2 || ![...rule.numerator, ...rule.denominator].every((n) => present(view.all, n))) return {};
  const scrapes = indexes(view.all);
  const sum = (names: readonly string[]) => names.reduce((a, n) => a + increase(scrapes, n), 0);
  const denominator = sum(rule.denominator);
  if (!(denominator > 0)) return {};
  return { [rule.column]: (sum(rule.numerator) / denominator) * rule.scale };
}

function histogramStats(rule: HistogramRule, view: CellView): Partial<Record<ServerColumn, number>> {
  const metric = firstPresent(view.all, rule.metric, '_count') ?? firstPresent(view.all, rule.metric, '_bucket');
  if (metric === undefined || view.all.length < 2) return {};
  const scrapes = indexes(view.all);
  const out: Partial<Record<ServerColumn, number>> = {};
  const count = increase(scrapes, `${metric}_count`);
  const mean = count > 0 ? increase(scrapes, `${metric}_sum`) / count : undefined;
  if (rule.columns.mean && mean !== undefined) out[rule.columns.mean] = mean * rule.scale;
  const buckets = bucketIncreases(scrapes, `${metric}_bucket`);
  const nonNegative = buckets.length > 0 && Math.min(...buckets.map((b) => b.le)) >= 0;
  for (const [stat, q] of [['p50', 0.5], ['p90', 0.9], ['p99', 0.99]] as const) {
    const column = rule.columns[stat];
    let v = histogramQuantile(buckets, q);
    // Durations are never negative, so no more than a share 1 - q of them can exceed
    // mean / (1 - q) (Markov): a tighter bound than the bucket when most observations sit
    // far below its top (queue times of 0 in a first bucket of 0.3 s read 0, not 0.15 s).
    if (v !== undefined && nonNegative && mean !== undefined && mean >= 0) v = Math.min(v, mean / (1 - q));
    if (column && v !== undefined) out[column] = v * rule.scale;
  }
  return out;
}

/** Each bucket's increase over the scrapes, summed over the series (sum by (le)). */
function bucketIncreases(scrapes: readonly SampleIndex[], name: string): Bucket[] {
  const byLe = new Map<number, number>();
  for (const s of increaseBySeries(scrapes, name).values()) {
    const le = parseLe(s.labels.le);
    if (le === undefined) continue;
    byLe.set(le, (byLe.get(le) ?? 0) + s.increase);
  }
  return [...byLe].map(([le, count]) => ({ le, count }));
}

function parseLe(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (raw === '+Inf' || raw === 'Inf') return Infinity;
  const v = Number(raw);
  return Number.isNaN(v) ? undefined : v;
}

function indexes(view: readonly Indexed[]): SampleIndex[] {
  return view.map((s) => s.index);
}


/** One mapped metric found in a scrape, and the columns it feeds. */
export interface RecognizedMetric {
  family: string;
  metric: string;
  columns: ServerColumn[];
}

/**
 * Which mapped metrics a scrape holds (a histogram counts when its `_bucket` or `_count`
 * series is there): what `metrics: auto` reports, and what the maps' tests pin.
 */
export function recognize(samples: readonly PromSample[], maps: readonly MetricMap[] = METRIC_MAPS): RecognizedMetric[] {
  const index = indexSamples(samples);
  const has = (name: string) => (index.get(name)?.length ?? 0) > 0;
  const out: RecognizedMetric[] = [];
  for (const map of maps) {
    for (const rule of map.rules) {
      const names = rule.kind === 'ratio' ? [...rule.numerator, ...rule.denominator] : rule.metric;
      const found =
        rule.kind === 'histogram'
          ? names.filter((n) => has(`${n}_bucket`) || has(`${n}_count`))
          : rule.kind === 'ratio'
            ? names.every(has)
              ? [...new Set(names)]
              : []
            : names.filter(has).slice(0, 1);
      const columns = columnsOf(rule);
      for (const metric of rule.kind === 'histogram' ? found.slice(0, 1) : found) {
        const seen = out.find((r) => r.family === map.family && r.metric === metric);
        if (seen) seen.columns.push(...columns.filter((c) => !seen.columns.includes(c)));
        else out.push({ family: map.family, metric, columns: [...columns] });
      }
    }
  }
  return out;
}

function columnsOf(rule: GaugeRule | RateRule | RatioRule | HistogramRule): ServerColumn[] {
  switch (rule.kind) {
    case 'gauge':
      return [rule.mean, rule.max].filter((c): c is NonNullable<typeof c> => c !== undefined);
    case 'rate':
    case 'ratio':
      return [rule.column];
    case 'histogram':
      return Object.values(rule.columns);
  }
}
