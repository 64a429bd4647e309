/**
 * Baseline vs current: cells joined by their matrix values, and for each rule a verdict.
 *
 * A change counts only when it is beyond the rule's tolerance AND, when both sides have
 * per-request rows, significant: the bootstrap interval of the change (at the stated
 * confidence) excludes 0. Beyond tolerance but not significant is `noise`, which passes.
 * Without per-request rows (a summary.csv) the point change decides, and the row says so.
 */
import { axisCell } from '../records/columns.js';
import { formatLevel } from '../ui/format.js';
import { bootstrapDifference } from './bootstrap.js';
import type { LoadedResult, ResultCell } from '../results/load.js';
import { metricValue, requestSample, whyMissing } from './gate-metrics.js';
import { compareCapacity } from './capacity.js';
import type { CapacityComparison, CellComparison, CompareReport, MetricComparison, MetricRef, ResultInfo, TestResult, Tolerance, Verdict } from './types.js';

export interface CompareOptions {
  rules: readonly Tolerance[];
  /** Confidence level of the test, e.g. 0.95. */
  confidence: number;
  resamples: number;
  seed: number;
  /** Run the statistical test when per-request rows allow (false: point changes only). */
  test: boolean;
  /** Cells present on one side only fail the comparison. */
  strict: boolean;
}

export const COMPARE_DEFAULTS = { confidence: 0.95, resamples: 2000, seed: 1 } as const;

/** The join key: matrix values by axis name, as text, axis order ignored. */
export function paramsKey(params: Record<string, unknown>): string {
  return JSON.stringify(
    Object.keys(params)
      .filter((k) => params[k] !== undefined)
      .sort()
      .map((k) => [k, axisCell(params[k])]),
  );
}

/** Searched cells in both results, joined by their own matrix values; undefined when either has no search. */
function compareCapacities(baseline: LoadedResult, current: LoadedResult): CapacityComparison[] | undefined {
  if (!baseline.capacity || !current.capacity) return undefined;
  const base = new Map(baseline.capacity.map((e) => [`${e.over}|${paramsKey(e.params)}`, e]));
  return current.capacity.flatMap((cur) => {
    const b = base.get(`${cur.over}|${paramsKey(cur.params)}`);
    if (!b) return [];
    return [{ cell: cur.cell, params: cur.params, over: cur.over, baseline: b.bracket, current: cur.bracket, ...compareCapacity(b, cur) }];
  });
}

export function compareResults(baseline: LoadedResult, current: LoadedResult, opts: CompareOptions): CompareReport {
  const baseByKey = new Map(baseline.cells.map((c) => [paramsKey(c.params), c]));
  const pairs = current.cells.flatMap((cur) => {
    const base = baseByKey.get(paramsKey(cur.params));
    return base ? [{ key: paramsKey(cur.params), base, cur }] : [];
  });
  const matched = new Set(pairs.map((p) => p.key));
  // Bonferroni: every comparison is a chance for noise to fail the build, so each interval
  // is drawn at 1 - alpha/m and the whole report keeps its false-alarm rate under alpha.
  const comparisons = pairs.length * opts.rules.length;
  const level = 1 - (1 - opts.confidence) / Math.max(1, comparisons);
  const cells: CellComparison[] = pairs.map(({ key, base, cur }) => ({
    cell: cur.cell,
    params: cur.params,
    metrics: opts.rules.map((rule) =>
      compareMetric(base, cur, rule, { ...opts, confidence: level }, seedFor(opts.seed, `${key}|${rule.metric.key}`)),
    ),
  }));
  const onlyCurrent = current.cells.filter((c) => !baseByKey.has(paramsKey(c.params))).map((c) => c.cell);
  const onlyBaseline = baseline.cells.filter((c) => !matched.has(paramsKey(c.params))).map((c) => c.cell);
  const capacities = compareCapacities(baseline, current);
  const counts: Record<Verdict, number> = { regression: 0, improved: 0, noise: 0, ok: 0, 'n/a': 0 };
  for (const c of cells) for (const m of c.metrics) counts[m.verdict]++;
  for (const c of capacities ?? []) counts[c.verdict]++;
  const missing = onlyBaseline.length + onlyCurrent.length > 0;
  return {
    baseline: info(baseline),
    current: info(current),
    confidence: opts.confidence,
    comparisons,
    tested: opts.test && baseline.source === 'requests.csv' && current.source === 'requests.csv',
    interval_level: level,
    resamples: opts.resamples,
    seed: opts.seed,
    rules: opts.rules.map((r) => ({ metric: r.metric.key, tolerance: r.text, source: r.source })),
    cells,
    only_baseline: onlyBaseline,
    only_current: onlyCurrent,
    strict: opts.strict,
    counts,
    ...(capacities ? { capacities } : {}),
    passed: counts.regression === 0 && !(opts.strict && missing),
  };
}

function info(r: LoadedResult): ResultInfo {
  return { path: r.path, source: r.source, spec_hash: r.run?.spec_hash, cells: r.cells.length };
}

export function compareMetric(
  base: ResultCell,
  cur: ResultCell,
  rule: Tolerance,
  opts: Pick<CompareOptions, 'confidence' | 'resamples' | 'test'>,
  seed: number,
): MetricComparison {
  const ref = rule.metric;
  const b = metricValue(base.summary, ref);
  const c = metricValue(cur.summary, ref);
  const out: MetricComparison = { metric: ref.key, rule: rule.text, baseline: b, current: c, verdict: 'n/a' };
  if (b === undefined || c === undefined) {
    const side = b === undefined ? (c === undefined ? 'both results' : 'the baseline') : 'the current result';
    out.note = `${whyMissing(b === undefined ? base.summary : cur.summary, ref).note} (in ${side})`;
    return out;
  }
  const change = c - b;
  out.change = change;
  out.change_rel = b !== 0 ? change / Math.abs(b) : change === 0 ? 0 : undefined;
  const measure = rule.kind === 'absolute' ? change : (out.change_rel ?? (change > 0 ? Infinity : -Infinity));
  const up = measure > rule.amount;
  const down = measure < -rule.amount;
  const worse = rule.direction === 'both' ? up || down : rule.direction === 'up' ? up : down;
  const better = rule.direction === 'up' ? down : rule.direction === 'down' ? up : false;
  if (!worse && !better) {
    out.verdict = 'ok';
    return out;
  }
  const decided: Verdict = worse ? 'regression' : 'improved';
  const test = opts.test ? testChange(base, cur, ref, opts, seed, [b, c]) : undefined;
  if (!test) {
    out.verdict = decided;
    out.note = !opts.test
      ? 'test off: decided on the point change'
      : base.columns && cur.columns
        ? 'no per-request values to test: decided on the point change'
        : `no per-request rows in ${base.columns ? 'the current result' : 'the baseline'} (summary.csv only): decided on the point change`;
    return out;
  }
  // Significant in the direction of the change the rule flagged.
  test.significant = change > 0 ? test.ci[0] > 0 : test.ci[1] < 0;
  out.test = test;
  out.verdict = test.significant ? decided : 'noise';
  if (!test.significant) {
    out.note = `not significant: the ${formatLevel(opts.confidence)} interval of the change includes 0 (n=${test.n[0]}/${test.n[1]})`;
  }
  return out;
}

/**
 * The seeded bootstrap test of the change of `ref` from `base` to `cur`, on their
 * per-request rows: significant when the interval (at `confidence`) excludes 0. Undefined
 * when either side has no rows or no values to resample.
 */
export function testChange(
  base: Pick<ResultCell, 'columns' | 'slo'>,
  cur: Pick<ResultCell, 'columns' | 'slo'>,
  ref: MetricRef,
  opts: Pick<CompareOptions, 'confidence' | 'resamples'>,
  seed: number,
  /** The summaries' values, baseline and current: the interval is centred on them (bootstrap.ts). */
  anchor?: [number, number],
): TestResult | undefined {
  const sa = base.columns ? requestSample(base.columns, ref, base.slo) : undefined;
  const sb = cur.columns ? requestSample(cur.columns, ref, cur.slo) : undefined;
  const boot = sa && sb ? bootstrapDifference(sa, sb, { resamples: opts.resamples, confidence: opts.confidence, seed, anchor }) : undefined;
  if (!boot) return undefined;
  const [lo, hi] = boot.ci;
  // Relative to the baseline the row shows (the anchor), as change_rel is: one statistic, one unit.
  const shown = anchor?.[0] ?? boot.estimate[0];
  return {
    method: 'bootstrap',
    ci: boot.ci,
    ci_rel: shown !== 0 && Number.isFinite(shown) ? [lo / Math.abs(shown), hi / Math.abs(shown)] : undefined,
    confidence: opts.confidence,
    p: boot.p,
    n: boot.n,
    statistic: sa!.statistic,
    significant: lo > 0 || hi < 0,
  };
}

/** A per-comparison seed (FNV-1a of the key), so one comparison's draws never depend on another's. */
export function seedFor(seed: number, key: string): number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
