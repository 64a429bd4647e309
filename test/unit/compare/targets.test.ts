/**
 * Targets side by side: grouping, differences to the first target, and the verdicts of the
 * seeded bootstrap on recorded samples (test/fixtures/targets/README.md): two identical
 * servers are called different at most as often as the confidence allows, a 30 ms TTFT gap
 * always is.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareTargets, type TargetsComparison } from '../../../src/compare/targets.js';
import { CellColumns } from '../../../src/metrics/cell-columns.js';
import { summarizeCell } from '../../../src/metrics/summary.js';
import { mulberry32 } from '../../../src/random.js';
import type { RequestRecord } from '../../../src/records/types.js';
import { loadResult, type ResultCell } from '../../../src/results/load.js';
import { REPO } from '../../helpers/cli.js';

const OPTS = { confidence: 0.95, resamples: 1000, seed: 1 };
const recorded = loadResult(join(REPO, 'test/fixtures/targets/identical-sim.csv'));
const pool: RequestRecord[] = [...recorded.rows().records];

function cell(target: string, rows: readonly RequestRecord[], extra: Record<string, unknown> = {}): ResultCell {
  const params = { target, ...extra };
  const id = Object.entries(params).map(([k, v]) => `${k}=${String(v)}`).join(',');
  const columns = CellColumns.from(rows.map((r) => ({ ...r, cell: id, params })));
  const checks = rows.some((r) => r.checks_total !== undefined);
  const priced = rows.some((r) => r.cost !== undefined);
  return { cell: id, params, summary: summarizeCell(id, params, columns, { checks, priced }), columns };
}

/** The pool's rows in a seeded random order, split into two "targets" of equal size. */
function split(seed: number): [RequestRecord[], RequestRecord[]] {
  const random = mulberry32(seed);
  const rows = [...pool];
  for (let i = rows.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [rows[i], rows[j]] = [rows[j], rows[i]];
  }
  const half = rows.length / 2;
  return [rows.slice(0, half), rows.slice(half)];
}

function verdicts(c: TargetsComparison): string[] {
  return c.groups.flatMap((g) => g.rows.flatMap((r) => (r.diffs ?? []).map((d) => d.verdict)));
}

describe('compareTargets', () => {
  it('the recorded samples are what the README says', () => {
    expect(pool).toHaveLength(160);
    expect(recorded.cells.map((c) => c.summary.ttft_ms!.p50)).toEqual([expect.closeTo(51, 0), expect.closeTo(53, 0)]);
  });

  it('calls two identical servers not significant in at least 95 of 100 seeded repeats', () => {
    let quiet = 0;
    let quietTtft = 0;
    for (let seed = 0; seed < 100; seed++) {
      const [a, b] = split(seed);
      const c = compareTargets([cell('a', a), cell('b', b)], { ...OPTS, seed })!;
      expect(c.metrics.map((m) => m.key)).toEqual(['latency_ms.p50', 'ttft_ms.p50', 'output_tokens_per_s']);
      if (verdicts(c).every((v) => v === 'not significant')) quiet++;
      if (c.groups[0].rows[1].diffs![1].verdict === 'not significant') quietTtft++;
    }
    expect(quietTtft).toBeGreaterThanOrEqual(95);
    // Every metric of the row at once (the family Bonferroni keeps at 95%): 14 of 400 repeats
    // flag something, 3.5%; these 100 seeds happen to hold 7 of them.
    expect(quiet).toBeGreaterThanOrEqual(90);
  });

  it('calls a 30 ms TTFT gap significant (50 vs 80 ms) in every repeat, and not the unchanged metrics', () => {
    for (let seed = 0; seed < 20; seed++) {
      const [a, b] = split(seed);
      const slower = b.map((r) => ({ ...r, ttft_ms: r.ttft_ms! + 30, latency_ms: r.latency_ms! + 30 }));
      const c = compareTargets([cell('fast', a), cell('slow', slower)], { ...OPTS, seed })!;
      const [lat, ttft] = c.groups[0].rows[1].diffs!;
      expect(ttft.verdict).toBe('significant');
      expect(ttft.change).toBeCloseTo(30, -1);
      expect(ttft.better).toBe(false);
      expect(lat.verdict).toBe('significant');
    }
  });

  it('groups cells by their other parameters, compares each target with the first of its group, and counts the family', () => {
    const [a, b] = split(1);
    const cells = [cell('x', a, { concurrency: 1 }), cell('y', b, { concurrency: 1 }), cell('x', b, { concurrency: 4 }), cell('y', a, { concurrency: 4 })];
    const c = compareTargets(cells, OPTS)!;
    expect(c.targets).toEqual(['x', 'y']);
    expect(c.groups.map((g) => [g.params, g.reference, g.rows.map((r) => r.target)])).toEqual([
      [{ concurrency: 1 }, 'x', ['x', 'y']],
      [{ concurrency: 4 }, 'x', ['x', 'y']],
    ]);
    expect(c.groups[0].rows[0].diffs).toBeUndefined();
    // 2 groups x 1 other target x 3 metrics, each interval at 1 - 0.05/6.
    expect(c.tested).toBe(6);
    expect(c.interval_level).toBeCloseTo(1 - 0.05 / 6, 10);
    // Swapped halves: the second group's change is the first's, negated.
    expect(c.groups[1].rows[1].diffs![1].change).toBeCloseTo(-c.groups[0].rows[1].diffs![1].change!, 6);
  });

  it('a group without the first target compares with the first one it has; one target alone has nothing to compare', () => {
    const [a, b] = split(2);
    const c = compareTargets([cell('x', a, { c: 1 }), cell('y', b, { c: 1 }), cell('y', a, { c: 4 }), cell('z', b, { c: 4 })], OPTS)!;
    expect(c.groups[1].reference).toBe('y');
    expect(compareTargets([cell('x', a)], OPTS)).toBeUndefined();
  });

  it('without the tests (a report during a run) gives the numbers and says why there is no verdict', () => {
    const [a, b] = split(3);
    const c = compareTargets([cell('a', a), cell('b', b)], { ...OPTS, test: false })!;
    expect(verdicts(c)).toEqual(['untested', 'untested', 'untested']);
    expect(c.untested).toBe('tested when the run ends');
    expect(c.groups[0].rows[1].diffs![0].change).toBeDefined();
  });

  it('with checks and prices, compares each target\'s pass rate and cost too (a worse, cheaper model)', () => {
    const [a, b] = split(4);
    // Every answer of the reference passes, every other one of the candidate; the candidate costs a quarter.
    const good = a.map((r) => ({ ...r, checks_passed: 1, checks_total: 1, cost: 0.0004 }));
    const cheap = b.map((r, i) => ({ ...r, checks_passed: i % 2, checks_total: 1, cost: 0.0001 }));
    const c = compareTargets([cell('good', good), cell('cheap', cheap)], OPTS)!;
    expect(c.metrics.map((m) => m.key)).toEqual(['latency_ms.p50', 'ttft_ms.p50', 'output_tokens_per_s', 'check_pass_rate', 'cost_per_1k_requests']);
    expect(c.groups[0].rows.map((r) => r.values.slice(3))).toEqual([
      [1, expect.closeTo(0.4, 9)],
      [0.5, expect.closeTo(0.1, 9)],
    ]);
    const [, , , pass, cost] = c.groups[0].rows[1].diffs!;
    expect(pass).toMatchObject({ verdict: 'significant', better: false });
    expect(pass.change).toBeCloseTo(-0.5, 9);
    expect(cost).toMatchObject({ verdict: 'significant', better: true });
    expect(cost.change_rel).toBeCloseTo(-0.75, 9);
    expect(c.tested).toBe(5);
  });
});
