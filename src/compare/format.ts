/**
 * `llm-sweep compare` output as text: the rows shared by the terminal table and markdown
 * (so the two cannot disagree), the markdown document for $GITHUB_STEP_SUMMARY and PR
 * comments, and JSON. Pure.
 */
import { formatLevel, formatNumber, formatPercent, formatValue } from '../ui/format.js';
import { RATE_METRICS } from './gate-metrics.js';
import type { CompareReport, MetricComparison, Verdict } from './types.js';

export interface CompareRow {
  cell: string;
  metric: string;
  rule: string;
  baseline: string;
  current: string;
  change: string;
  ci: string;
  verdict: Verdict;
  note: string;
}

function isRate(metric: string): boolean {
  return RATE_METRICS.includes(metric);
}

/** A metric value for people: rates as percentages. */
export function fmtValue(metric: string, v: number | undefined): string {
  return isRate(metric) ? formatPercent(v) : formatValue(v);
}

function signed(text: string, v: number): string {
  return v > 0 ? `+${text}` : text;
}

function fmtPct(v: number): string {
  return signed(formatPercent(v), v);
}

/** The change: relative for most metrics, percentage points for rates, absolute when the baseline is 0. */
export function fmtChange(m: Pick<MetricComparison, 'metric' | 'change' | 'change_rel'>): string {
  if (m.change === undefined) return '—';
  if (isRate(m.metric)) return signed(`${formatNumber(m.change * 100)} pp`, m.change);
  if (m.change_rel === undefined) return signed(fmtValue(m.metric, m.change), m.change);
  return fmtPct(m.change_rel);
}

function fmtCi(m: MetricComparison): string {
  const t = m.test;
  if (!t) return '';
  if (isRate(m.metric)) return `[${t.ci.map((v) => signed(formatNumber(v * 100), v)).join(', ')}] pp`;
  if (t.ci_rel) return `[${t.ci_rel.map(fmtPct).join(', ')}]`;
  return `[${t.ci.map((v) => signed(fmtValue(m.metric, v), v)).join(', ')}]`;
}

/** `16-24`, `< 1`, `>= 64`: a capacity as its bracket. */
export function bracketText(b: { pass?: number; fail?: number }): string {
  if (b.pass === undefined) return b.fail === undefined ? '—' : `< ${formatNumber(b.fail)}`;
  if (b.fail === undefined) return `>= ${formatNumber(b.pass)}`;
  return `${formatNumber(b.pass)}-${formatNumber(b.fail)}`;
}

export function compareRows(report: CompareReport): CompareRow[] {
  const capacities = (report.capacities ?? []).map((c) => ({
    cell: c.cell,
    metric: 'capacity',
    rule: 'bracket',
    baseline: bracketText(c.baseline),
    current: bracketText(c.current),
    change: '',
    ci: '',
    verdict: c.verdict,
    note: c.note,
  }));
  return [...capacities, ...report.cells.flatMap((c) =>
    c.metrics.map((m) => ({
      cell: c.cell,
      metric: m.metric,
      rule: m.rule,
      baseline: fmtValue(m.metric, m.baseline),
      current: fmtValue(m.metric, m.current),
      change: fmtChange(m),
      ci: fmtCi(m),
      verdict: m.verdict,
      note: m.note ?? '',
    })),
  )];
}

export const VERDICT_MARK: Record<Verdict, string> = {
  regression: '❌ regression',
  improved: '🟢 improved',
  noise: '⚪ noise',
  ok: 'ok',
  'n/a': 'n/a',
};

/** One line: "2 regressions, 1 improved, 3 within noise, 18 ok". */
export function countsLine(report: CompareReport): string {
  const c = report.counts;
  const parts = [
    `${c.regression} regression${c.regression === 1 ? '' : 's'}`,
    `${c.improved} improved`,
    `${c.noise} within noise`,
    `${c.ok} ok`,
  ];
  if (c['n/a'] > 0) parts.push(`${c['n/a']} not measured`);
  return parts.join(', ');
}

export function headline(report: CompareReport): string {
  const c = report.counts.regression;
  const missing = report.only_baseline.length + report.only_current.length;
  if (c > 0) return `${c} regression${c === 1 ? '' : 's'}`;
  if (!report.passed) return `${missing} missing cell${missing === 1 ? '' : 's'} (--strict)`;
  if (report.cells.length === 0) return 'no cells in common (--allow-empty)';
  return 'no regressions';
}

/** Header of the interval column: the level each interval is drawn at. */
export function ciHeader(report: CompareReport): string {
  return report.tested ? `CI ${formatLevel(report.interval_level)}` : 'CI';
}

/** Describes how verdicts were decided, for the reader of a report. */
export function methodLine(report: CompareReport): string {
  const rules = report.rules.map((r) => `${r.metric} ${r.tolerance}`).join(', ');
  return (
    `Rules: ${rules}${report.rules.every((r) => r.source === 'default') ? ' (defaults)' : ''}. ` +
    (report.tested
      ? `A change beyond its tolerance counts only if significant: its bootstrap interval excludes 0 ` +
        `(${report.resamples} resamples, seed ${report.seed}). Each interval is at ${formatLevel(report.interval_level)} so that ` +
        `all ${report.comparisons} comparisons together keep ${formatLevel(report.confidence)} confidence (Bonferroni): ` +
        `unchanged results fail at most ${formatLevel(1 - report.confidence)} of the time.`
      : report.baseline.source === 'requests.csv' && report.current.source === 'requests.csv'
        ? 'The test is off (--no-test): changes are decided on the point values.'
        : 'One side has no requests.csv, so changes are decided on the point values, without a test.')
  );
}

function mdCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function mdTable(rows: readonly CompareRow[], ci: string, withNote: boolean): string {
  const head = ['cell', 'metric', 'rule', 'baseline', 'current', 'change', ci, 'verdict'];
  if (withNote) head.push('note');
  const align = ['---', '---', '---', '---:', '---:', '---:', '---', '---', ...(withNote ? ['---'] : [])];
  const lines = [`| ${head.join(' | ')} |`, `| ${align.join(' | ')} |`];
  for (const r of rows) {
    const cells = [`\`${r.cell}\``, r.metric, r.rule, r.baseline, r.current, r.change, r.ci, VERDICT_MARK[r.verdict]];
    if (withNote) cells.push(r.note);
    lines.push(`| ${cells.map(mdCell).join(' | ')} |`);
  }
  return lines.join('\n');
}

/** Markdown for $GITHUB_STEP_SUMMARY or a PR comment: what changed first, everything in a fold. */
export function formatCompareMarkdown(report: CompareReport): string {
  const rows = compareRows(report);
  const notable = rows.filter((r) => r.verdict === 'regression' || r.verdict === 'improved' || r.verdict === 'noise');
  const out: string[] = [];
  out.push(`### llm-sweep compare: ${report.passed ? '✅' : '❌'} ${headline(report)}`, '');
  out.push(
    `Baseline \`${report.baseline.path}\` (${report.baseline.source}) vs current \`${report.current.path}\` (${report.current.source}): ` +
      `${report.cells.length} cell${report.cells.length === 1 ? '' : 's'} compared; ${countsLine(report)}.`,
    '',
  );
  if (notable.length > 0) out.push(mdTable(notable, ciHeader(report), false), '');
  else if (rows.length > 0) out.push('Every metric is within its tolerance.', '');
  if (report.only_baseline.length > 0 || report.only_current.length > 0) {
    const list = (ids: string[]) => ids.map((id) => `\`${mdCell(id)}\``).join(', ');
    const fate = report.strict ? 'fails with --strict' : 'listed, not failed (use --strict to fail)';
    if (report.only_baseline.length > 0) out.push(`Only in the baseline (${fate}): ${list(report.only_baseline)}`, '');
    if (report.only_current.length > 0) out.push(`Only in the current result (${fate}): ${list(report.only_current)}`, '');
  }
  if (rows.length > 0) {
    out.push(`<details><summary>All ${rows.length} comparisons</summary>`, '', mdTable(rows, ciHeader(report), true), '', '</details>', '');
  }
  out.push(`<sub>${mdCell(methodLine(report))}</sub>`);
  return `${out.join('\n')}\n`;
}

export function serializeCompareJson(report: CompareReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
