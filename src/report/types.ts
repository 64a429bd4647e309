/**
 * report/: the self-contained HTML report (report.html), built from the typed result. Data
 * flows one way: results/ hands over a `ReportInput` (run.json's document, the summaries,
 * each cell's details); pure functions shape it into a `ReportData`
 * (which charts exist, their series, the cell table, verdicts, warnings); `renderReportHtml`
 * turns that into one HTML file with the data as JSON, Chart.js and a small client script
 * inlined, so the file opens anywhere with no network. The same code serves the end of a
 * run and `llm-sweep report <dir>`.
 */
import type { CheckTally } from '../checks/tally.js';
import type { TargetsComparison } from '../compare/targets.js';
import type { CellSummary } from '../metrics/summary.js';
import type { RunJson } from '../results/run-json.js';
import type { Units } from './axes.js';
import type { CellDetail } from './data.js';
import type { CellSeconds } from './cell-seconds.js';
import type { SearchSection } from './search-charts.js';

/** What the report is built from: the typed result (results/run-json.ts) and each cell's details. */
export interface ReportInput {
  /** run.json's document; undefined for a folder written without the json format. */
  run?: RunJson;
  /** Per-cell summaries, in plan order. */
  cells: readonly CellSummary[];
  /** Matrix axes, in column order. */
  axes: readonly string[];
  /** Box numbers and error tallies by cell id (see data.ts `cellDetail`). */
  details: ReadonlyMap<string, CellDetail>;
  /** Units of the provider's parameters, for axis titles. */
  units?: Units;
  /** Rows of requests.csv that were incomplete and skipped. */
  dropped?: number;
  /** Targets side by side, when the result holds several (compare/targets.ts). */
  targets?: TargetsComparison;
}

/** One axis of a chart. */
export interface AxisSpec {
  /** Axis title with its unit, e.g. "latency p95 (ms)". */
  title: string;
  scale: 'linear' | 'logarithmic' | 'category';
  /** Category labels in order (category scale only). */
  labels?: string[];
  /** Tick positions to show (numeric scales with few values): the swept values themselves. */
  ticks?: number[];
  /** Fixed range, when the drawn marks reach past the data (box whiskers). */
  min?: number;
  max?: number;
}

export interface Point {
  /** Number on a numeric scale, label on a category scale. */
  x: number | string;
  y: number;
  /** Text drawn next to the point (throughput curve: the load value). */
  label?: string;
  /** The cell failed a threshold on this chart's metric: drawn as a red diamond. */
  failed?: boolean;
  /** The knee of its curve (metrics/knee.ts): ringed, and labelled "knee". */
  knee?: boolean;
}

/** A threshold drawn as a dashed line across a chart. */
export interface Limit {
  axis: 'x' | 'y';
  value: number;
  /** e.g. "threshold < 400". */
  label: string;
}

export interface Series {
  /** Legend text: the values of the other swept axes, e.g. "temperature=0.7, max_tokens=256". */
  label: string;
  points: Point[];
  /** A reference line (dashed grey, not in the legend's colours), not data. */
  reference?: boolean;
  /** false: points only, no line between them (a scatter). */
  showLine?: boolean;
  /** Many points sampled evenly (a timeline): drawn as a line without point marks. */
  dense?: boolean;
}

/** Five-number summary plus p95 of one cell's values, for a box plot. ms. */
export interface BoxStats {
  count: number;
  min: number;
  q1: number;
  median: number;
  q3: number;
  p95: number;
  max: number;
}

export type ChartSpec =
  | {
      kind: 'line';
      id: string;
      title: string;
      x: AxisSpec;
      y: AxisSpec;
      series: Series[];
      /** Draw each point's `label` next to it. */
      pointLabels?: boolean;
      /** Points only, no lines between them (each point is a cell of its own). */
      scatter?: boolean;
      /** Thresholds near the data, drawn as lines; the axis stretches to show them. */
      limits?: Limit[];
    }
  | {
      kind: 'box';
      id: string;
      title: string;
      /** The value axis (horizontal). */
      x: AxisSpec;
      /** One per cell, top to bottom. */
      categories: string[];
      boxes: (BoxStats | null)[];
    }
  | {
      kind: 'stacked-bar';
      id: string;
      title: string;
      x: AxisSpec;
      categories: string[];
      series: { label: string; values: number[] }[];
    };

/** The charts of one swept axis: metrics against its values. */
export interface AxisCharts {
  axis: string;
  values: unknown[];
  charts: ChartSpec[];
}

/** A column of the cell table. */
export interface TableColumn {
  /** Flat key, e.g. `latency_ms_p95`, `client_bound`, or the axis name. */
  key: string;
  /** Group header (a nested summary field such as `latency_ms`), or undefined for a lone column. */
  group?: string;
  /** Header text under the group (e.g. `p95`); the key itself for a lone column. */
  label: string;
  numeric: boolean;
  /** Matrix axis column. */
  axis?: boolean;
}

export interface TableRow {
  cell: string;
  /** By column key; undefined = empty cell. */
  values: Record<string, number | string | boolean | undefined>;
  failed: boolean;
}

/** A group of error rows sharing kind and HTTP status. */
export interface ErrorGroup {
  /** e.g. "HTTP 503", "timeout", "stream (HTTP 200)". */
  key: string;
  kind: string;
  http_status?: number;
  count: number;
  /** Cell labels where it happened, in plan order. */
  cells: string[];
  /** One error text, as written to requests.csv (secrets already scrubbed). */
  example: string;
}

/** A threshold result of run.json, as a table row. */
export interface VerdictRow {
  /** skip: the rule does not apply to the cell (e.g. TTFT of a non-streamed cell). */
  state: 'fail' | 'pass' | 'skip';
  fields: Record<string, string>;
}

export interface ReportData {
  title: string;
  /** Targets side by side, when the result holds several. */
  targets?: TargetsComparison;
  description?: string;
  /** Label/value pairs for the header, in order. */
  meta: [string, string][];
  /** The sweep's shape: axis values, fixed params, requests per cell. */
  sweep: [string, string][];
  /** The cards; `detail` is the cell a figure comes from, on a line of its own. */
  overview: { label: string; value: string; detail?: string; tone?: 'bad' | 'good' | 'warn' }[];
  verdicts: { rows: VerdictRow[]; columns: string[]; failedCells: string[]; anyFailed: boolean; any: boolean };
  warnings: string[];
  axisCharts: AxisCharts[];
  /** Throughput vs latency, when a load axis (concurrency, rate) is swept. */
  throughput?: ChartSpec;
  /** Check pass rate vs latency p95 per cell, when the spec has checks. */
  quality?: ChartSpec;
  /** Checks that failed at least once, with example answers (run.json's tally). */
  failedChecks: CheckTally[];
  /** Achieved vs offered request rate, when rate is swept. */
  rate?: ChartSpec;
  /** Each cell over its own time in 1 s buckets (the report lets the reader pick the cell). */
  seconds: { cell: string; label: string; buckets: CellSeconds }[];
  /** With search: one part per searched cell, its verdict and its charts. */
  search?: SearchSection[];
  /** Per-user speed vs total throughput across the grid, with the Pareto front. */
  pareto?: ChartSpec;
  distributions: ChartSpec[];
  /** Conversations: TTFT by turn. */
  turns?: ChartSpec;
  /** Per cell with scraped server metrics: the server and the client over the same time axis. */
  timelines: { cell: string; label: string; charts: ChartSpec[] }[];
  errors: { groups: ErrorGroup[]; chart?: ChartSpec };
  table: { columns: TableColumn[]; rows: TableRow[] };
  /** Metric definitions from run.json, shown at the end. */
  definitions: [string, string][];
  /** Swept axes (more than one value), in column order. */
  swept: string[];
  generatedAt: string;
  toolVersion: string;
}
