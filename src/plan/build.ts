import type { LoadedSpec } from '../spec/load.js';
import { LOAD_KEYS } from '../spec/schema.js';
import { cellId } from './cell-id.js';
import { expandGrid } from './grid.js';
import { resolvePrompts } from './prompts.js';
import { inShard } from './shard.js';
import type { Cell, Combination, LoadSettings, Plan, Shard } from './types.js';

export interface PlanOptions {
  shard?: Shard;
}

export function buildPlan(loaded: LoadedSpec, opts: PlanOptions = {}): Plan {
  const { spec } = loaded;
  const { include, exclude, ...axes } = spec.matrix;
  const grid = expandGrid({
    axes: axes as Record<string, unknown[]>,
    include: include as Combination[] | undefined,
    exclude: exclude as Combination[] | undefined,
  });
  const prompts = resolvePrompts(spec.prompts, {
    dir: loaded.dir,
    locate: (i) => loaded.source.locate(['prompts', i]),
  });
  const requests =
    spec.duration_s !== undefined ? undefined : (spec.requests ?? (spec.repeat ?? 1) * prompts.length);
  const seen = new Set<string>();
  const all: Cell[] = [];
  for (const params of grid.combinations) {
    const id = cellId(params);
    // include can repeat a combination the product already has; run it once.
    if (seen.has(id)) continue;
    seen.add(id);
    all.push({
      id,
      index: all.length,
      params,
      body: bodyOf(spec.params, params),
      load: loadOf(spec.params, params),
      requests,
      duration_s: spec.duration_s,
      warmup: spec.warmup,
    });
  }
  return {
    axes: grid.keys,
    cells: all.filter((c) => inShard(c.index, opts.shard)),
    totalCells: all.length,
    prompts,
    shard: opts.shard,
  };
}

function isLoadKey(k: string): boolean {
  return (LOAD_KEYS as readonly string[]).includes(k);
}

function bodyOf(params: Record<string, unknown>, combo: Combination): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) if (!isLoadKey(k)) body[k] = v;
  for (const [k, v] of Object.entries(combo)) if (!isLoadKey(k)) body[k] = v;
  return body;
}

function loadOf(params: Record<string, unknown>, combo: Combination): LoadSettings {
  const pick = (k: string) => (k in combo ? combo[k] : params[k]);
  const rate = pick('rate');
  return {
    concurrency: (pick('concurrency') as number | undefined) ?? 1,
    rate: typeof rate === 'number' ? rate : undefined,
    stream: (pick('stream') as boolean | undefined) ?? true,
  };
}

/** Totals that `plan` prints. `maxTokensBudget` is undefined when any cell has no bound. */
export interface PlanTotals {
  cells: number;
  requests: number | undefined;
  warmup: number;
  maxTokensBudget: number | undefined;
}

export function planTotals(plan: Plan): PlanTotals {
  let requests: number | undefined = 0;
  let budget: number | undefined = 0;
  let warmup = 0;
  for (const c of plan.cells) {
    warmup += c.warmup;
    if (c.requests === undefined || requests === undefined) {
      requests = undefined;
      budget = undefined;
      continue;
    }
    requests += c.requests;
    const mt = maxTokensOf(c);
    budget = budget === undefined || mt === undefined ? undefined : budget + mt * c.requests;
  }
  return { cells: plan.cells.length, requests, warmup, maxTokensBudget: budget };
}

export function maxTokensOf(cell: Cell): number | undefined {
  for (const k of ['max_tokens', 'max_completion_tokens', 'max_new_tokens', 'num_predict']) {
    const v = cell.body[k];
    if (typeof v === 'number') return v;
  }
  return undefined;
}
