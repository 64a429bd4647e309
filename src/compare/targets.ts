/**
 * Targets side by side within one result: the cells grouped by their other parameters,
 * and in each group every target's latency, TTFT, throughput, SLO attainment (pass rate and
 * cost with checks: / pricing:) with its difference to the group's first target and the
 * significance verdict of the seeded bootstrap `compare` uses (on the per-request rows). The terminal summary, the report and
 * `run --json` all show this one structure. Pure.
 *
 * Family-wise confidence as in `compare`: every difference tested is one more chance for
 * noise to look real, so each interval is drawn at 1 - alpha/m over the m differences of
 * the whole section (Bonferroni); identical targets are called different in at most
 * 1 - confidence of runs.
 */
import { COMPARE_DEFAULTS, paramsKey, seedFor, testChange } from './compare.js';
import { higherIsWorse, metricValue } from './gate-metrics.js';
import type { MetricRef, TestResult } from './types.js';
import type { ResultCell } from '../results/load.js';
import { TARGET_KEY } from '../spec/params.js';

/** A metric of the side-by-side table. */
export interface TargetMetric {
  ref: MetricRef;
  /** Column heading. */
  label: string;
}

/** What the section compares, in column order; metrics no cell has are left out. */
export const TARGET_METRICS: readonly TargetMetric[] = [
  { ref: { name: 'latency_ms', agg: 'p50', key: 'latency_ms.p50' }, label: 'p50 lat ms' },
  { ref: { name: 'ttft_ms', agg: 'p50', key: 'ttft_ms.p50' }, label: 'p50 TTFT ms' },
  { ref: { name: 'output_tokens_per_s', key: 'output_tokens_per_s' }, label: 'out tok/s' },
  { ref: { name: 'slo_attainment', key: 'slo_attainment' }, label: 'SLO met' },
  // With checks: / pricing: (issue 20): what each target's answers are worth and cost.
  { ref: { name: 'check_pass_rate', key: 'check_pass_rate' }, label: 'pass rate' },
  { ref: { name: 'cost_per_1k_requests', key: 'cost_per_1k_requests' }, label: 'cost/1k req' },
];

export interface TargetDiff {
  /** This target minus the group's first, in the metric's unit. */
  change?: number;
  /** The same relative to the first (0.1 = +10%); undefined when the first's value is 0. */
  change_rel?: number;
  /** The bootstrap test, when both cells have per-request values. */
  test?: TestResult;
  /** significant: the interval excludes 0; untested: no per-request values (a summary.csv). */
  verdict: 'significant' | 'not significant' | 'untested';
  /** Whether the change is for the better (lower latency, higher throughput); undefined when none. */
  better?: boolean;
}

export interface TargetRow {
  target: string;
  cell: string;
  /** One per metric of the section, in its order. */
  values: (number | undefined)[];
  /** Versus the group's first target, one per metric; absent on the first target's row. */
  diffs?: TargetDiff[];
}

export interface TargetGroup {
  /** The cell parameters other than the target. */
  params: Record<string, unknown>;
  /** The target the others are compared with: the first of the axis that has a cell here. */
  reference: string;
  rows: TargetRow[];
}

export interface TargetsComparison {
  /** The targets, in axis order; the first is every group's reference when it has a cell there. */
  targets: string[];
  /** The metrics compared (keys like latency_ms.p50) and their headings. */
  metrics: { key: string; label: string }[];
  groups: TargetGroup[];
  /** Family-wise confidence of the verdicts. */
  confidence: number;
  /** The level each interval is drawn at (Bonferroni over `tested` differences). */
  interval_level: number;
  /** Differences tested. */
  tested: number;
  resamples: number;
  seed: number;
  /** Why nothing was tested, when nothing was: the run is still going, or there are no per-request rows. */
  untested?: string;
}

export interface TargetsOptions {
  confidence: number;
  resamples: number;
  seed: number;
  /** Run the tests (default); false gives the numbers alone, cheaply (a report during a run). */
  test?: boolean;
}

/** Undefined unless the cells hold at least two targets. */
export function compareTargets(cells: readonly ResultCell[], opts: TargetsOptions): TargetsComparison | undefined {
  const targets: string[] = [];
  for (const c of cells) {
    const t = c.params[TARGET_KEY];
    if (typeof t === 'string' && !targets.includes(t)) targets.push(t);
  }
  if (targets.length < 2) return undefined;
  const metrics = TARGET_METRICS.filter((m) => cells.some((c) => metricValue(c.summary, m.ref) !== undefined));
  const byGroup = new Map<string, { params: Record<string, unknown>; cells: ResultCell[] }>();
  for (const c of cells) {
    if (typeof c.params[TARGET_KEY] !== 'string') continue;
    const params = Object.fromEntries(Object.entries(c.params).filter(([k]) => k !== TARGET_KEY));
    const key = paramsKey(params);
    let g = byGroup.get(key);
    if (!g) byGroup.set(key, (g = { params, cells: [] }));
    g.cells.push(c);
  }
  const rank = (c: ResultCell) => targets.indexOf(c.params[TARGET_KEY] as string);
  const groups = [...byGroup.entries()].map(([key, g]) => ({ key, params: g.params, cells: [...g.cells].sort((a, b) => rank(a) - rank(b)) }));
  // Every difference that can be tested counts towards the family, tested or not in the end.
  let m = 0;
  for (const g of groups) {
    for (const c of g.cells.slice(1)) {
      for (const metric of metrics) {
        if (metricValue(g.cells[0].summary, metric.ref) !== undefined && metricValue(c.summary, metric.ref) !== undefined) m++;
      }
    }
  }
  const level = 1 - (1 - opts.confidence) / Math.max(1, m);
  let tested = 0;
  const out: TargetGroup[] = groups.map((g) => {
    const ref = g.cells[0];
    const rows = g.cells.map((c, i): TargetRow => {
      const values = metrics.map((metric) => metricValue(c.summary, metric.ref));
      const row: TargetRow = { target: c.params[TARGET_KEY] as string, cell: c.cell, values };
      if (i === 0) return row;
      row.diffs = metrics.map((metric, j) => {
        const a = metricValue(ref.summary, metric.ref);
        const b = values[j];
        if (a === undefined || b === undefined) return { verdict: 'untested' };
        const change = b - a;
        const diff: TargetDiff = {
          change,
          change_rel: a !== 0 ? change / Math.abs(a) : change === 0 ? 0 : undefined,
          verdict: 'untested',
          better: change === 0 ? undefined : higherIsWorse(metric.ref.name) ? change < 0 : change > 0,
        };
        // Not anchored on the summaries' values as compare's rows are (bootstrap.ts): the
        // section prints verdicts, not intervals, and the anchor would carry a throughput's
        // cell-duration noise into them (identical targets flagged 13 in 100, not under 10).
        const test =
          opts.test === false
            ? undefined
            : testChange(ref, c, metric.ref, { confidence: level, resamples: opts.resamples }, seedFor(opts.seed, `${g.key}|${row.target}|${metric.ref.key}`));
        if (test) {
          tested++;
          diff.test = test;
          diff.verdict = test.significant ? 'significant' : 'not significant';
        }
        return diff;
      });
      return row;
    });
    return { params: g.params, reference: rows[0].target, rows };
  });
  return {
    targets,
    metrics: metrics.map((x) => ({ key: x.ref.key, label: x.label })),
    groups: out,
    confidence: opts.confidence,
    interval_level: level,
    tested,
    resamples: opts.resamples,
    seed: opts.seed,
    untested: tested > 0 || m === 0 ? undefined : opts.test === false ? 'tested when the run ends' : 'no per-request rows (summary.csv only)',
  };
}

/** The comparison with `compare`'s defaults (95%, 2000 resamples, seed 1), as run, report and the report file show it. */
export function targetsOf(cells: readonly ResultCell[], test = true): TargetsComparison | undefined {
  return compareTargets(cells, { ...COMPARE_DEFAULTS, test });
}
