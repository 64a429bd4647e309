/** The `plan` command's output: a table of cells and the totals, or the same as JSON. */
import { formatCost } from '../cost/format.js';
import type { SweepEstimate } from '../cost/estimate.js';
import { planTotals, type PlanTotals } from '../plan/build.js';
import type { Cell, Plan, PlanWorkload } from '../plan/types.js';
import type { WorkloadTotals } from '../plan/workloads/types.js';
import { paint } from './color.js';
import { axisCell } from '../records/columns.js';
import { formatInt } from './format.js';
import { makeTable } from './table.js';

export interface PlanTableOptions {
  color: boolean;
  source: string;
  /** The pre-run cost estimate (with pricing): tokens and cost per cell, and the total. */
  estimate?: SweepEstimate;
  currency?: string;
  /** A workload's input and output tokens per cell (docs/workloads.md). */
  totals?: CellTotals;
}

/** The input and output tokens a cell's workload will send; undefined for a list of prompts. */
export type CellTotals = (cell: Cell) => WorkloadTotals | undefined;

/** Plans up to this many cells are printed whole; bigger ones show their first and last cells. */
export const PLAN_TABLE_MAX_ROWS = 40;
const HEAD_ROWS = 30;
const TAIL_ROWS = 5;

export function formatPlan(plan: Plan, opts: PlanTableOptions): string {
  const est = opts.estimate;
  const byCell = new Map(est?.cells.map((e) => [e.cell, e]));
  const costHead = opts.currency ? `est. cost ${opts.currency}` : 'est. cost';
  const tokens = plan.workload && opts.totals ? opts.totals : undefined;
  // A search's cells are the searched ones: its value is a range, its requests a round's.
  const s = plan.search;
  const axes = s ? plan.axes.filter((a) => a !== s.over) : plan.axes;
  const per = (c: Plan['cells'][number]) => (c.requests !== undefined ? String(c.requests) : `${c.duration_s}s`);
  const extra = [...(tokens ? ['input tokens', 'output tokens'] : []), ...(est ? ['input tok', 'max output tok', costHead] : [])];
  const head = ['#', 'cell', ...axes, ...(s ? [`search ${s.over}`, 'per round'] : ['requests']), 'warmup', ...extra];
  const table = makeTable(head, opts.color);
  // Token totals cover every cell, shown or not.
  let input = 0;
  let output: number | undefined = 0;
  for (const c of tokens ? plan.cells : []) {
    const w = tokens!(c);
    if (w) input += w.inputTokens;
    output = output === undefined || w?.outputTokens === undefined ? undefined : output + w.outputTokens;
  }
  // A table of 60,000 rows is unreadable, and the table library is not linear in rows.
  const cells = plan.cells;
  const shown = cells.length <= PLAN_TABLE_MAX_ROWS ? cells : [...cells.slice(0, HEAD_ROWS), ...cells.slice(-TAIL_ROWS)];
  const hidden = cells.length - shown.length;
  for (const [i, c] of shown.entries()) {
    if (hidden > 0 && i === HEAD_ROWS) table.push(['…', `${formatInt(hidden)} more cells`, ...head.slice(2).map(() => '…')]);
    const row = [
      String(c.index + 1),
      c.id,
      ...axes.map((a) => axisCell(c.params[a])),
      ...(s ? [`${s.min}..${s.max === Infinity ? 'inf' : s.max}`, per(c)] : [per(c)]),
      String(c.warmup),
    ];
    if (tokens) {
      const w = tokens(c);
      row.push(w ? formatInt(w.inputTokens) : '—', w?.outputTokens !== undefined ? formatInt(w.outputTokens) : 'max_tokens');
    }
    if (est) {
      const e = byCell.get(c.id);
      row.push(formatInt(e?.input_tokens), formatInt(e?.output_tokens), e?.cost !== undefined ? formatCost(e.cost) : '—');
    }
    table.push(row);
  }
  const t = planTotals(plan);
  const shard = plan.shard ? ` (shard ${plan.shard.k}/${plan.shard.n} of ${plan.totalCells} cells)` : '';
  const rounds = plan.rounds > 1 ? ` x ${plan.rounds} rounds` : '';
  const order = plan.order === 'interleaved' ? ', interleaved by target' : '';
  const only = plan.onlyTarget !== undefined ? `, target ${plan.onlyTarget} only` : '';
  const what = plan.workload ? workloadLabel(plan.workload) : plural(plan.prompts.length, 'prompt');
  const lines = [
    `${opts.source}: ${plural(t.cells, 'cell')}${rounds}${shard}${only}${order}, ${what}`,
    table.toString(),
    // A workload that asks for its output lengths has them in its own line below, not as a max_tokens budget.
    totalsLine(t, plan, tokens !== undefined && output !== undefined),
  ];
  if (hidden > 0) lines.push(`(${formatInt(hidden)} of ${formatInt(cells.length)} cells not shown; \`plan --json\` lists every cell)`);
  if (tokens) {
    lines.push(
      `workload tokens (recorded requests): input ${formatInt(input)}   output ${output !== undefined ? formatInt(output) : "as the body's max_tokens"}`,
    );
  }
  if (est) lines.push(estimateLine(est, opts.currency));
  return lines.join('\n');
}

/** `synthetic workload (o200k_base)`, `dataset data/sharegpt.json, 120 rows sampled (o200k_base)`, ... */
export function workloadLabel(w: PlanWorkload): string {
  const tokenizer = w.prepared?.tokenizer ?? w.tokenizer;
  const s = w.spec;
  if (s.conversation) return `conversation workload${s.dataset ? ` from ${s.dataset.file}` : ''} (${tokenizer})`;
  if (s.trace) return `trace ${s.trace.file}${w.prepared?.trace ? ` of ${plural(w.prepared.trace.length, 'request')}` : ''} (${tokenizer})`;
  if (s.dataset) return `dataset ${s.dataset.file}${w.prepared?.sample ? `, ${plural(w.prepared.sample.rows.length, 'row')} sampled` : ''} (${tokenizer})`;
  return `synthetic workload${s.prefix ? ` with ${plural(s.prefix.count, 'shared prefix', 'shared prefixes')}` : ''} (${tokenizer})`;
}

/** The total estimate, and why a cell has none. */
function estimateLine(est: SweepEstimate, currency = ''): string {
  const unknown = est.cells.filter((c) => c.cost === undefined);
  const bound = unknown.length > 0 ? `at least ${formatCost(est.cost, currency)}` : formatCost(est.cost, currency);
  const why = [...new Set(unknown.map((c) => c.unknown))].map((u) => `${plural(unknown.filter((c) => c.unknown === u).length, 'cell')} without an estimate: ${u}`);
  return [
    `estimated cost: ${bound} (${formatInt(est.input_tokens)} input + ${formatInt(est.output_tokens)} output tokens, warmup included; output at max_tokens, so an upper bound)`,
    ...why,
  ].join('\n');
}

function plural(n: number, word: string, many = `${word}s`): string {
  return `${formatInt(n)} ${n === 1 ? word : many}`;
}

function totalsLine(t: PlanTotals, plan: Plan, noBudget = false): string {
  const s = plan.search;
  if (s) {
    const spend = t.searchMaxRequests !== undefined ? `up to ${formatInt(t.searchMaxRequests)}` : `by duration (${s.durationPerStep}s per round)`;
    const judged = s.slo ? `SLO met by ${s.attainment * 100}% of requests` : 'thresholds';
    return `cells: ${formatInt(t.cells)} searched over ${s.over} (${judged}, ${s.confidence * 100}% confidence)   steps: up to ${s.maxSteps} x ${s.maxRounds} rounds   requests: ${spend}`;
  }
  const duration = plan.cells.find((c) => c.duration_s !== undefined)?.duration_s;
  const requests = t.requests === undefined ? `by duration (${duration}s per cell${plan.rounds > 1 ? ' and round' : ''})` : formatInt(t.requests);
  let budget: string;
  if (t.cellsWithoutMaxTokens > 0) {
    budget = `unbounded (${plural(t.cellsWithoutMaxTokens, 'cell')} without max_tokens)`;
  } else if (t.maxTokensBudget === undefined) {
    budget = 'unbounded (cells run by duration)';
  } else {
    const warm = t.warmupMaxTokensBudget ? ` (+${formatInt(t.warmupMaxTokensBudget)} in warmup)` : '';
    budget = `${formatInt(t.maxTokensBudget)} tokens${warm}`;
  }
  const head = `cells: ${formatInt(t.cells)}   requests: ${requests}   warmup: ${formatInt(t.warmup)}`;
  return noBudget ? head : `${head}   max_tokens budget: ${budget}`;
}

/** Warnings, one per line, for stderr. */
export function formatWarnings(warnings: readonly string[], color: boolean): string {
  return warnings.map((w) => `${paint('warning', 'yellow', color)}: ${w}\n`).join('');
}

export function planJson(plan: Plan, estimate?: SweepEstimate, totals?: CellTotals): unknown {
  const t = planTotals(plan);
  return {
    axes: plan.axes,
    shard: plan.shard ?? null,
    order: plan.order,
    rounds: plan.rounds,
    targets: Object.keys(plan.targets),
    onlyTarget: plan.onlyTarget ?? null,
    totals: {
      cells: t.cells,
      totalCells: plan.totalCells,
      prompts: plan.prompts.length,
      requests: t.requests ?? null,
      warmup: t.warmup,
      maxTokensBudget: t.maxTokensBudget ?? null,
      warmupMaxTokensBudget: t.warmupMaxTokensBudget ?? null,
      cellsWithoutMaxTokens: t.cellsWithoutMaxTokens,
      searchMaxRequests: t.searchMaxRequests ?? null,
    },
    search: plan.search ? { ...plan.search, max: plan.search.max === Infinity ? 'inf' : plan.search.max } : null,
    warnings: plan.warnings ?? [],
    ...(estimate ? { estimate } : {}),
    cells: plan.cells.map((c) => ({
      id: c.id,
      index: c.index,
      target: c.target,
      group: c.group,
      params: c.params,
      body: c.body,
      load: c.load,
      requests: c.requests ?? null,
      duration_s: c.duration_s ?? null,
      warmup: c.warmup,
      ...(plan.workload && totals ? { workload_tokens: totals(c) ?? null } : {}),
    })),
  };
}
