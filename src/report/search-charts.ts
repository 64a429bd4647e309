/**
 * The report's capacity search charts and the Pareto chart. Pure: run.json's `capacity` and
 * the cells' summaries in, chart specs out.
 *
 * - Per searched cell: the attainment of every step against the searched value (pass and
 *   fail steps marked, the target and the capacity drawn as lines), and the latency
 *   percentile the criterion names (with its SLO limit).
 * - Across the grid: output tokens/s per user against total output tokens/s, each cell a
 *   point, and the Pareto front through the cells no other beats on both (vLLM's
 *   `plot_pareto`): how much speed per user each unit of throughput costs.
 */
import { paretoFront, perUserTokensPerS } from '../metrics/pareto.js';
import type { CellSummary, Slo } from '../metrics/summary.js';
import { capacityResultOf, type CapacityEntry } from '../search/result.js';
import type { Spec } from '../spec/schema.js';
import { capacitySentence, searchedLabel } from '../ui/capacity-line.js';
import { formatNumber } from '../ui/format.js';
import { axisTitle, valueScale } from './axes.js';
import type { ChartSpec, Limit, Point } from './types.js';

export interface SearchSection {
  /** The searched cell by its own values: `model=llama3-8b`. */
  label: string;
  /** The verdict in words, as the terminal says it (without the cell). */
  line: string;
  charts: ChartSpec[];
}

const SLO_TITLES: Record<keyof Slo, string> = { ttft_ms: 'TTFT', tpot_ms: 'TPOT', latency_ms: 'latency', itl_ms: 'ITL' };

/** The percentile of the summary nearest above the target share (0.95 -> p95), among those summary.csv keeps. */
function percentileFor(target: number | undefined): 'p50' | 'p90' | 'p95' | 'p99' {
  const t = (target ?? 0.95) * 100;
  return t <= 50 ? 'p50' : t <= 90 ? 'p90' : t <= 95 ? 'p95' : 'p99';
}

/** The latency the criterion is about, and its limit: the first SLO, or the first percentile threshold. */
function latencyOf(spec: Spec | undefined, target: number | undefined) {
  const search = spec?.search;
  const slo = search && !search.thresholds ? (search.slo ?? spec?.slo) : undefined;
  const key = slo ? (Object.keys(SLO_TITLES) as (keyof Slo)[]).find((k) => slo[k] !== undefined) : undefined;
  if (key) return { metric: key, agg: percentileFor(target), limit: slo![key] };
  for (const [k, v] of Object.entries(search?.thresholds ?? {})) {
    const m = /^(latency_ms|ttft_ms|tpot_ms|itl_ms)\.(p50|p90|p95|p99)$/.exec(k.trim());
    const limit = Number(/[-+]?\d*\.?\d+/.exec(Array.isArray(v) ? v[0] : v)?.[0]);
    if (m) return { metric: m[1] as keyof Slo, agg: m[2] as 'p50' | 'p90' | 'p95' | 'p99', limit: Number.isFinite(limit) ? limit : undefined };
  }
  return { metric: 'latency_ms' as const, agg: 'p95' as const, limit: undefined };
}

export function searchSections(spec: Spec | undefined, entries: readonly CapacityEntry[], cells: readonly CellSummary[]): SearchSection[] {
  const byId = new Map(cells.map((c) => [c.cell, c]));
  return entries.map((e, i) => {
    const steps = [...e.steps].sort((a, b) => a.value - b.value);
    const values = steps.map((s) => s.value);
    // Room right of the last step for its label.
    const scale = valueScale(values, axisTitle(e.over));
    const hi = Math.max(...values);
    const x = { ...scale, max: scale.scale === 'logarithmic' ? hi * 1.25 : hi + (hi - Math.min(...values)) * 0.08 || hi + 1 };
    const capacityLine: Limit[] = e.capacity === undefined ? [] : [{ axis: 'x', value: e.capacity, label: `capacity ${formatNumber(e.capacity)}` }];
    const mark = (verdict: string) => verdict === 'fail';
    const attainment: Point[] = steps
      .filter((s) => s.attainment !== undefined)
      .map((s) => ({ x: s.value, y: s.attainment! * 100, label: s.verdict, failed: mark(s.verdict) }));
    const charts: ChartSpec[] = [];
    if (attainment.length > 0) {
      charts.push({
        kind: 'line',
        id: `search-${i}-attainment`,
        title: `Attainment by ${e.over}`,
        x,
        y: { title: 'requests meeting the objective (%)', scale: 'linear', min: 0, max: 100 },
        series: [{ label: e.criterion, points: attainment }],
        pointLabels: true,
        limits: [...(e.target !== undefined ? [{ axis: 'y' as const, value: e.target * 100, label: `target ${formatNumber(e.target * 100)}%` }] : []), ...capacityLine],
      });
    }
    const lat = latencyOf(spec, e.target);
    const latency: Point[] = steps.flatMap((s) => {
      const v = byId.get(s.cell)?.[lat.metric]?.[lat.agg];
      return v === undefined || !Number.isFinite(v) ? [] : [{ x: s.value, y: v, label: s.verdict, failed: mark(s.verdict) }];
    });
    if (latency.length > 0) {
      const name = `${SLO_TITLES[lat.metric]} ${lat.agg}`;
      charts.push({
        kind: 'line',
        id: `search-${i}-latency`,
        title: `${name} by ${e.over}`,
        x,
        y: { title: `${name} (ms)`, scale: 'linear' },
        series: [{ label: name, points: latency }],
        pointLabels: true,
        limits: [...(lat.limit !== undefined ? [{ axis: 'y' as const, value: lat.limit, label: `SLO ${formatNumber(lat.limit)} ms` }] : []), ...capacityLine],
      });
    }
    const label = searchedLabel(e.params);
    return { label, line: capacitySentence(capacityResultOf(e), e.confidence), charts };
  });
}

/** Per-user speed against total throughput, every cell a point, and the Pareto front; undefined with fewer than two cells. */
export function paretoChart(cells: readonly CellSummary[], label: (c: CellSummary) => string): ChartSpec | undefined {
  const points = cells.flatMap((c) => {
    const x = perUserTokensPerS(c);
    return x === undefined || !(c.output_tokens_per_s > 0) ? [] : [{ x, y: c.output_tokens_per_s, label: label(c) }];
  });
  if (points.length < 2) return undefined;
  const front = paretoFront(points, (p) => p.x, (p) => p.y);
  return {
    kind: 'line',
    id: 'pareto',
    title: 'Output tokens/s per user vs total output tokens/s',
    x: { title: 'output tokens/s per user (mean completion tokens / mean latency)', scale: 'linear' },
    y: { title: 'total output tokens/s', scale: 'linear' },
    series: [
      // The front's points are labelled once, on the cells' series.
      { label: 'Pareto front', points: front.map((p) => ({ x: p.x, y: p.y })) },
      { label: 'all cells', points, showLine: false },
    ],
    pointLabels: true,
  };
}
