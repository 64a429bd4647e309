/**
 * The report's quality and cost parts, when the spec has checks or pricing: pass rate
 * against latency p95 with one point per cell (the "which setting should I pick" picture:
 * up and to the left is better), and the failed checks grouped by check with example
 * answers. Pure.
 */
import type { CheckTally } from '../checks/tally.js';
import type { CellSummary } from '../metrics/summary.js';
import { axisCell } from '../records/columns.js';
import { LOAD_AXES, cellLabel } from './axes.js';
import { failedKey, limitsFor, type ChartMarks } from './charts.js';
import type { ChartSpec, Point, Series } from './types.js';

/**
 * Pass rate (%) against latency p95 (ms), each point a cell labelled with its swept values,
 * coloured by the first swept axis that is not a load axis. Undefined without pass rates.
 */
export function qualityChart(cells: readonly CellSummary[], swept: readonly string[], marks: ChartMarks): ChartSpec | undefined {
  const measured = cells.filter((c) => c.check_pass_rate !== undefined && c.latency_ms?.p95 !== undefined && Number.isFinite(c.latency_ms.p95));
  if (measured.length === 0) return undefined;
  const by = swept.find((a) => !(LOAD_AXES as readonly string[]).includes(a)) ?? swept[0];
  const groups = new Map<string, Series>();
  for (const c of measured) {
    const key = by !== undefined ? `${by}=${axisCell(c.params[by])}` : 'cells';
    let s = groups.get(key);
    if (!s) groups.set(key, (s = { label: key, points: [] }));
    const p: Point = { x: c.latency_ms!.p95, y: c.check_pass_rate! * 100, label: cellLabel(c, swept) };
    if (marks.failed.has(failedKey(c.cell, 'check_pass_rate')) || marks.failed.has(failedKey(c.cell, 'latency_ms.p95'))) p.failed = true;
    s.points.push(p);
  }
  const series = [...groups.values()];
  for (const s of series) s.points.sort((a, b) => (a.x as number) - (b.x as number));
  const limits = [
    ...limitsFor(marks, 'check_pass_rate', 'y', 100, 100),
    ...limitsFor(marks, 'latency_ms.p95', 'x', Math.max(...measured.map((c) => c.latency_ms!.p95))),
  ];
  return {
    kind: 'line',
    id: 'quality',
    title: 'Check pass rate vs latency p95, one point per cell',
    x: { title: 'latency p95 (ms)', scale: 'linear' },
    y: { title: 'check pass rate (%)', scale: 'linear', min: 0, max: 100 },
    series,
    pointLabels: true,
    scatter: true,
    ...(limits.length > 0 ? { limits } : {}),
  };
}

/** The checks that failed at least once, most failures first. */
export function failedChecks(checks: readonly CheckTally[] | undefined): CheckTally[] {
  return (checks ?? []).filter((c) => c.passed < c.total).sort((a, b) => b.total - b.passed - (a.total - a.passed));
}
