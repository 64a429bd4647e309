/** The `plan` command's output: a table of cells and the totals, or the same as JSON. */
import { planTotals, type PlanTotals } from '../plan/build.js';
import type { Cell, Plan, PlanWorkload } from '../plan/types.js';
import type { WorkloadTotals } from '../plan/workloads/types.js';
import { paint } from './color.js';
import { axisCell } from '../records/columns.js';
import { formatInt } from './format.js';
import { makeTable } from './table.js';

/** The input and output tokens a cell's workload will send; undefined for a list of prompts. */
export type CellTotals = (cell: Cell) => WorkloadTotals | undefined;

export function formatPlan(plan: Plan, opts: { color: boolean; source: string; totals?: CellTotals }): string {
  const tokens = plan.workload && opts.totals ? opts.totals : undefined;
  const table = makeTable(['#', 'cell', ...plan.axes, 'requests', 'warmup', ...(tokens ? ['input tokens', 'output tokens'] : [])], opts.color);
  let input = 0;
  let output: number | undefined = 0;
  for (const c of plan.cells) {
    const w = tokens?.(c);
    if (w) input += w.inputTokens;
    output = output === undefined || w?.outputTokens === undefined ? undefined : output + w.outputTokens;
    table.push([
      String(c.index + 1),
      c.id,
      ...plan.axes.map((a) => axisCell(c.params[a])),
      c.requests !== undefined ? String(c.requests) : `${c.duration_s}s`,
      String(c.warmup),
      ...(tokens ? [w ? formatInt(w.inputTokens) : '—', w?.outputTokens !== undefined ? formatInt(w.outputTokens) : 'max_tokens'] : []),
    ]);
  }
  const t = planTotals(plan);
  const shard = plan.shard ? ` (shard ${plan.shard.k}/${plan.shard.n} of ${plan.totalCells} cells)` : '';
  const what = plan.workload ? workloadLabel(plan.workload) : plural(plan.prompts.length, 'prompt');
  // A workload that asks for its output lengths has them in its own line below, not as a max_tokens budget.
  const lines = [`${opts.source}: ${plural(t.cells, 'cell')}${shard}, ${what}`, table.toString(), totalsLine(t, plan, tokens !== undefined && output !== undefined)];
  if (tokens) {
    lines.push(
      `workload tokens (recorded requests): input ${formatInt(input)}   output ${output !== undefined ? formatInt(output) : "as the body's max_tokens"}`,
    );
  }
  return lines.join('\n');
}

/** `synthetic workload (o200k_base)`, `sharegpt dataset of 120 rows (o200k_base)`, ... */
export function workloadLabel(w: PlanWorkload): string {
  const tokenizer = w.prepared?.tokenizer ?? w.tokenizer;
  const s = w.spec;
  if (s.conversation) return `conversation workload${s.dataset ? ` from ${s.dataset.file}` : ''} (${tokenizer})`;
  if (s.trace) return `trace ${s.trace.file}${w.prepared?.trace ? ` of ${plural(w.prepared.trace.length, 'request')}` : ''} (${tokenizer})`;
  if (s.dataset) return `dataset ${s.dataset.file}${w.prepared?.sample ? `, ${plural(w.prepared.sample.rows.length, 'row')} sampled` : ''} (${tokenizer})`;
  return `synthetic workload${s.prefix ? ` with ${plural(s.prefix.count, 'shared prefix', 'shared prefixes')}` : ''} (${tokenizer})`;
}

function plural(n: number, word: string, many = `${word}s`): string {
  return `${formatInt(n)} ${n === 1 ? word : many}`;
}

function totalsLine(t: PlanTotals, plan: Plan, noBudget = false): string {
  const duration = plan.cells.find((c) => c.duration_s !== undefined)?.duration_s;
  const requests = t.requests === undefined ? `by duration (${duration}s per cell)` : formatInt(t.requests);
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

export function planJson(plan: Plan, totals?: CellTotals): unknown {
  const t = planTotals(plan);
  return {
    axes: plan.axes,
    shard: plan.shard ?? null,
    totals: {
      cells: t.cells,
      totalCells: plan.totalCells,
      prompts: plan.prompts.length,
      requests: t.requests ?? null,
      warmup: t.warmup,
      maxTokensBudget: t.maxTokensBudget ?? null,
      warmupMaxTokensBudget: t.warmupMaxTokensBudget ?? null,
      cellsWithoutMaxTokens: t.cellsWithoutMaxTokens,
    },
    warnings: plan.warnings ?? [],
    cells: plan.cells.map((c) => ({
      id: c.id,
      index: c.index,
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
