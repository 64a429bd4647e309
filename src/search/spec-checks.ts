/**
 * Load-time checks of a spec's `search:` that its schema cannot express, each at its
 * `file:line:col` with the fix: min above max, whole numbers for concurrency, a criterion
 * (an SLO or thresholds, not both), `over` not also set by the matrix or params, the
 * search's thresholds themselves. Warnings for legal but wasteful settings.
 */
import { parseThresholds } from '../compare/thresholds.js';
import { hasSlo } from '../metrics/summary.js';
import type { Spec } from '../spec/schema.js';
import type { YamlSource } from '../spec/yaml-source.js';
import { minRequestsToPass } from './criterion.js';

export interface SearchChecks {
  problems: string[];
  warnings: string[];
}

export function searchChecks(spec: Spec, src: YamlSource): SearchChecks {
  const out: SearchChecks = { problems: [], warnings: [] };
  const s = spec.search;
  const gates = Object.keys(spec.thresholds ?? {});
  const isCapacity = (key: string) => /^\s*capacity\s*(\{|$)/.test(key);
  if (!s) {
    for (const key of gates.filter(isCapacity)) {
      out.problems.push(`${src.locate(['thresholds', key], 'key')}: threshold '${key}' needs a search: section (capacity is what a search finds); add search: { over: concurrency, max: ..., slo: {...} }, or remove it`);
    }
    return out;
  }
  for (const key of gates.filter((k) => !isCapacity(k))) {
    out.warnings.push(
      `${src.locate(['thresholds', key], 'key')}: threshold '${key}' does not judge a search's steps, which go past the capacity on purpose; make it search.thresholds to search by it, or gate on capacity`,
    );
  }
  const at = (path: (string | number)[], which: 'key' | 'value' = 'value') => src.locate(['search', ...path], which);
  const problem = (where: string, text: string) => out.problems.push(`${where}: ${text}`);

  // On a spec that failed its schema the values are as written: checks that need a number skip others.
  if (typeof s !== 'object' || s === null) return out;
  const max = typeof s.max === 'string' && /inf/i.test(s.max) ? Infinity : s.max;
  const attainment = s.attainment ?? 0.95;
  const confidence = s.confidence ?? 0.9;
  if (s.over === 'concurrency') {
    if (typeof s.min === 'number' && !Number.isInteger(s.min)) problem(at(['min']), `search.min must be a whole number of requests in flight for over: concurrency, got ${s.min}`);
    if (max === Infinity) problem(at(['max']), 'search.max: inf is for over: rate only; give the most requests in flight to try, e.g. 512');
    else if (typeof max === 'number' && !Number.isInteger(max)) problem(at(['max']), `search.max must be a whole number of requests in flight for over: concurrency, got ${max}`);
  }
  if (typeof s.min === 'number' && typeof max === 'number' && s.min > max) problem(at(['min']), `search.min (${s.min}) is above search.max (${max}); give min <= max`);

  const ownSlo = s.slo !== undefined;
  if (ownSlo && s.thresholds !== undefined) {
    problem(at(['thresholds'], 'key'), 'give search.slo or search.thresholds, not both: a step is judged by one criterion');
  } else if (s.thresholds !== undefined) {
    if (Object.keys(s.thresholds).length === 0) {
      problem(at(['thresholds'], 'key'), 'search.thresholds is empty; give at least one, e.g. { "ttft_ms.p95": "< 500" }');
    }
    const parsed = parseThresholds({ thresholds: s.thresholds, matrix: spec.matrix }, (path, which) => src.locate(['search', ...path], which));
    out.problems.push(...parsed.problems.map((p) => p.replace(/: threshold '/, ": search threshold '")));
    for (const t of parsed.thresholds) {
      if (t.metric.name === 'capacity') {
        problem(at(['thresholds', t.key], 'key'), 'capacity is what the search finds, not a step metric; gate on it in the top-level thresholds');
      }
    }
  } else if (ownSlo ? !hasSlo(s.slo) : !hasSlo(spec.slo)) {
    problem(
      ownSlo ? at(['slo'], 'key') : src.locate(['search'], 'key'),
      `search needs a criterion that names an SLO or a threshold: give search.slo (e.g. { ttft_ms: 500 }, to be met by search.attainment of the requests) or search.thresholds (e.g. { "ttft_ms.p95": "< 500" })`,
    );
  }

  if (s.requests_per_step !== undefined && s.duration_s_per_step !== undefined) {
    problem(at(['duration_s_per_step'], 'key'), 'give search.requests_per_step or search.duration_s_per_step, not both');
  }

  if (typeof spec.repeat_cells === 'number' && spec.repeat_cells > 1) {
    // A search decides each step from what it measured, round by round (max_rounds): a
    // second pass over the grid would search again and find a second capacity.
    problem(
      src.locate(['repeat_cells'], 'key'),
      'repeat_cells runs the grid in rounds, and a search runs its steps in its own rounds; remove repeat_cells (a step repeats by itself until its verdict is sure)',
    );
  }

  const over = s.over;
  const matrix = (spec.matrix ?? {}) as Record<string, unknown>;
  if (typeof over === 'string' && over in matrix) {
    problem(src.locate(['matrix', over], 'key'), `${over} is what search: finds (search.over), so it cannot also be a matrix axis; remove matrix.${over}`);
  }
  const include = Array.isArray(matrix.include) ? (matrix.include as Record<string, unknown>[]) : [];
  include.forEach((entry, i) => {
    if (entry && typeof entry === 'object' && over in entry) {
      problem(src.locate(['matrix', 'include', i, over], 'key'), `${over} is what search: finds (search.over), so an include entry cannot set it; remove it`);
    }
  });
  if (spec.params && typeof spec.params === 'object' && over in spec.params) {
    problem(src.locate(['params', over], 'key'), `${over} is what search: finds (search.over), so params cannot fix it; remove params.${over}`);
  }

  if (s.thresholds === undefined && s.requests_per_step !== undefined) {
    const least = minRequestsToPass(attainment, confidence);
    if (s.requests_per_step < least) {
      out.warnings.push(
        `${at(['requests_per_step'])}: a step of ${s.requests_per_step} requests cannot pass: with attainment ${attainment} at confidence ${confidence} it takes at least ${least} (every one meeting the SLO); steps will need more rounds or end undecided`,
      );
    }
  }
  for (const key of ['requests', 'repeat', 'duration_s'] as const) {
    if (spec[key] !== undefined) {
      out.warnings.push(
        `${src.locate([key], 'key')}: ${key} is not used by a search: each step runs search.requests_per_step requests (or search.duration_s_per_step seconds) per round`,
      );
    }
  }
  return out;
}
