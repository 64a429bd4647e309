import { planTotals } from '../plan/build.js';
import type { Plan } from '../plan/types.js';
import { fmtInt, valueText } from './format.js';
import { makeTable } from './table.js';

export function formatPlan(plan: Plan, opts: { color: boolean; source: string }): string {
  const table = makeTable(['#', 'cell', ...plan.axes, 'requests', 'warmup'], opts.color);
  for (const c of plan.cells) {
    table.push([
      String(c.index + 1),
      c.id,
      ...plan.axes.map((a) => valueText(c.params[a])),
      c.requests !== undefined ? String(c.requests) : `${c.duration_s}s`,
      String(c.warmup),
    ]);
  }
  const t = planTotals(plan);
  const shard = plan.shard ? ` (shard ${plan.shard.k}/${plan.shard.n} of ${plan.totalCells} cells)` : '';
  const lines = [
    `${opts.source}: ${t.cells} cell${t.cells === 1 ? '' : 's'}${shard}, ${plan.prompts.length} prompt${plan.prompts.length === 1 ? '' : 's'}`,
    table.toString(),
    `cells: ${fmtInt(t.cells)}   requests: ${t.requests === undefined ? 'by duration' : fmtInt(t.requests)}` +
      `   warmup: ${fmtInt(t.warmup)}   max_tokens budget: ${t.maxTokensBudget === undefined ? '—' : fmtInt(t.maxTokensBudget)} tokens`,
  ];
  return lines.join('\n');
}

export function planJson(plan: Plan): unknown {
  const t = planTotals(plan);
  return {
    axes: plan.axes,
    shard: plan.shard ?? null,
    totals: { ...t, totalCells: plan.totalCells, prompts: plan.prompts.length },
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
