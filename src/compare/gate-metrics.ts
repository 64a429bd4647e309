/**
 * The metrics a gate can name, their direction (is higher worse?), how to read one from a
 * cell summary, and which per-request values the statistical test resamples for it.
 */
import type { CellColumns } from '../metrics/cell-columns.js';
import { SUMMARY_METRICS, type CellSummary, type Slo } from '../metrics/summary.js';
import { percentileSorted } from '../metrics/stats.js';
import { nearest } from '../spec/suggest.js';
import { AGGS, type Agg, type MetricRef } from './types.js';

/** Metrics with a distribution over requests: they need an aggregate (`latency_ms.p95`). */
export const DISTRIBUTION_METRICS: readonly string[] = SUMMARY_METRICS;

/**
 * One number per cell. slo_attainment and goodput_rps exist when the spec has an `slo:`,
 * check_pass_rate with `checks:`, the cost figures with `pricing:`.
 */
export const SCALAR_METRICS = [
  'error_rate',
  'requests_per_s',
  'output_tokens_per_s',
  'prompt_tokens_mean',
  'completion_tokens_mean',
  'slo_attainment',
  'goodput_rps',
  'check_pass_rate',
  'cost_total',
  'cost_per_1k_requests',
  'cost_per_1m_output_tokens',
] as const;

/** Shares in [0, 1]: a limit may be written as a percentage (`< 1%`). */
export const RATE_METRICS: readonly string[] = ['error_rate', 'slo_attainment', 'check_pass_rate'];

/**
 * A searched cell's capacity (`search:`): thresholds can name it (`capacity: ">= 16"`); it
 * belongs to the search, not to any one cell of requests, and compare always compares it.
 */
export const CAPACITY_METRIC = 'capacity';

const LOWER_IS_WORSE = new Set(['requests_per_s', 'output_tokens_per_s', 'slo_attainment', 'goodput_rps', 'check_pass_rate', CAPACITY_METRIC]);

/** Metrics that exist only with a section of the spec: what to add for them. */
const NEEDS: Record<string, string> = {
  slo_attainment: 'an slo: section',
  goodput_rps: 'an slo: section',
  check_pass_rate: 'a checks: section',
  cost_total: 'a pricing: section',
  cost_per_1k_requests: 'a pricing: section',
  cost_per_1m_output_tokens: 'a pricing: section',
};

export const ALL_METRICS: readonly string[] = [...DISTRIBUTION_METRICS, ...SCALAR_METRICS, CAPACITY_METRIC];

/** True when a higher value is worse (latency, errors, tokens); false for throughput and SLO attainment. */
export function higherIsWorse(name: string): boolean {
  return !LOWER_IS_WORSE.has(name);
}

/** `p99.9` and the like: a percentile strictly between 0 and 100 (the spec's `percentiles:`). */
const PERCENTILE_AGG = /^p(\d+(?:\.\d+)?)$/;

/** The percentile an aggregate names (`p99.9` -> 99.9); undefined for mean, min, max. */
export function percentileOf(agg: string): number | undefined {
  const m = PERCENTILE_AGG.exec(agg);
  const q = m ? Number(m[1]) : NaN;
  return q > 0 && q < 100 ? q : undefined;
}

/** Parses `latency_ms.p95` / `ttft_ms.p99.9` / `error_rate`; returns an error message for anything else. */
export function parseMetric(text: string): MetricRef | { error: string } {
  const [name, ...parts] = text.trim().split('.');
  // `p99.9` holds a dot of its own, so the aggregate is everything after the first dot.
  const agg = parts.length > 0 ? parts.join('.') : undefined;
  if (!ALL_METRICS.includes(name)) {
    const guess = nearest(name, ALL_METRICS);
    return {
      error: `unknown metric '${name}'${guess ? ` — did you mean '${guess}'?` : ` (known: ${ALL_METRICS.join(', ')})`}`,
    };
  }
  const named = (a: string) => (AGGS as readonly string[]).includes(a) || percentileOf(a) !== undefined;
  if (agg !== undefined && !named(agg) && parts.length > 1 && named(parts[0])) {
    return { error: `'${text}' has too many parts; write metric.aggregate, e.g. latency_ms.p95` };
  }
  if (DISTRIBUTION_METRICS.includes(name)) {
    if (agg === undefined) {
      return { error: `${name} needs an aggregate: ${name}.p95 (one of ${AGGS.join(', ')}, or a percentile such as p99.9)` };
    }
    if (!named(agg)) {
      const guess = nearest(agg, AGGS);
      return {
        error: `unknown aggregate '${agg}' of ${name}${guess ? ` — did you mean '${guess}'?` : ''} (one of ${AGGS.join(', ')}, or a percentile such as p99.9 listed in percentiles:)`,
      };
    }
    return { name, agg: agg as Agg, key: `${name}.${agg}` };
  }
  if (agg !== undefined) return { error: `${name} is one number per cell; it takes no aggregate (write just '${name}')` };
  return { name, key: name };
}

/** The metric's value for a cell; undefined when the cell has none (not measured). */
export function metricValue(s: CellSummary, ref: MetricRef): number | undefined {
  const raw = ref.agg
    ? (s as unknown as Record<string, Record<string, number> | undefined>)[ref.name]?.[ref.agg]
    : (s as unknown as Record<string, unknown>)[ref.name];
  return typeof raw === 'number' && Number.isFinite(raw) ? raw : undefined;
}

/**
 * Why a metric has no value: the cell had no successful request (a failure worth gating on),
 * or the metric does not apply to it (TTFT of a non-streamed cell; SLO metrics without `slo:`).
 */
export function whyMissing(s: CellSummary, ref: MetricRef): { applies: boolean; note: string } {
  if (DISTRIBUTION_METRICS.includes(ref.name) || ref.name.endsWith('_tokens_mean')) {
    if (s.ok === 0) return { applies: true, note: 'not measured: no successful requests' };
    const why: Record<string, string> = {
      ttft_ms: 'needs a streamed response',
      itl_ms: 'needs a streamed response',
      tpot_ms: 'needs streamed responses of more than one token',
    };
    return { applies: false, note: `not measured: ${why[ref.name] ?? 'no values'}` };
  }
  if (ref.name === 'check_pass_rate' && s.ok === 0) return { applies: true, note: 'not measured: no successful requests, so no answer was checked' };
  if (NEEDS[ref.name]) return { applies: true, note: `not measured: ${ref.name} needs ${NEEDS[ref.name]} in the spec` };
  return { applies: true, note: 'not measured' };
}

/**
 * Per-request values the bootstrap resamples for a metric, and the statistic computed on a
 * resample. Distribution metrics resample the aggregate itself. Cell throughputs have no
 * per-request value, so they resample a proxy that moves with them under a fixed load:
 * completion tokens / request time (output tokens/s), successes / request time
 * (requests/s) and SLO-meeting requests / request time (goodput).
 */
export interface RequestSample {
  x: number[];
  /** Second column for ratio statistics. */
  y?: number[];
  stat: (x: ArrayLike<number>, y?: ArrayLike<number>) => number;
  /** Set when the statistic is a proxy, for the report. */
  statistic?: string;
  /** A proxy: its relative spread, not its value, stands for the metric's (see bootstrap's `anchor`). */
  scale?: boolean;
}

export function requestSample(c: CellColumns, ref: MetricRef, slo?: Slo): RequestSample | undefined {
  /** Finite values of `column` at the requests `pick` selects, in row order. */
  const values = (column: Float64Array, pick: (i: number) => boolean) => {
    const out: number[] = [];
    for (let i = 0; i < c.length; i++) if (pick(i) && Number.isFinite(column[i])) out.push(column[i]);
    return out;
  };
  const ok = (i: number) => c.ok[i] === 1;
  const all = () => true;
  if (ref.agg) {
    const column = { latency_ms: c.latency, ttft_ms: c.ttft, tpot_ms: c.tpot, itl_ms: c.itl }[ref.name as 'latency_ms'];
    return column ? { x: values(column, ok), stat: aggregate(ref.agg) } : undefined;
  }
  /** Requests with a positive latency, as pairs (x = `count(i)`, y = latency). */
  const perSecond = (pick: (i: number) => boolean, count: (i: number) => number, statistic: string): RequestSample => {
    const x: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < c.length; i++) {
      if (!pick(i) || !(c.latency[i] > 0)) continue;
      x.push(count(i));
      y.push(c.latency[i]);
    }
    return { x, y, stat: ratioPerSecond, statistic, scale: true };
  };
  const indicator = (f: (i: number) => boolean) => Array.from({ length: c.length }, (_, i) => (f(i) ? 1 : 0));
  switch (ref.name) {
    case 'error_rate':
      return { x: indicator((i) => !ok(i)), stat: aggregate('mean') };
    case 'prompt_tokens_mean':
      return { x: values(c.promptTokens, ok), stat: aggregate('mean') };
    case 'completion_tokens_mean':
      return { x: values(c.completionTokens, ok), stat: aggregate('mean') };
    case 'output_tokens_per_s':
      return perSecond(ok, (i) => (Number.isNaN(c.completionTokens[i]) ? 0 : c.completionTokens[i]), 'completion tokens / request time');
    case 'requests_per_s':
      return perSecond(all, (i) => (ok(i) ? 1 : 0), 'successful requests / request time');
    case 'goodput_rps':
      return slo ? perSecond(all, (i) => (c.meetsSlo(i, slo) ? 1 : 0), 'requests meeting the SLOs / request time') : undefined;
    case 'slo_attainment':
      return slo ? { x: indicator((i) => c.meetsSlo(i, slo)), stat: aggregate('mean') } : undefined;
    case 'check_pass_rate': {
      // Per checked answer: 1 when it passed every check, as the pass rate counts.
      const x: number[] = [];
      for (let i = 0; i < c.length; i++) if (c.checksTotal[i] > 0) x.push(c.checksPassed[i] === c.checksTotal[i] ? 1 : 0);
      return c.anyChecks ? { x, stat: aggregate('mean') } : undefined;
    }
    case 'cost_total':
    case 'cost_per_1k_requests': {
      if (!c.anyCost) return undefined;
      // Every request, a failed one at cost 0, as the cell figures count them.
      const x = Array.from({ length: c.length }, (_, i) => (Number.isFinite(c.cost[i]) ? c.cost[i] : 0));
      const mean = aggregate('mean');
      return ref.name === 'cost_total'
        ? { x, stat: sum, statistic: 'sum of request costs' }
        : { x, stat: (v) => mean(v) * 1000, statistic: 'mean request cost x 1000' };
    }
    case 'cost_per_1m_output_tokens': {
      if (!c.anyCost) return undefined;
      const x: number[] = [];
      const y: number[] = [];
      for (let i = 0; i < c.length; i++) {
        if (!Number.isFinite(c.cost[i])) continue;
        x.push(c.cost[i]);
        y.push(Number.isFinite(c.completionTokens[i]) ? c.completionTokens[i] : 0);
      }
      return { x, y, stat: (a, b) => (sum(b!) > 0 ? (sum(a) / sum(b!)) * 1e6 : NaN), statistic: 'request costs / completion tokens' };
    }
    default:
      return undefined;
  }
}

function sum(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s;
}

function ratioPerSecond(x: ArrayLike<number>, y?: ArrayLike<number>): number {
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < x.length; i++) {
    sx += x[i];
    sy += y![i];
  }
  return sy > 0 ? (sx / sy) * 1000 : NaN;
}

/** The aggregate as a function of unsorted values, matching metrics/stats.ts exactly. */
export function aggregate(agg: Agg): (x: ArrayLike<number>) => number {
  if (agg === 'mean') {
    return (x) => {
      let s = 0;
      for (let i = 0; i < x.length; i++) s += x[i];
      return x.length > 0 ? s / x.length : NaN;
    };
  }
  if (agg === 'min' || agg === 'max') {
    const pick = agg === 'min' ? Math.min : Math.max;
    return (x) => {
      if (x.length === 0) return NaN;
      let m = x[0];
      for (let i = 1; i < x.length; i++) m = pick(m, x[i]);
      return m;
    };
  }
  const q = Number(agg.slice(1));
  // A Float64Array is a bootstrap resample buffer, refilled before every use: sort it in
  // place rather than copy it (this is the inner loop of the test).
  return (x) => percentileSorted(x instanceof Float64Array ? x.sort() : Float64Array.from(x).sort(), q);
}
