/**
 * How one server family's metrics become summary columns. Each rule names the series it
 * reads (alternatives in order: the first present in the cell's scrapes wins, so a newer
 * and an older spelling can both be listed) and what to compute. Helpers build the rules so
 * the map files stay tables.
 */
import type { GaugeBase, GaugeColumn, HistogramBase, HistogramColumn, ServerColumn, ValueColumn } from '../columns.js';

/** How the series of one metric (GPUs, engines, models) combine at one scrape. */
export type Across = 'sum' | 'mean' | 'max';

/** A gauge read at each scrape during the cell: its mean and max. */
export interface GaugeRule {
  kind: 'gauge';
  metric: readonly string[];
  across: Across;
  /** Multiplies the value into the column's unit. */
  scale: number;
  mean?: GaugeColumn | ValueColumn;
  max?: GaugeColumn;
}

/** A counter's increase over the cell per second. */
export interface RateRule {
  kind: 'rate';
  metric: readonly string[];
  scale: number;
  column: ValueColumn;
}

/**
 * Summed increase of the numerator counters over the summed increase of the denominator
 * counters (both lists are summed, not alternatives: list a second rule for another spelling).
 */
export interface RatioRule {
  kind: 'ratio';
  numerator: readonly string[];
  denominator: readonly string[];
  scale: number;
  column: ServerColumn;
}

/** A histogram (family name without `_bucket`): quantiles of its bucket increases over the cell. */
export interface HistogramRule {
  kind: 'histogram';
  metric: readonly string[];
  /** Multiplies observations into ms. */
  scale: number;
  columns: Partial<Record<'mean' | 'p50' | 'p90' | 'p99', HistogramColumn>>;
}

export type Rule = GaugeRule | RateRule | RatioRule | HistogramRule;

/** One server family's table. */
export interface MetricMap {
  /** Short name: vllm, sglang, tgi, llamacpp, triton, dcgm. */
  family: string;
  /** Where the names come from: the vendor's own documentation. */
  docs: readonly string[];
  rules: readonly Rule[];
}

const list = (m: string | readonly string[]): readonly string[] => (typeof m === 'string' ? [m] : m);

export function gauge(base: GaugeBase, metric: string | readonly string[], across: Across, scale = 1): GaugeRule {
  return { kind: 'gauge', metric: list(metric), across, scale, mean: `${base}_mean`, max: `${base}_max` };
}

/** A gauge whose mean over the cell is a single value column (SGLang's cache hit rate, say). */
export function gaugeMean(column: ValueColumn, metric: string | readonly string[], across: Across, scale = 1): GaugeRule {
  return { kind: 'gauge', metric: list(metric), across, scale, mean: column };
}

export function rate(column: ValueColumn, metric: string | readonly string[], scale = 1): RateRule {
  return { kind: 'rate', metric: list(metric), scale, column };
}

export function ratio(column: ServerColumn, numerator: string | readonly string[], denominator: string | readonly string[], scale = 1): RatioRule {
  return { kind: 'ratio', numerator: list(numerator), denominator: list(denominator), scale, column };
}

/** Seconds are the Prometheus convention; `scale` is 1000 for them. */
export function histogram(base: HistogramBase, metric: string | readonly string[], scale = 1000): HistogramRule {
  return {
    kind: 'histogram',
    metric: list(metric),
    scale,
    columns: { mean: `${base}_mean_ms`, p50: `${base}_p50_ms`, p90: `${base}_p90_ms`, p99: `${base}_p99_ms` },
  };
}
