/** The `plan` command's output: a table of cells and the totals, or the same as JSON. */
import { planTotals, type PlanTotals } from '../plan/build.js';
import type { Plan } from '../plan/types.js';
import { paint } from './color.js';
import { axisCell } from '../records/columns.js';
import { formatInt } from './format.js';
import { makeTable } from './table.js';

export function formatPlan(plan: Plan, opts: { color: boolean; source: string }): string {
  const table = makeTable(['#', 'cell', ...plan.axes, 'requests', 'warmup'], opts.color);
  for (const c of plan.cells) {
    table.push([
      String(c.index + 1),
      c.id,
      ...plan.axes.map((a) => axisCell(c.params[a])),
      c.requests !== undefined ? String(c.requests) : `${c.duration_s}s`,
      String(c.warmup),
    ]);
  }
  const t = planTotals(plan);
  const shard = plan.shard ? ` (shard ${plan.shard.k}/${plan.shard.n} of ${plan.totalCells} cells)` : '';
  const lines = [
    `${opts.source}: ${plural(t.cells, 'cell')}${shard}, ${plural(plan.prompts.length, 'prompt')}`,
    table.toString(),
    totalsLine(t, plan),
  ];
  return lines.join('\n');
}

function plural(n: number, word: string): string {
  return `${formatInt(n)} ${word}${n === 1 ? '' : 's'}`;
}

function totalsLine(t: PlanTotals, plan: Plan): string {
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
  return `cells: ${formatInt(t.cells)}   requests: ${requests}   warmup: ${formatInt(t.warmup)}   max_tokens budget: ${budget}`;
}

/** Warnings, one per line, for stderr. */
export function formatWarnings(warnings: readonly string[], color: boolean): string {
  return warnings.map((w) => `${paint('warning', 'yellow', color)}: ${w}\n`).join('');
}

export function planJson(plan: Plan): unknown {
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
    })),
  };
}
