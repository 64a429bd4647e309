/**
 * The table printed at the end of a run: one row per cell, chosen to fit 80 columns: the
 * swept axes, ok/err, req/s, achieved/offered rate (open loop), latency p50/p95, TTFT p50,
 * output tok/s, SLO attainment and the verdict. Everything else is in summary.csv. A column
 * is one entry of SUMMARY_COLUMNS, so a feature adds its column in one place. Pure.
 */
import type { CellSummary } from '../metrics/summary.js';
import { paint } from './color.js';
import { axisCell } from '../records/columns.js';
import { formatCost } from '../cost/format.js';
import { formatNumber, formatPercent, formatValue } from './format.js';
import { boundWarning } from './client-advice.js';
import { columnWidths, renderTextTable, tableWidth, type TextColumn } from './text-table.js';

export interface SummaryTableOptions {
  color: boolean;
  /** Terminal columns to fit, default 80. */
  width?: number;
  /** The pricing currency, for the cost column's head. */
  currency?: string;
}

export interface SummaryColumn {
  head: string;
  align: 'left' | 'right';
  /** Shown only when this holds for the cells (default: always). */
  when?: (summaries: readonly CellSummary[]) => boolean;
  cell: (s: CellSummary, color: boolean) => string;
  /**
   * When the table is too wide, columns with a drop rank go first, lowest first; undefined:
   * never dropped. The legend names what was left out.
   */
  drop?: number;
  /** Words for the legend line, when the head needs them. */
  legend?: string;
}

/** Short heads for common axes, used only when the full names do not fit. */
const SHORT_AXIS: Readonly<Record<string, string>> = {
  temperature: 'temp',
  max_tokens: 'max_tok',
  max_completion_tokens: 'max_tok',
  concurrency: 'conc',
  top_p: 'top_p',
  stream: 'stream',
};

const verdictCell = (s: CellSummary, color: boolean): string => {
  const parts: string[] = [];
  if (s.threshold === 'fail') parts.push(paint('FAIL', 'red', color));
  else if (s.threshold === 'pass') parts.push(paint('pass', 'green', color));
  if (s.client?.bound) parts.push(paint('BOUND', 'yellow', color));
  return parts.join(' ');
};

export const SUMMARY_COLUMNS: readonly SummaryColumn[] = [
  // search: (issue 17): which step of the search a cell was, and its verdict.
  {
    head: 'step',
    align: 'left',
    when: (all) => all.some((s) => s.search_verdict !== undefined),
    cell: searchStep,
    legend: 'step: search step and its verdict',
  },
  {
    head: 'ok/err',
    align: 'right',
    cell: (s, color) => `${s.ok}/${s.errors > 0 ? paint(String(s.errors), 'red', color) : '0'}`,
  },
  { head: 'req/s', align: 'right', cell: (s) => formatValue(s.requests_per_s), drop: 3 },
  {
    head: 'got/asked',
    align: 'right',
    when: (all) => all.some((s) => s.achieved_rps !== undefined),
    // An open-loop cell without an offered rate is `rate: inf`: every request due at once.
    cell: (s) => (s.achieved_rps === undefined ? '' : `${formatValue(s.achieved_rps)}/${s.offered_rps === undefined ? 'inf' : formatNumber(s.offered_rps)}`),
    legend: 'got/asked: achieved/offered req/s',
  },
  { head: 'p50', align: 'right', cell: (s) => formatValue(s.latency_ms?.p50), legend: 'p50/p95: latency, ms' },
  { head: 'p95', align: 'right', cell: (s) => formatValue(s.latency_ms?.p95), drop: 2 },
  { head: 'TTFT', align: 'right', cell: (s) => formatValue(s.ttft_ms?.p50), drop: 1, legend: 'TTFT: p50, ms' },
  // What the server reported per request (llama.cpp timings, TGI headers, Ollama durations):
  // where TTFT went. Shown only when some cell has it; dropped before the scraped metrics.
  ...(
    [
      ['queue', (s: CellSummary) => s.server?.queue_ms_p50, "queue: the server's queue p50, ms"],
      ['prefill', (s: CellSummary) => s.server?.prefill_ms_p50, "prefill: the server's prefill p50, ms"],
    ] as const
  ).map(
    ([head, get, legend], i): SummaryColumn => ({
      head,
      align: 'right',
      when: (all) => all.some((s) => get(s) !== undefined),
      cell: (s) => formatValue(get(s)),
      drop: 0.05 * (2 - i),
      legend,
    }),
  ),
  // target.metrics (issue 19): the server's TTFT beside the client's, and its queue. The
  // first to go when space is short: server-metrics.csv and summary.csv hold them.
  ...(
    [
      ['srv TTFT', (s: CellSummary) => s.server_metrics?.server_ttft_p50_ms, "srv TTFT/run/wait: the server's TTFT p50 ms, running mean, waiting max"],
      ['run', (s: CellSummary) => s.server_metrics?.server_running_mean, undefined],
      ['wait', (s: CellSummary) => s.server_metrics?.server_waiting_max, undefined],
    ] as const
  ).map(
    ([head, get, legend], i): SummaryColumn => ({
      head,
      align: 'right',
      when: (all) => all.some((s) => s.server_metrics !== undefined),
      cell: (s) => formatValue(get(s)),
      drop: 0.1 * (3 - i),
      ...(legend ? { legend } : {}),
    }),
  ),
  { head: 'tok/s', align: 'right', cell: (s) => formatValue(s.output_tokens_per_s), drop: 4, legend: 'tok/s: output' },
  {
    head: 'SLO',
    align: 'right',
    when: (all) => all.some((s) => s.slo_attainment !== undefined),
    cell: (s) => formatPercent(s.slo_attainment),
    legend: 'SLO: share meeting slo:',
  },
  // checks: (issue 20): the share of answers passing every check, with its 95% interval.
  {
    head: 'pass',
    align: 'right',
    when: (all) => all.some((s) => s.check_pass_rate !== undefined),
    cell: (s) => passCell(s),
    drop: 0.5,
    legend: 'pass: answers passing every check (95% CI)',
  },
  {
    head: 'cost',
    align: 'right',
    when: (all) => all.some((s) => s.cost_total !== undefined),
    cell: (s) => (s.cost_total === undefined ? '—' : `${formatCost(s.cost_total)}${s.cost_estimated ? ' (est.)' : ''}`),
    drop: 0.4,
    legend: 'cost: the cell\'s total',
  },
  {
    head: 'verdict',
    align: 'left',
    when: (all) => all.some((s) => s.threshold !== undefined || s.client?.bound),
    cell: verdictCell,
  },
];

/** Axes whose value differs between cells; all of them when none does (a single cell). */
export function sweptAxes(summaries: readonly CellSummary[], axes: readonly string[]): string[] {
  const swept = axes.filter((a) => new Set(summaries.map((s) => axisCell(s.params[a]))).size > 1);
  return swept.length > 0 || summaries.length > 1 ? swept : [...axes];
}

export function formatSummaryTable(summaries: readonly CellSummary[], axes: readonly string[], opts: SummaryTableOptions): string {
  const width = opts.width ?? 80;
  const shown = sweptAxes(summaries, axes);
  let cols = SUMMARY_COLUMNS.filter((c) => !c.when || c.when(summaries)).map((c) =>
    c.head === 'cost' && opts.currency ? { ...c, head: `cost ${opts.currency}` } : c,
  );
  const axisCells = summaries.map((s) => shown.map((a) => axisCell(s.params[a])));
  const valueWidth = shown.map((_, j) => Math.max(0, ...axisCells.map((r) => r[j].length)));
  const body = (list: readonly SummaryColumn[]) => summaries.map((s, i) => [...axisCells[i], ...list.map((c) => c.cell(s, opts.color))]);
  /** Axis heads at a narrowing step: 0 full names, 1 common short names, 2 cut to the values' width. */
  const head = (a: string, j: number, step: number) => {
    const name = step >= 1 ? (SHORT_AXIS[a] ?? a) : a;
    const keep = Math.max(valueWidth[j], 5);
    return step >= 2 && name.length > keep + 1 ? `${name.slice(0, keep)}…` : name;
  };
  const layout = (step: number, list: readonly SummaryColumn[]): TextColumn[] => [
    ...shown.map((a, j) => ({ head: head(a, j, step), align: 'left' as const })),
    ...list.map((c) => ({ head: c.head, align: c.align })),
  ];
  const fits = (step: number, list: readonly SummaryColumn[], gap: number) =>
    tableWidth(columnWidths(layout(step, list), body(list)), gap) <= width;
  // Narrowing, in order: short axis heads, heads cut to their values, one space between
  // columns, then the droppable columns lowest rank first. Each step keeps what it won.
  let step = 0;
  while (step < 2 && !fits(step, cols, 2)) step++;
  const gap = fits(step, cols, 2) ? 2 : 1;
  const dropped: string[] = [];
  const ranks = cols.filter((c) => c.drop !== undefined).sort((a, b) => a.drop! - b.drop!);
  for (const c of ranks) {
    if (fits(step, cols, gap)) break;
    cols = cols.filter((x) => x !== c);
    dropped.push(c.head);
  }
  const lines = renderTextTable(layout(step, cols), body(cols), {
    gap,
    paintHead: (s) => paint(s, 'bold', opts.color),
  });
  const legend = cols.flatMap((c) => (c.legend ? [c.legend] : []));
  if (dropped.length > 0) legend.push(`left out to fit ${width} columns: ${dropped.join(', ')}`);
  legend.push('more in summary.csv');
  return [...lines, ...wrap(legend.join('; '), width).map((l) => paint(l, 'dim', opts.color))].join('\n');
}

/** Words wrapped at `width`. */
function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}

/** "95% (76–99)": the pass rate and its interval bounds, in percent. */
function passCell(s: CellSummary): string {
  if (s.check_pass_rate === undefined) return '—';
  const bound = (v: number | undefined) => formatPercent(v).replace(/%$/, '');
  return `${formatPercent(s.check_pass_rate)} (${bound(s.check_pass_rate_low)}–${bound(s.check_pass_rate_high)})`;
}

/** A search step's order and verdict: `3 pass`, `4 FAIL`, `5 undecided`. */
function searchStep(s: CellSummary, color: boolean): string {
  if (s.search_verdict === undefined) return '';
  const verdict =
    s.search_verdict === 'pass' ? paint('pass', 'green', color) : s.search_verdict === 'fail' ? paint('fail', 'red', color) : paint('undecided', 'yellow', color);
  return `${s.search_step ?? ''} ${verdict}`;
}

/** One line per cell whose numbers the client, not the server, may have limited. */
export function clientWarnings(summaries: readonly CellSummary[]): string[] {
  return summaries
    .filter((s) => s.client?.bound)
    .map((s) => `warning: ${boundWarning(s, s.cell)}`);
}

/** How far the server's prompt count may stray from the workload's before the run says so. */
export const TOKEN_MISMATCH = 0.05;

/**
 * Cells whose server-counted prompt tokens differ from what the workload wrote by more than
 * 5%: the usual causes are a tokenizer other than the model's, and the chat template.
 */
export function tokenWarnings(summaries: readonly CellSummary[], tokenizer: string | undefined): string[] {
  const out: string[] = [];
  for (const s of summaries) {
    const asked = s.input_tokens_requested;
    const got = s.prompt_tokens_mean;
    // Estimated counts are ours, not the server's: nothing to compare.
    if (asked === undefined || got === undefined || asked <= 0 || s.estimated_tokens > 0) continue;
    const diff = got / asked - 1;
    if (Math.abs(diff) <= TOKEN_MISMATCH) continue;
    out.push(
      `warning: cell ${s.cell}: the server counted ${formatNumber(got)} prompt tokens per request, the workload wrote ${formatNumber(asked)} by ${tokenizer ?? 'its tokenizer'} ` +
        `(${diff > 0 ? '+' : ''}${(diff * 100).toFixed(1)}%): a tokenizer other than the model's, or the chat template; set tokenizer: to the model's tokenizer.json, or to server`,
    );
  }
  return out;
}
