/**
 * compare on the fixture pairs in test/fixtures/results/ (see test/helpers/result-fixtures.ts):
 * each variant against `baseline`, with the default rules unless a test says otherwise.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bootstrapDifference } from '../../../src/compare/bootstrap.js';
import { compareResults, type CompareOptions } from '../../../src/compare/compare.js';
import { loadResult, type LoadedResult } from '../../../src/results/load.js';
import { tempDir } from '../../helpers/cli.js';
import { buildResult, FIXTURES } from '../../helpers/result-fixtures.js';
import { aggregate } from '../../../src/compare/gate-metrics.js';
import { parseRuleFlag, parseTolerance, resolveRules } from '../../../src/compare/tolerances.js';
import type { CompareReport, MetricComparison } from '../../../src/compare/types.js';
import { UserError } from '../../../src/errors.js';
import { formatCompareMarkdown } from '../../../src/compare/format.js';
import { COMPARE_TABLE_MAX_ROWS, formatCompareTable } from '../../../src/ui/compare-table.js';

/** Relative to the repo root (vitest's cwd), so the report paths are stable in snapshots. */
const FIX = 'test/fixtures/results';

const memo = new Map<string, CompareReport>();

/** Reports are memoized by their inputs: the bootstrap is the expensive part of this file. */
function compare(current: string, opts: Partial<CompareOptions> & { flags?: string[]; baseline?: string } = {}): CompareReport {
  const key = JSON.stringify([current, opts]);
  if (!memo.has(key)) memo.set(key, compareUncached(current, opts));
  return memo.get(key)!;
}

function compareUncached(current: string, opts: Partial<CompareOptions> & { flags?: string[]; baseline?: string } = {}): CompareReport {
  return compareResults(loadResult(opts.baseline ?? `${FIX}/baseline`), loadResult(current.includes('/') ? current : `${FIX}/${current}`), {
    rules: resolveRules(opts.flags ?? [], undefined),
    confidence: 0.95,
    resamples: 2000,
    seed: 1,
    test: true,
    strict: false,
    ...opts,
  });
}

function rows(report: CompareReport): (MetricComparison & { cell: string })[] {
  return report.cells.flatMap((c) => c.metrics.map((m) => ({ ...m, cell: c.cell })));
}

function verdicts(report: CompareReport, verdict: string): string[] {
  return rows(report)
    .filter((m) => m.verdict === verdict)
    .map((m) => `${m.cell} ${m.metric}`);
}

describe('compare on fixture pairs', () => {
  it('finds the regression: 30% slower cell and a cell with 20% errors; exits as failed', () => {
    const r = compare('regression');
    expect(r.passed).toBe(false);
    expect(verdicts(r, 'regression')).toEqual([
      'm=a,c=1 latency_ms.p50',
      'm=a,c=1 latency_ms.p95',
      'm=a,c=1 ttft_ms.p95',
      'm=a,c=1 output_tokens_per_s',
      'm=b,c=4 error_rate',
    ]);
    const p50 = rows(r).find((m) => m.cell === 'm=a,c=1' && m.metric === 'latency_ms.p50')!;
    expect(p50.change_rel!).toBeGreaterThan(0.25);
    expect(p50.test).toMatchObject({ method: 'bootstrap', significant: true, n: [40, 40] });
    expect(p50.test!.ci_rel![0]).toBeGreaterThan(0.1);
    const errors = rows(r).find((m) => m.cell === 'm=b,c=4' && m.metric === 'error_rate')!;
    expect(errors).toMatchObject({ baseline: 0, current: 0.2, change: 0.2, change_rel: undefined });
    // The noisy model b moves by more than 10% here and there, but not significantly.
    expect(verdicts(r, 'noise').every((x) => x.startsWith('m=b'))).toBe(true);
  });

  it('reports an improvement as improved and passes', () => {
    const r = compare('improvement');
    expect(r.passed).toBe(true);
    expect(verdicts(r, 'improved')).toEqual([
      'm=a,c=1 latency_ms.p50',
      'm=a,c=1 latency_ms.p95',
      'm=a,c=1 ttft_ms.p95',
      'm=a,c=1 output_tokens_per_s',
    ]);
    expect(r.counts.regression).toBe(0);
  });

  it('passes a real change that stays within tolerance (4% slower on the steady model)', () => {
    const r = compare('within');
    expect(r.passed).toBe(true);
    const steady = rows(r).filter((m) => m.cell.startsWith('m=a') && m.metric === 'latency_ms.p50');
    for (const m of steady) {
      expect(m.change_rel!).toBeGreaterThan(0);
      expect(m.change_rel!).toBeLessThan(0.1);
      expect(m.verdict).toBe('ok');
      expect(m.test).toBeUndefined();
    }
  });

  it('passes noise that a naive % check would fail: beyond tolerance, but the interval includes 0', () => {
    const r = compare('noise');
    expect(r.passed).toBe(true);
    expect(r.counts).toMatchObject({ regression: 0, improved: 0 });
    const naive = rows(r).filter((m) => m.change_rel !== undefined && m.change_rel > 0.1 && m.metric.startsWith('latency_ms'));
    expect(naive.map((m) => `${m.cell} ${m.metric}`)).toEqual([
      'm=b,c=1 latency_ms.p50',
      'm=b,c=1 latency_ms.p95',
      'm=b,c=4 latency_ms.p50',
      'm=b,c=4 latency_ms.p95',
    ]);
    for (const m of naive) {
      expect(m.verdict).toBe('noise');
      expect(m.test!.significant).toBe(false);
      expect(m.test!.ci[0]).toBeLessThan(0);
      expect(m.note).toMatch(/^not significant: the 99\.79% interval of the change includes 0 \(n=40\/40\)$/);
    }
    // The same pair without the test fails the build: that is the naive check.
    expect(compare('noise', { test: false }).passed).toBe(false);
  });

  it('lists cells on one side only without failing, unless strict', () => {
    const r = compare('missing');
    expect(r.only_baseline).toEqual(['m=b,c=4']);
    expect(r.only_current).toEqual(['m=b,c=8']);
    expect(r.cells.map((c) => c.cell)).toEqual(['m=a,c=1', 'm=a,c=4', 'm=b,c=1']);
    expect(r.passed).toBe(true);
    expect(compare('missing', { strict: true }).passed).toBe(false);
  });

  it('decides on the point change, and says so, when one side is only a summary.csv', () => {
    const r = compare(`${FIX}/noise/summary.csv`);
    expect(r.current.source).toBe('summary.csv');
    const m = rows(r).find((x) => x.cell === 'm=b,c=1' && x.metric === 'latency_ms.p95')!;
    expect(m.verdict).toBe('regression');
    expect(m.note).toBe('no per-request rows in the current result (summary.csv only): decided on the point change');
    expect(r.passed).toBe(false);
  });

  it('joins cells by their matrix values, not by file order or cell id text', () => {
    const r = compare(`${FIX}/baseline/summary.csv`, { baseline: `${FIX}/baseline` });
    expect(r.cells).toHaveLength(4);
    expect(r.counts.ok).toBe(24);
  });

  it('is deterministic: the same inputs and seed give the same report', () => {
    expect(JSON.stringify(compareUncached('noise'))).toBe(JSON.stringify(compare('noise')));
  });

  it('uses only the given rules, with the direction and kind they state', () => {
    const r = compare('regression', { flags: ['error_rate=+0.5', 'completion_tokens_mean=±20%', 'output_tokens_per_s:-50%'] });
    expect(r.rules).toEqual([
      { metric: 'error_rate', tolerance: '+0.5', source: 'flag' },
      { metric: 'completion_tokens_mean', tolerance: '±20%', source: 'flag' },
      { metric: 'output_tokens_per_s', tolerance: '-50%', source: 'flag' },
    ]);
    expect(r.passed).toBe(true);
    expect(r.comparisons).toBe(12);
  });
});

describe('SLO metrics', () => {
  it('tests slo_attainment and goodput per request when the spec has an slo: section', () => {
    const withSlo = (name: keyof typeof FIXTURES): LoadedResult => {
      const dir = tempDir();
      const built = buildResult(FIXTURES[name]);
      writeFileSync(join(dir, 'requests.csv'), built['requests.csv']);
      const run = JSON.parse(built['run.json']) as { spec: Record<string, unknown> };
      run.spec.slo = { latency_ms: 1000 };
      writeFileSync(join(dir, 'run.json'), JSON.stringify(run));
      return loadResult(dir);
    };
    const r = compareResults(withSlo('baseline'), withSlo('regression'), {
      rules: resolveRules(['slo_attainment=-0.05', 'goodput_rps=-10%'], undefined),
      confidence: 0.95,
      resamples: 2000,
      seed: 1,
      test: true,
      strict: false,
    });
    const a1 = r.cells.find((c) => c.cell === 'm=a,c=1')!.metrics;
    expect(a1.map((m) => [m.metric, m.verdict, m.test?.significant])).toEqual([
      ['slo_attainment', 'regression', true],
      ['goodput_rps', 'regression', true],
    ]);
    expect(a1[0].baseline).toBeGreaterThan(0.9);
    expect(a1[0].current).toBeLessThan(0.6);
    expect(a1[1].test!.statistic).toBe('requests meeting the SLOs / request time');
  });

  it('calls them not measured without an slo: section', () => {
    const r = compare('regression', { flags: ['slo_attainment=-0.05'] });
    expect(rows(r)[0]).toMatchObject({
      verdict: 'n/a',
      note: 'not measured: slo_attainment needs an slo: section in the spec (in both results)',
    });
  });
});

describe('markdown', () => {
  it('renders the regression pair for a step summary', async () => {
    await expect(formatCompareMarkdown(compare('regression'))).toMatchFileSnapshot('__snapshots__/compare-regression.md');
  });

  it('renders missing cells and a clean result', async () => {
    await expect(formatCompareMarkdown(compare('missing', { strict: true }))).toMatchFileSnapshot('__snapshots__/compare-missing.md');
  });

  it('shares its rows with the terminal table', () => {
    const text = formatCompareTable(compare('regression'), false);
    expect(text).toContain('m=a,c=1');
    expect(text).toMatch(/latency_ms\.p50 .*\+\d+\.\d%.*regression/);
    expect(text.split('\n').at(-1)).toBe('5 regressions — 5 regressions, 0 improved, 3 within noise, 16 ok');
  });

  it('shows at most COMPARE_TABLE_MAX_ROWS rows in the terminal, the regressions first, and counts the rest', () => {
    const one = compare('regression');
    // The 24 rows of the fixture, for 20 copies of its cells: 480 rows, 100 of them regressions.
    const report: CompareReport = { ...one, cells: Array.from({ length: 20 }, (_, k) => one.cells.map((c) => ({ ...c, cell: `${c.cell},copy=${k}` }))).flat() };
    const text = formatCompareTable(report, false);
    const dataRows = text.split('\n').filter((l) => / (ok|regression|noise|improved|n\/a) +│$/.test(l));
    expect(dataRows).toHaveLength(COMPARE_TABLE_MAX_ROWS);
    expect(dataRows.filter((l) => l.includes('regression'))).toHaveLength(100);
    expect(dataRows.filter((l) => l.includes('noise'))).toHaveLength(60);
    expect(text).toContain('(280 of 480 rows not shown: 280 ok; `compare --json` or `--markdown` lists every row)');
  });
});

describe('rules', () => {
  it('reads signs, percentages and absolute tolerances', () => {
    const t = (m: string, s: string) => {
      const r = parseTolerance(m, s, 'spec');
      return 'error' in r ? r.error : [r.kind, r.amount, r.direction];
    };
    expect(t('latency_ms.p95', '+10%')).toEqual(['relative', 0.1, 'up']);
    expect(t('output_tokens_per_s', '-5%')).toEqual(['relative', 0.05, 'down']);
    expect(t('output_tokens_per_s', '5%')).toEqual(['relative', 0.05, 'down']);
    expect(t('ttft_ms.p50', '10%')).toEqual(['relative', 0.1, 'up']);
    expect(t('error_rate', '+0.01')).toEqual(['absolute', 0.01, 'up']);
    expect(t('completion_tokens_mean', '±20%')).toEqual(['relative', 0.2, 'both']);
    expect(t('completion_tokens_mean', '+-20%')).toEqual(['relative', 0.2, 'both']);
    expect(t('latency_ms', '+10%')).toBe('latency_ms needs an aggregate: latency_ms.p95 (one of mean, p50, p90, p95, p99, min, max, or a percentile such as p99.9)');
  });

  it('lays flags over the spec rules; defaults only when neither gives any', () => {
    expect(resolveRules([], undefined).map((r) => `${r.metric.key} ${r.text} ${r.source}`)).toEqual([
      'latency_ms.p50 +10% default',
      'latency_ms.p95 +10% default',
      'ttft_ms.p95 +10% default',
      'output_tokens_per_s -10% default',
      'error_rate +0.01 default',
      'completion_tokens_mean +10% default',
    ]);
    const r = resolveRules(['latency_ms.p95=+20%'], { 'latency_ms.p95': '+5%', error_rate: '+0.02' });
    expect(r.map((x) => `${x.metric.key} ${x.text} ${x.source}`)).toEqual(['latency_ms.p95 +20% flag', 'error_rate +0.02 spec']);
    expect(() => parseRuleFlag('latency_ms.p95')).toThrow(UserError);
    expect(() => parseRuleFlag('latency.p95=+1%')).toThrow("--rule latency.p95=+1%: unknown metric 'latency' — did you mean 'latency_ms'?");
  });
});

describe('bootstrap', () => {
  const opts = { resamples: 2000, confidence: 0.95, seed: 7 };
  const sample = (xs: number[]) => ({ x: xs, stat: aggregate('p50') });
  const a = Array.from({ length: 50 }, (_, i) => 100 + ((i * 37) % 50));

  it('finds no change between a sample and itself, and a clear one under a shift', () => {
    const same = bootstrapDifference(sample(a), sample(a), opts)!;
    expect(same.ci[0]).toBeLessThanOrEqual(0);
    expect(same.ci[1]).toBeGreaterThanOrEqual(0);
    expect(same.p).toBeGreaterThan(0.5);
    const shifted = bootstrapDifference(sample(a), sample(a.map((v) => v + 30)), opts)!;
    expect(shifted.estimate).toEqual([124.5, 154.5]);
    expect(shifted.ci[0]).toBeGreaterThan(15);
    expect(shifted.p).toBe(0);
  });

  it('is deterministic for a seed and undefined for an empty side', () => {
    const b = a.map((v) => v * 1.05);
    expect(bootstrapDifference(sample(a), sample(b), opts)).toEqual(bootstrapDifference(sample(a), sample(b), opts));
    expect(bootstrapDifference(sample([]), sample(b), opts)).toBeUndefined();
  });
});

it('reads the fixture folders as results with per-request rows', () => {
  const r = loadResult(join(FIX, 'baseline'));
  expect(r.source).toBe('requests.csv');
  expect(r.run?.spec_hash).toBe('f1f1f1f1f1f1f1f1');
  expect(r.cells.map((c) => [c.cell, c.columns!.length])).toEqual([
    ['m=a,c=1', 40],
    ['m=a,c=4', 40],
    ['m=b,c=1', 40],
    ['m=b,c=4', 40],
  ]);
});
