/**
 * compare/: the CI gate. Thresholds (absolute rules checked per cell during a run),
 * comparison of two results (baseline vs current, joined by cell parameters, with a
 * seeded bootstrap test on the per-request values so noise does not fail builds), and their
 * output as text. Everything here is pure; nothing prints.
 */
import { z } from 'zod';

/** A metric as thresholds and compare rules name it: `latency_ms.p95`, `error_rate`. */
export interface MetricRef {
  /** Summary metric name: latency_ms, error_rate, output_tokens_per_s, ... */
  name: string;
  /** Aggregate of a distribution metric (mean, p50, ..., min, max); undefined for a scalar. */
  agg?: Agg;
  /** The canonical text, `name` or `name.agg`. */
  key: string;
}

export const AGGS = ['mean', 'p50', 'p90', 'p95', 'p99', 'min', 'max'] as const;
/** A named aggregate, or a further percentile from the spec's `percentiles:` (`p99.9`). */
export type Agg = (typeof AGGS)[number] | `p${number}`;

export type Op = ThresholdResult['op'];

/** One parsed threshold condition, e.g. `latency_ms.p95{model:a}: "< 2000"`. */
export interface Threshold {
  /** The key as written in the spec, scope included. */
  key: string;
  /** The condition as written, e.g. `< 2000` or `< 1%`. */
  expr: string;
  metric: MetricRef;
  op: Op;
  /** The limit in the metric's unit (a `1%` is 0.01). */
  limit: number;
  /** Matrix values a cell must have for the threshold to apply (text form), all of them. */
  scope: Record<string, string>;
}

/** The outcome of one threshold on one cell; run.json keeps a list of these. */
export const thresholdResultSchema = z
  .object({
    cell: z.string(),
    threshold: z.string().describe('`key: expr`, as written in the spec.'),
    metric: z.string().describe('The metric checked, e.g. latency_ms.p95.'),
    op: z.enum(['<', '<=', '>', '>=', '==', '!=']),
    limit: z.number().describe("The limit in the metric's unit (a 1% is 0.01)."),
    value: z.number().optional().describe('The measured value; absent when not measured.'),
    status: z.enum(['pass', 'fail', 'skip']).describe('skip: the metric does not apply to the cell (e.g. TTFT of a non-streamed cell).'),
    note: z.string().optional().describe('Why a value is missing, when it is.'),
  })
  .describe('One threshold checked on one cell.');
export type ThresholdResult = z.output<typeof thresholdResultSchema>;

/** Which way a compare rule counts a change as worse. */
export type Direction = 'up' | 'down' | 'both';

/** A compare rule: `latency_ms.p95: +10%` (relative) or `error_rate: +0.01` (absolute). */
export interface Tolerance {
  metric: MetricRef;
  /** As written, e.g. `+10%`. */
  text: string;
  kind: 'relative' | 'absolute';
  /** Fraction for relative (0.1 = 10%), metric units for absolute; never negative. */
  amount: number;
  direction: Direction;
  source: 'flag' | 'spec' | 'default';
}

export type Verdict = 'regression' | 'improved' | 'ok' | 'noise' | 'n/a';

export interface MetricComparison {
  /** `latency_ms.p95` */
  metric: string;
  /** The tolerance as written, `+10%`. */
  rule: string;
  baseline?: number;
  current?: number;
  /** current - baseline, in the metric's unit. */
  change?: number;
  /** (current - baseline) / baseline, as a fraction; undefined when the baseline is 0. */
  change_rel?: number;
  /** The statistical test run, when one was needed (the change exceeded the tolerance). */
  test?: TestResult;
  verdict: Verdict;
  note?: string;
}

/** Bootstrap test of the change: per-request values resampled on both sides. */
export interface TestResult {
  method: 'bootstrap';
  /** Confidence interval of current - baseline in the metric's unit; it always contains `change`. */
  ci: [number, number];
  /** The same interval relative to the baseline value, as `change_rel` is (0.1 = +10%); undefined when that is 0. */
  ci_rel?: [number, number];
  /** Confidence level of `ci` (already adjusted for the number of comparisons). */
  confidence: number;
  /** Two-sided bootstrap p-value of "no change". */
  p: number;
  /** Per-request sample sizes, baseline and current. */
  n: [number, number];
  /** What was resampled, when it is not the metric itself (throughput proxies). */
  statistic?: string;
  /** The interval excludes 0. */
  significant: boolean;
}

export interface CellComparison {
  cell: string;
  params: Record<string, unknown>;
  metrics: MetricComparison[];
}

export interface ResultInfo {
  path: string;
  /** Where values came from: per-request rows (tests possible) or summary.csv only. */
  source: 'requests.csv' | 'summary.csv';
  spec_hash?: string;
  cells: number;
}

/** Two capacity searches of the same cell, compared by their brackets (compare/capacity.ts). */
export interface CapacityComparison {
  /** The searched cell (current side's id). */
  cell: string;
  params: Record<string, unknown>;
  over: 'concurrency' | 'rate';
  baseline: { pass?: number; fail?: number };
  current: { pass?: number; fail?: number };
  verdict: Extract<Verdict, 'regression' | 'improved' | 'ok'>;
  note: string;
}

export interface CompareReport {
  baseline: ResultInfo;
  current: ResultInfo;
  /** Family-wise confidence: pure noise fails the report with probability at most 1 - confidence. */
  confidence: number;
  /** Cells compared x rules: the family the confidence covers. */
  comparisons: number;
  /** Whether changes beyond tolerance were tested (both sides have requests.csv, test not turned off). */
  tested: boolean;
  /** Level of each interval: 1 - (1 - confidence) / comparisons (Bonferroni). */
  interval_level: number;
  resamples: number;
  seed: number;
  rules: { metric: string; tolerance: string; source: Tolerance['source'] }[];
  cells: CellComparison[];
  /** Cells present on one side only, by id. */
  only_baseline: string[];
  only_current: string[];
  strict: boolean;
  counts: Record<Verdict, number>;
  /** Searched cells on both sides (capacity in both results), their capacities compared. */
  capacities?: CapacityComparison[];
  /** False on any regression, or on missing cells under --strict. */
  passed: boolean;
}
