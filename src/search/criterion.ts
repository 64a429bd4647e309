/**
 * Judging one search step: do the requests measured at a value meet the criterion, and how
 * sure are we? Two criteria:
 *
 * - SLO attainment: the share of requests that succeeded and met every per-request SLO must
 *   be at least `attainment`. The step passes when the Wilson interval of that share lies
 *   wholly at or above the target, fails when it lies wholly below, and is undecided otherwise.
 * - k6-style thresholds (`ttft_ms.p95: "< 500"`, `error_rate: "< 1%"`): every threshold in
 *   scope must hold. A threshold on a proportion is judged by the same interval: a
 *   percentile becomes the share of requests on the right side of the limit (p95 < 500 ms
 *   <=> at least 95% of successful requests under 500 ms), `error_rate < 1%` the share of
 *   successes against 99%, `slo_attainment > 0.9` the share meeting the SLO against 90%. A
 *   threshold with no per-request proportion (a mean, min, max, a throughput, `==`) has no
 *   interval: its value decides it at once. The step fails when any threshold fails, passes
 *   when all pass, and is undecided otherwise.
 *
 * An attainment target of 1 asks for every request: no sample can show that with
 * confidence, so such a proportion passes while no request misses and fails at the first miss.
 */
import { appliesTo, evaluateThresholds } from '../compare/thresholds.js';
import type { Threshold } from '../compare/types.js';
import type { CellColumns } from '../metrics/cell-columns.js';
import { countMeetingSlo, type CellSummary, type Slo } from '../metrics/summary.js';
import { normalQuantile, wilsonInterval } from '../metrics/wilson.js';
import type { Judgement } from './types.js';

/** Judges `successes` out of `trials` against a target share. */
export function judgeProportion(successes: number, trials: number, target: number, confidence: number, label: string): Judgement {
  const w = wilsonInterval(successes, trials, confidence);
  // No requests: nothing is known, the interval is all of [0, 1].
  const interval: [number, number] = w ? [w.low, w.high] : [0, 1];
  if (trials === 0) return { verdict: 'undecided', lean: 'fail', interval, target, label };
  const attainment = successes / trials;
  const lean = attainment >= target ? 'pass' : 'fail';
  const verdict = target >= 1 ? lean : interval[0] >= target ? 'pass' : interval[1] < target ? 'fail' : 'undecided';
  return { verdict, lean, attainment, interval, target, label };
}

/**
 * The fewest requests with which a step can pass at all: with n of n meeting the objective
 * the Wilson lower bound is n / (n + z^2), which reaches the target only from
 * n = z^2 x target / (1 - target) on (52 for 95% at 90% confidence). A target of 1 is
 * judged request by request, so there one request can pass.
 */
export function minRequestsToPass(target: number, confidence: number): number {
  if (target >= 1) return 1;
  const z = normalQuantile(1 - (1 - confidence) / 2);
  return Math.ceil((z * z * target) / (1 - target) - 1e-9);
}

/** Requests per round when the spec gives none: twice the fewest that can pass, so a clean step passes on its first round with room for a few misses. */
export function defaultRequestsPerStep(target: number, confidence: number): number {
  return target >= 1 ? 50 : Math.max(20, 2 * minRequestsToPass(target, confidence));
}

const SLO_NAMES: Record<keyof Slo, string> = { ttft_ms: 'TTFT', tpot_ms: 'TPOT', latency_ms: 'latency', itl_ms: 'ITL' };

/** `95%` of requests, `99.5%`: the target as the percentile it asks for. */
function share(target: number): string {
  return `${Number((target * 100).toFixed(2))}`;
}

/**
 * The SLO with its target in words: `TTFT p95 <= 500 ms` for one objective,
 * `TTFT <= 500 ms and TPOT <= 50 ms for 95% of requests` for several.
 */
export function sloLabel(slo: Slo, target: number): string {
  const keys = (Object.keys(SLO_NAMES) as (keyof Slo)[]).filter((k) => slo[k] !== undefined);
  if (target >= 1) return `${keys.map((k) => `${SLO_NAMES[k]} <= ${slo[k]} ms`).join(' and ')} for every request`;
  if (keys.length === 1) return `${SLO_NAMES[keys[0]]} p${share(target)} <= ${slo[keys[0]]} ms`;
  return `${keys.map((k) => `${SLO_NAMES[k]} <= ${slo[k]} ms`).join(' and ')} for ${share(target)}% of requests`;
}

/** SLO attainment over every request measured (an error misses the SLO) against `target`. */
export function judgeSlo(c: CellColumns, slo: Slo, target: number, confidence: number): Judgement {
  return judgeProportion(countMeetingSlo(c, slo), c.length, target, confidence, sloLabel(slo, target));
}

const COLUMN: Record<string, (c: CellColumns) => Float64Array> = {
  latency_ms: (c) => c.latency,
  ttft_ms: (c) => c.ttft,
  tpot_ms: (c) => c.tpot,
  itl_ms: (c) => c.itl,
};

type Side = (v: number) => boolean;

function side(op: Threshold['op'], limit: number): Side | undefined {
  switch (op) {
    case '<':
      return (v) => v < limit;
    case '<=':
      return (v) => v <= limit;
    case '>':
      return (v) => v > limit;
    case '>=':
      return (v) => v >= limit;
    default:
      return undefined;
  }
}

function isPercentile(t: Threshold): boolean {
  return t.metric.agg !== undefined && /^p\d+$/.test(t.metric.agg) && COLUMN[t.metric.name] !== undefined;
}

/** The share a proportion threshold asks for (ttft_ms.p95 < 500: 0.95); undefined for one decided by its value. */
export function thresholdTarget(t: Threshold): number | undefined {
  if (!side(t.op, t.limit)) return undefined;
  const upper = t.op === '<' || t.op === '<=';
  if (isPercentile(t)) {
    // pQ < L: at least Q% of the values are < L. pQ > L: more than (100 - Q)% are > L.
    const q = Number(t.metric.agg!.slice(1));
    return (upper ? q : 100 - q) / 100;
  }
  // A share p with "p < L" holds when the complement's share is above 1 - L.
  if (t.metric.name === 'error_rate' || t.metric.name === 'slo_attainment') return upper ? 1 - t.limit : t.limit;
  return undefined;
}

/**
 * The threshold as a proportion test: successes, trials and the target share; undefined
 * when it has none (it is decided by its value).
 */
export function thresholdProportion(
  t: Threshold,
  c: CellColumns,
  slo?: Slo,
): { successes: number; trials: number; target: number } | undefined {
  const target = thresholdTarget(t);
  const holds = side(t.op, t.limit);
  if (target === undefined || !holds) return undefined;
  const upper = t.op === '<' || t.op === '<=';
  if (isPercentile(t)) {
    const values = c.okValues(COLUMN[t.metric.name](c));
    let n = 0;
    let k = 0;
    for (const v of values) {
      if (Number.isNaN(v)) continue;
      n++;
      if (holds(v)) k++;
    }
    return { successes: k, trials: n, target };
  }
  const share = (count: number, n: number) => ({ successes: upper ? n - count : count, trials: n, target });
  if (t.metric.name === 'error_rate') return share(c.length - c.okCount, c.length);
  if (t.metric.name === 'slo_attainment' && slo) return share(countMeetingSlo(c, slo), c.length);
  return undefined;
}

/**
 * The thresholds in scope of the step's cell, judged together. The reported attainment is
 * the binding threshold's: of the failing ones (else the undecided, else the passing), the
 * one closest to failing, that is the least share above its target.
 */
export function judgeThresholds(
  thresholds: readonly Threshold[],
  c: CellColumns,
  summary: CellSummary,
  confidence: number,
  slo?: Slo,
): Judgement {
  const judged: Judgement[] = [];
  for (const t of thresholds) {
    if (!appliesTo(t, summary.params)) continue;
    const label = `${t.key} ${t.expr}`;
    const p = thresholdProportion(t, c, slo);
    if (p) {
      judged.push(judgeProportion(p.successes, p.trials, p.target, confidence, label));
      continue;
    }
    for (const r of evaluateThresholds([t], summary)) {
      if (r.status === 'skip') continue;
      judged.push({ verdict: r.status, lean: r.status, label });
    }
  }
  if (judged.length === 0) return { verdict: 'pass', lean: 'pass', label: 'no threshold applies' };
  // Prefer thresholds with a proportion, so the step has an attainment to show.
  const margin = (j: Judgement) => (j.attainment === undefined || j.target === undefined ? Infinity : j.attainment - j.target);
  const pick = (verdict: Judgement['verdict']) => {
    const of = judged.filter((j) => j.verdict === verdict);
    return of.length === 0 ? undefined : of.reduce((a, b) => (margin(b) < margin(a) ? b : a));
  };
  const binding = pick('fail') ?? pick('undecided') ?? (pick('pass') as Judgement);
  const lean = judged.some((j) => j.lean === 'fail') ? 'fail' : 'pass';
  const label = judged.length === 1 ? binding.label : judged.map((j) => j.label).join(' and ');
  return { ...binding, lean, label };
}
