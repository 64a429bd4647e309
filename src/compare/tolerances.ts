/**
 * Regression rules of `llm-sweep compare`: how far a metric may move before the change
 * counts. From the spec's `compare:` section, `--rule` flags, or the defaults.
 *
 *   compare:
 *     latency_ms.p95: "+10%"        # a rise of more than 10% is a regression
 *     output_tokens_per_s: "-5%"    # a drop of more than 5% is a regression
 *     error_rate: "+0.01"           # no %: an absolute change, in the metric's unit
 *     completion_tokens_mean: "±20%"  # either way
 *     ttft_ms.p50: "10%"            # no sign: the metric's worse direction
 */
import { UserError } from '../errors.js';
import { CAPACITY_METRIC, higherIsWorse, parseMetric } from './gate-metrics.js';
import type { Locate } from './thresholds.js';
import type { Direction, Tolerance } from './types.js';

/** Used when neither the spec nor a flag gives a rule. */
export const DEFAULT_RULES: Readonly<Record<string, string>> = {
  'latency_ms.p50': '+10%',
  'latency_ms.p95': '+10%',
  'ttft_ms.p95': '+10%',
  output_tokens_per_s: '-10%',
  error_rate: '+0.01',
  completion_tokens_mean: '+10%',
};

/**
 * Defaults for metrics a result has only with `checks:` or `pricing:`: a drop in the pass
 * rate of more than 5 points, a rise in the cost per request of more than 10%.
 */
const OPTIONAL_DEFAULT_RULES: Readonly<Record<string, string>> = {
  check_pass_rate: '-0.05',
  cost_per_1k_requests: '+10%',
};

/** The default rules for results whose cells hold these summaries: the base set, and the optional ones they measure. */
export function defaultRulesFor(summaries: Iterable<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = { ...DEFAULT_RULES };
  for (const s of summaries) {
    for (const [k, v] of Object.entries(OPTIONAL_DEFAULT_RULES)) if (typeof s[k] === 'number') out[k] = v;
  }
  return out;
}

const TOL_RE = /^(\+\/-|\+-|±|\+|-)?\s*(\d+\.?\d*|\.\d+)\s*(%?)$/;

export function parseTolerance(metricText: string, text: string, source: Tolerance['source']): Tolerance | { error: string } {
  const metric = parseMetric(metricText);
  if ('error' in metric) return metric;
  if (metric.name === CAPACITY_METRIC) {
    return { error: 'capacity takes no rule: compare compares capacities by their brackets whenever both results have a search' };
  }
  const m = TOL_RE.exec(text.trim());
  if (!m) {
    return {
      error: `cannot read tolerance ${JSON.stringify(text)} of ${metricText}; write "+10%" (relative), "+0.01" (absolute), "-5%" for a drop, "±10%" for either way`,
    };
  }
  const sign = m[1];
  const direction: Direction =
    sign === '+' ? 'up' : sign === '-' ? 'down' : sign ? 'both' : higherIsWorse(metric.name) ? 'up' : 'down';
  const percent = m[3] === '%';
  return {
    metric,
    text: text.trim(),
    kind: percent ? 'relative' : 'absolute',
    amount: Number(m[2]) / (percent ? 100 : 1),
    direction,
    source,
  };
}

/** Problems of a spec's `compare:` section, each at its YAML position. */
export function compareRuleProblems(rules: Record<string, string> | undefined, locate: Locate): string[] {
  const problems: string[] = [];
  for (const [key, text] of Object.entries(rules ?? {})) {
    const t = parseTolerance(key, text, 'spec');
    if ('error' in t) {
      const where = parseMetric(key);
      problems.push(`${locate(['compare', key], 'error' in where ? 'key' : 'value')}: compare '${key}': ${t.error}`);
    }
  }
  return problems;
}

/** `latency_ms.p95=+10%`, `latency_ms.p95:+10%` or `latency_ms.p95 +10%`. */
export function parseRuleFlag(text: string): Tolerance {
  const m = /^\s*([A-Za-z0-9_.]+)\s*(?:=|:|\s)\s*(\S.*)$/.exec(text);
  const t = m ? parseTolerance(m[1], m[2], 'flag') : { error: 'expected metric=tolerance, e.g. --rule latency_ms.p95=+10%' };
  if ('error' in t) throw new UserError(`--rule ${text}: ${t.error}`);
  return t;
}

/**
 * The rules in force: the spec's `compare:` section with `--rule` flags laid over it (a flag
 * replaces the spec's rule for the same metric); the defaults when neither gives any.
 */
export function resolveRules(
  flags: readonly string[],
  specRules: Record<string, string> | undefined,
  where = 'spec',
  defaults: Readonly<Record<string, string>> = DEFAULT_RULES,
): Tolerance[] {
  const byKey = new Map<string, Tolerance>();
  const problems: string[] = [];
  for (const [key, text] of Object.entries(specRules ?? {})) {
    const t = parseTolerance(key, text, 'spec');
    if ('error' in t) problems.push(`${where}: compare '${key}': ${t.error}`);
    else byKey.set(t.metric.key, t);
  }
  if (problems.length > 0) throw new UserError(problems.join('\n'), problems);
  for (const f of flags) {
    const t = parseRuleFlag(f);
    byKey.set(t.metric.key, t);
  }
  if (byKey.size === 0) {
    for (const [key, text] of Object.entries(defaults)) {
      const t = parseTolerance(key, text, 'default') as Tolerance;
      byKey.set(t.metric.key, t);
    }
  }
  return [...byKey.values()];
}
