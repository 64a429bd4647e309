/**
 * Thresholds: k6-style absolute rules in the spec, checked on every cell's summary.
 *
 *   thresholds:
 *     error_rate: "< 1%"                         # rates take a fraction or a percentage
 *     latency_ms.p95: "< 2000"
 *     ttft_ms.p50: ["< 300", "> 0"]              # a list: every condition must hold
 *     latency_ms.p99{model:llama3-8b}: "< 5000"  # only cells with these matrix values
 *
 * Operators: < <= > >= == !=. Parsing and evaluation are pure; the spec loader reports
 * bad syntax with its YAML position, the runner records the results per cell.
 */
import { UserError } from '../errors.js';
import type { CellSummary } from '../metrics/summary.js';
import { axisCell } from '../records/columns.js';
import { nearest } from '../spec/suggest.js';
import { BASE_PERCENTILES } from '../metrics/stats.js';
import { CAPACITY_METRIC, metricValue, parseMetric, percentileOf, RATE_METRICS, whyMissing } from './gate-metrics.js';
import type { Op, Threshold, ThresholdResult } from './types.js';

/** Gives `file:line:col` of a spec node (the key itself, or its value). */
export type Locate = (path: (string | number)[], which?: 'key' | 'value') => string;

export interface ThresholdInput {
  thresholds?: Record<string, string | string[]>;
  /** The spec's further percentiles: a threshold on p99.9 needs 99.9 among them. */
  percentiles?: readonly number[];
  /** The spec's matrix, to check scope keys and values. */
  matrix?: Record<string, unknown>;
}

const KEY_RE = /^([^{}\s]+)\s*(?:\{([^{}]*)\})?$/;
const EXPR_RE = /^(<=|>=|==|!=|<|>|=)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)\s*(%?)$/i;

export function parseThresholds(input: ThresholdInput, locate: Locate): { thresholds: Threshold[]; problems: string[] } {
  const thresholds: Threshold[] = [];
  const problems: string[] = [];
  const values = matrixValues(input.matrix ?? {});
  for (const [key, raw] of Object.entries(input.thresholds ?? {})) {
    const at = (which: 'key' | 'value', i?: number) =>
      locate(i === undefined ? ['thresholds', key] : ['thresholds', key, i], which);
    const m = KEY_RE.exec(key.trim());
    if (!m) {
      problems.push(`${at('key')}: threshold key '${key}' should look like latency_ms.p95 or latency_ms.p95{model:name}`);
      continue;
    }
    const metric = parseMetric(m[1]);
    if ('error' in metric) {
      problems.push(`${at('key')}: threshold '${key}': ${metric.error}`);
      continue;
    }
    const q = metric.agg ? percentileOf(metric.agg) : undefined;
    if (q !== undefined && !(BASE_PERCENTILES as readonly number[]).includes(q) && !(input.percentiles ?? []).includes(q)) {
      const listed = [...new Set([...BASE_PERCENTILES, ...(input.percentiles ?? []), q])].sort((a, b) => a - b);
      problems.push(`${at('key')}: threshold '${key}': p${q} is not computed; add it to percentiles: (percentiles: [${listed.join(', ')}])`);
      continue;
    }
    const scope = parseScope(m[2], values);
    if ('error' in scope) {
      problems.push(`${at('key')}: threshold '${key}': ${scope.error}`);
      continue;
    }
    const list = Array.isArray(raw) ? raw : [raw];
    list.forEach((text, i) => {
      const e = EXPR_RE.exec(text.trim());
      const where = at('value', Array.isArray(raw) ? i : undefined);
      if (!e) {
        problems.push(
          `${where}: threshold '${key}': cannot read ${JSON.stringify(text)}; write an operator and a number, e.g. "< 2000" (operators: < <= > >= == !=)`,
        );
        return;
      }
      const percent = e[3] === '%';
      if (percent && !RATE_METRICS.includes(metric.name)) {
        problems.push(`${where}: threshold '${key}': a percentage only applies to ${RATE_METRICS.slice(0, -1).join(', ')} and ${RATE_METRICS[RATE_METRICS.length - 1]}; give ${metric.name} in its own unit`);
        return;
      }
      thresholds.push({
        key,
        expr: text.trim(),
        metric,
        op: (e[1] === '=' ? '==' : e[1]) as Op,
        limit: Number(e[2]) / (percent ? 100 : 1),
        scope: scope.scope,
      });
    });
  }
  return { thresholds, problems };
}

/** Thresholds of a spec known to be valid (run, merge); a problem here is a UserError. */
export function compileThresholds(input: ThresholdInput, where = 'spec'): Threshold[] {
  const { thresholds, problems } = parseThresholds(input, (path) => `${where} ${path.join('.')}`);
  if (problems.length > 0) throw new UserError(problems.join('\n'), problems);
  return thresholds;
}

/** Matrix values of every axis as text, include entries counted. */
function matrixValues(matrix: Record<string, unknown>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (k: string, v: unknown) => {
    if (!out.has(k)) out.set(k, new Set());
    out.get(k)!.add(axisCell(v));
  };
  for (const [k, vs] of Object.entries(matrix)) {
    if (k === 'exclude' || !Array.isArray(vs)) continue;
    if (k === 'include') {
      for (const combo of vs) for (const [ik, iv] of Object.entries((combo ?? {}) as Record<string, unknown>)) add(ik, iv);
    } else for (const v of vs) add(k, v);
  }
  return out;
}

function parseScope(text: string | undefined, values: Map<string, Set<string>>): { scope: Record<string, string> } | { error: string } {
  const scope: Record<string, string> = {};
  if (text === undefined || text.trim() === '') return { scope };
  for (const part of text.split(',')) {
    const m = /^\s*([^:=\s]+)\s*[:=]\s*(.*?)\s*$/.exec(part);
    if (!m || m[2] === '') return { error: `cannot read scope '${part.trim()}'; write {axis:value,axis:value}, e.g. {model:llama3-8b}` };
    const [, axis, value] = m;
    const known = values.get(axis);
    if (!known) {
      const axes = [...values.keys()];
      const guess = nearest(axis, axes);
      return {
        error: `'${axis}' is not a matrix axis${guess ? ` — did you mean '${guess}'?` : axes.length ? ` (axes: ${axes.join(', ')})` : ''}`,
      };
    }
    if (![...known].some((v) => sameValue(v, value))) {
      return { error: `no cell has ${axis}=${value} (values: ${[...known].join(', ')})` };
    }
    scope[axis] = value;
  }
  return { scope };
}

/** Text equality, or numeric equality when both read as numbers (0.70 and 0.7). */
function sameValue(a: string, b: string): boolean {
  if (a === b) return true;
  const na = Number(a);
  const nb = Number(b);
  return a.trim() !== '' && b.trim() !== '' && Number.isFinite(na) && Number.isFinite(nb) && na === nb;
}

export function appliesTo(t: Threshold, params: Record<string, unknown>): boolean {
  return Object.entries(t.scope).every(([axis, value]) => axis in params && sameValue(axisCell(params[axis]), value));
}

function holds(value: number, op: Op, limit: number): boolean {
  switch (op) {
    case '<':
      return value < limit;
    case '<=':
      return value <= limit;
    case '>':
      return value > limit;
    case '>=':
      return value >= limit;
    case '==':
      return value === limit;
    case '!=':
      return value !== limit;
  }
}

/** Every threshold in scope of the cell, checked. A metric the cell lacks fails, unless it does not apply. */
export function evaluateThresholds(thresholds: readonly Threshold[], s: CellSummary): ThresholdResult[] {
  const out: ThresholdResult[] = [];
  for (const t of thresholds) {
    // A capacity is a search's result, checked when the search ends (search/capacity-thresholds.ts).
    if (t.metric.name === CAPACITY_METRIC || !appliesTo(t, s.params)) continue;
    const base = { cell: s.cell, threshold: `${t.key}: ${t.expr}`, metric: t.metric.key, op: t.op, limit: t.limit };
    const value = metricValue(s, t.metric);
    if (value === undefined) {
      const why = whyMissing(s, t.metric);
      out.push({ ...base, status: why.applies ? 'fail' : 'skip', note: why.note });
    } else {
      out.push({ ...base, value, status: holds(value, t.op, t.limit) ? 'pass' : 'fail' });
    }
  }
  return out;
}

/**
 * The `capacity` thresholds in scope of a searched cell, checked against its capacity (the
 * largest value that passed). A capacity below the lowest value tried fails any of them.
 */
export function checkCapacity(
  thresholds: readonly Threshold[],
  searched: { cell: string; params: Record<string, unknown>; capacity?: number; bracket: { fail?: number }; decided: boolean },
): ThresholdResult[] {
  const out: ThresholdResult[] = [];
  for (const t of thresholds) {
    if (t.metric.name !== CAPACITY_METRIC || !appliesTo(t, searched.params)) continue;
    const base = { cell: searched.cell, threshold: `${t.key}: ${t.expr}`, metric: t.metric.key, op: t.op, limit: t.limit };
    if (searched.capacity === undefined) {
      out.push({ ...base, status: 'fail', note: `capacity < ${searched.bracket.fail}: even the lowest value tried failed` });
      continue;
    }
    const note = searched.decided ? undefined : 'an end of the bracket was undecided';
    out.push({ ...base, value: searched.capacity, status: holds(searched.capacity, t.op, t.limit) ? 'pass' : 'fail', ...(note ? { note } : {}) });
  }
  return out;
}

/** Checks a finished cell: sets `summary.threshold` (pass/fail, or unset when none applied). */
export function checkCell(thresholds: readonly Threshold[], s: CellSummary): ThresholdResult[] {
  const results = evaluateThresholds(thresholds, s);
  if (results.some((r) => r.status === 'fail')) s.threshold = 'fail';
  else if (results.some((r) => r.status === 'pass')) s.threshold = 'pass';
  else delete s.threshold;
  return results;
}
