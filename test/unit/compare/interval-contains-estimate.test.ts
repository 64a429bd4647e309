/**
 * Issue 14 (1): a compare row's interval describes the same statistic as its point change,
 * so the change always lies inside it: on every tested row of every fixture pair, and on
 * random samples (fast-check), for every rule kind a gate can name.
 */
import { readdirSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareMetric, compareResults } from '../../../src/compare/compare.js';
import { resolveRules } from '../../../src/compare/tolerances.js';
import type { MetricComparison } from '../../../src/compare/types.js';
import { CellColumns } from '../../../src/metrics/cell-columns.js';
import { summarizeCell } from '../../../src/metrics/summary.js';
import type { RequestRecord } from '../../../src/records/types.js';
import type { ResultCell } from '../../../src/results/load.js';
import { loadResult } from '../../../src/results/load.js';
import { compareRows } from '../../../src/compare/format.js';

const FIX = 'test/fixtures/results';
const ALL_RULES = [
  'latency_ms.p50=+1%',
  'latency_ms.p95=+1%',
  'latency_ms.p99=+1%',
  'latency_ms.mean=+1%',
  'latency_ms.min=+1%',
  'latency_ms.max=+1%',
  'ttft_ms.p95=+1%',
  'output_tokens_per_s=-1%',
  'requests_per_s=-1%',
  'error_rate=+0.001',
  'completion_tokens_mean=+1%',
];

/** The change and the interval's ends, in one unit: relative where the interval is relative. */
function inside(m: MetricComparison): boolean {
  const t = m.test!;
  const [lo, hi] = t.ci_rel && m.change_rel !== undefined ? t.ci_rel : t.ci;
  const v = t.ci_rel && m.change_rel !== undefined ? m.change_rel : m.change!;
  const eps = 1e-9 * Math.max(1, Math.abs(v));
  return lo - eps <= v && v <= hi + eps;
}

describe('every tested row of every fixture pair', () => {
  const variants = readdirSync(FIX).filter((d) => d !== 'baseline');
  for (const variant of ['baseline', ...variants]) {
    it(`baseline vs ${variant}: the change lies inside its interval (value and text)`, () => {
      const report = compareResults(loadResult(`${FIX}/baseline`), loadResult(`${FIX}/${variant}`), {
        rules: resolveRules(ALL_RULES, undefined),
        confidence: 0.95,
        resamples: 400,
        seed: 7,
        test: true,
        strict: false,
      });
      const tested = report.cells.flatMap((c) => c.metrics.filter((m) => m.test));
      if (variant !== 'baseline') expect(tested.length).toBeGreaterThan(0);
      for (const m of tested) expect({ metric: m.metric, inside: inside(m) }).toEqual({ metric: m.metric, inside: true });
      // And as printed: the row's change lies between the printed ends.
      for (const r of compareRows(report).filter((r) => r.ci)) {
        const num = (s: string) => Number(s.replace(/[+%, a-z]/g, ''));
        const [lo, hi] = r.ci.replace(/[[\]]/g, '').split(/,\s+/).map(num);
        const change = num(r.change);
        expect(lo <= change && change <= hi, `${r.cell} ${r.metric}: ${r.change} ${r.ci}`).toBe(true);
      }
    });
  }
});

/**
 * A cell of requests with these latencies (ms) on `workers` closed-loop workers (so the cell's
 * wall time is not the sum of latencies: its throughput and the per-request proxy differ),
 * 10-16 tokens each, every failEvery-th failing.
 */
function cell(latencies: number[], failEvery: number, workers = 1): ResultCell {
  const free = new Array<number>(workers).fill(Date.UTC(2026, 0, 1));
  const records: RequestRecord[] = latencies.map((latency, i) => {
    const w = free.indexOf(Math.min(...free));
    const t = free[w];
    const ok = failEvery === 0 || i % failEvery !== 1;
    const r = {
      cell: 'c',
      params: { c: 1 },
      prompt_id: 0,
      repeat: i,
      started_at: new Date(t).toISOString(),
      status: ok ? 'ok' : 'error',
      attempts: 1,
      latency_ms: latency,
      ttft_ms: latency / 4,
      completion_tokens: ok ? 10 + (i % 7) : undefined,
      prompt_tokens: 5,
      tokens_source: 'usage',
      http_status: ok ? 200 : 503,
      error_kind: ok ? undefined : 'http',
    } as unknown as RequestRecord;
    free[w] = t + latency;
    return r;
  });
  const columns = CellColumns.from(records);
  return { cell: 'c', params: { c: 1 }, summary: summarizeCell('c', { c: 1 }, columns), columns } as unknown as ResultCell;
}

describe('random samples (fast-check)', () => {
  const latencies = fc.array(fc.double({ min: 1, max: 5000, noNaN: true }), { minLength: 1, maxLength: 40 });
  it('the change lies inside its interval for every rule, whatever the samples', () => {
    fc.assert(
      fc.property(latencies, latencies, fc.integer({ min: 0, max: 5 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 2 ** 31 }), (a, b, failEvery, workers, seed) => {
        const base = cell(a, failEvery);
        const cur = cell(b, failEvery === 0 ? 0 : failEvery + 1, workers);
        for (const rule of resolveRules(ALL_RULES.map((r) => r.replace(/[+-][\d.]+%?$/, (s) => `${s[0]}0`)), undefined)) {
          const m = compareMetric(base, cur, rule, { confidence: 0.95, resamples: 200, test: true }, seed);
          if (!m.test) continue;
          if (!inside(m)) throw new Error(`${m.metric}: change ${m.change} (${m.change_rel}) outside ${JSON.stringify(m.test)}`);
        }
      }),
      { numRuns: 150, seed: 14 },
    );
  });
});
