/**
 * From a run's typed result to everything the report shows. Pure: `buildReportData` takes
 * the run.json document, the cells' summaries and each cell's details (box numbers and
 * error tallies, `cellDetail`) and returns plain data.
 */
import { formatCost } from '../cost/format.js';
import type { CellColumns, ErrorTally } from '../metrics/cell-columns.js';
import type { CellSummary } from '../metrics/summary.js';
import { formatDuration, formatInt, formatNumber, formatPercent } from '../ui/format.js';
import { cellLabel, sweptAxes } from './axes.js';
import { axisCharts, boxStats, distributionCharts, errorChart, errorGroups, rateChart, throughputChart, turnChart } from './charts.js';
import { cellSeconds, type CellSeconds } from './cell-seconds.js';
import { chartMarks, collectWarnings, definitions, metaRows, runDurationS, sweepRows, verdicts } from './meta.js';
import { failedChecks, qualityChart } from './quality.js';
import { paretoChart, searchSections } from './search-charts.js';
import { cellTable } from './table.js';
import { clientTimeline, timelineCharts, type ClientTimeline } from './timeline.js';
import type { BoxStats, ReportData, ReportInput } from './types.js';

/**
 * What the report keeps of a cell's rows: the box numbers of its latency and TTFT and its
 * error tallies. A few hundred bytes whatever the request count, so the report of a long
 * run is built from the finished cells without holding their rows.
 */
export interface CellDetail {
  latency: BoxStats | null;
  ttft: BoxStats | null;
  errors: ErrorTally[];
  /** Requests in flight and latency over time, beside the server's metrics (timeline.ts). */
  timeline?: ClientTimeline;
  /** The cell in 1 s buckets (cell-seconds.ts). */
  seconds?: CellSeconds;
}

export function cellDetail(c: CellColumns): CellDetail {
  return {
    latency: boxStats(Array.from(c.okValues(c.latency))),
    ttft: boxStats(Array.from(c.okValues(c.ttft))),
    errors: [...c.errors.values()].map((t) => ({ ...t })),
    timeline: clientTimeline(c),
    seconds: cellSeconds(c),
  };
}

function overview(v: ReportData['verdicts'], cells: readonly CellSummary[], input: ReportInput, label: (c: CellSummary) => string) {
  const out: ReportData['overview'] = [];
  const total = input.run?.total_cells;
  out.push({ label: 'Cells', value: total !== undefined && total !== cells.length ? `${cells.length} of ${total}` : String(cells.length) });
  const requests = cells.reduce((s, c) => s + c.requests, 0);
  const errors = cells.reduce((s, c) => s + c.errors, 0);
  out.push({ label: 'Requests', value: formatInt(requests) });
  out.push({
    label: 'Failed requests',
    value: errors > 0 ? `${formatInt(errors)} (${formatPercent(errors / requests)})` : '0',
    tone: errors > 0 ? 'bad' : 'good',
  });
  const withLatency = cells.filter((c) => c.latency_ms && c.ok > 0);
  if (withLatency.length > 0) {
    const best = withLatency.reduce((a, b) => (b.output_tokens_per_s > a.output_tokens_per_s ? b : a));
    out.push({ label: 'Peak output throughput', value: `${formatNumber(best.output_tokens_per_s)} tokens/s`, detail: label(best) });
    const fastest = withLatency.reduce((a, b) => (b.latency_ms!.p95 < a.latency_ms!.p95 ? b : a));
    out.push({ label: 'Lowest latency p95', value: `${formatNumber(fastest.latency_ms!.p95)} ms`, detail: label(fastest) });
  }
  if (v.any) {
    const failed = Math.max(v.failedCells.length, v.rows.filter((r) => r.state === 'fail').length);
    out.push(v.anyFailed ? { label: 'Thresholds', value: `${failed} failed`, tone: 'bad' } : { label: 'Thresholds', value: 'all passed', tone: 'good' });
  }
  const rated = cells.filter((c) => c.check_pass_rate !== undefined);
  if (rated.length > 0) {
    const best = rated.reduce((a, b) => (b.check_pass_rate! > a.check_pass_rate! ? b : a));
    out.push({ label: 'Best check pass rate', value: `${formatPercent(best.check_pass_rate)} (${label(best)})` });
  }
  const costed = cells.filter((c) => c.cost_total !== undefined);
  if (costed.length > 0) {
    const currency = input.run?.spec.pricing?.currency;
    const total = costed.reduce((s, c) => s + c.cost_total!, 0);
    const estimated = costed.some((c) => c.cost_estimated) ? ' (estimate)' : '';
    out.push({ label: 'Cost', value: `${formatCost(total, currency)}${estimated}` });
  }
  const dur = runDurationS(input.run);
  if (dur !== undefined) out.push({ label: 'Run time', value: formatDuration(dur) });
  return out;
}

/** Everything the report shows. */
export function buildReportData(input: ReportInput, now = new Date()): ReportData {
  const { run, cells, axes, details } = input;
  const swept = sweptAxes(cells, axes);
  const label = (c: CellSummary) => cellLabel(c, swept);
  const groups = errorGroups(cells, details, swept);
  const v = verdicts(run, cells, label);
  const marks = chartMarks(run);
  return {
    title: run?.spec_name || 'llm-sweep results',
    targets: input.targets,
    description: run?.spec.description,
    meta: metaRows(run),
    sweep: sweepRows(run, cells, axes),
    overview: overview(v, cells, input, label),
    verdicts: v,
    warnings: collectWarnings(run, cells, label, input.dropped),
    axisCharts: axisCharts(cells, swept, marks, input.units),
    throughput: throughputChart(cells, swept, marks),
    quality: qualityChart(cells, swept, marks),
    failedChecks: failedChecks(run?.checks),
    rate: rateChart(cells, swept),
    seconds: cells.flatMap((c) => {
      const buckets = details.get(c.cell)?.seconds;
      return buckets ? [{ cell: c.cell, label: label(c), buckets }] : [];
    }),
    ...(run?.capacity ? { search: searchSections(run.spec, run.capacity, cells) } : {}),
    pareto: paretoChart(cells, label),
    distributions: distributionCharts(cells, details, swept),
    turns: turnChart(cells, label),
    timelines: timelineCharts(run, cells, new Map([...details].map(([k, d]) => [k, d.timeline])), swept),
    errors: { groups, chart: errorChart(cells, details, swept, groups) },
    table: cellTable(cells, axes),
    definitions: definitions(run),
    swept,
    generatedAt: now.toISOString(),
    toolVersion: run?.tool.version ?? '',
  };
}
