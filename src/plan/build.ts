/**
 * A validated spec to a Plan: the grid (grid.ts), one Cell per combination with its id,
 * request body, load settings and request count, the prompt list, and the shard's share.
 */
import { UserError } from '../errors.js';
import { isObject } from '../json.js';
import { providerForTarget } from '../providers/index.js';
import { formatInt } from '../ui/format.js';
import type { LoadedSpec } from '../spec/load.js';
import { NON_BODY_KEYS, rateValue } from '../spec/params.js';
import type { PromptEntry } from '../spec/schema.js';
import { scrub } from '../spec/redact.js';
import { nearest } from '../spec/suggest.js';
import { targetMap } from '../spec/targets.js';
import { cellId } from './cell-id.js';
import { expandGrid, productSize } from './grid.js';
import { arrangeCells } from './order.js';
import { resolvePrompts } from './prompts.js';
import { searchPlanOf } from './search.js';
import { sessionsOf, unitsOf } from './workloads/cells.js';
import { defaultRequests } from './workloads/defaults.js';
import { defaultFamily } from './workloads/output-length.js';
import { isWorkloadKey } from './workloads/axes.js';
import { DEFAULT_TOKENIZER } from './workloads/schema.js';
import { inShard } from './shard.js';
import { cellOrder, checkTargetFlag, matrixAxes, targetOfCombination } from './targets.js';
import type { Cell, Combination, LoadSettings, Plan, Shard } from './types.js';

export interface PlanOptions {
  shard?: Shard;
  /** `--target NAME`: keep only that target's cells (ids and indices stay those of the whole plan). */
  target?: string;
  /**
   * Refuse plans with more cells than this (the CLI passes 10,000 unless --yes). Plans over
   * HARD_MAX_CELLS are always refused, before anything is expanded.
   */
  maxCells?: number;
}

/** Beyond this the grid is not even expanded: it would exhaust memory long before it ran. */
export const HARD_MAX_CELLS = 1_000_000;

export function buildPlan(loaded: LoadedSpec, opts: PlanOptions = {}): Plan {
  const { spec, source } = loaded;
  const { include, exclude } = spec.matrix as { include?: Combination[]; exclude?: Combination[] };
  const axes = matrixAxes(spec);
  if (opts.target !== undefined) checkTargetFlag(spec, opts.target);
  const targets = targetMap(spec);
  const upperBound = productSize(axes) + (include?.length ?? 0);
  if (upperBound > HARD_MAX_CELLS) {
    const sizes = Object.entries(axes).map(([k, v]) => `${k} ${v.length}`).join(' x ');
    throw new UserError(
      `${source.locate(['matrix'], 'key')}: the matrix multiplies to ${formatInt(upperBound)} cells (${sizes}), more than the ${formatInt(HARD_MAX_CELLS)} llm-sweep can plan; narrow the matrix`,
    );
  }
  const grid = expandGrid({ axes, include, exclude });
  const search = searchPlanOf(spec);
  const workload = Array.isArray(spec.prompts) ? undefined : spec.prompts;
  const prompts = workload
    ? []
    : (loaded.prompts ??
      resolvePrompts(spec.prompts as PromptEntry[], {
        dir: loaded.dir,
        locate: (i, key) => source.locate(key ? ['prompts', i, key] : ['prompts', i]),
      }));
  const requests =
    spec.duration_s !== undefined
      ? undefined
      : (spec.requests ?? (workload ? defaultRequests(workload) : (spec.repeat ?? 1) * prompts.length));
  const warnings: string[] = [];

  grid.excluded.forEach((n, i) => {
    if (n === 0) warnings.push(unusedExclude(i, exclude![i], axes, loaded));
  });

  // Combinations added by include come last, one per 'added' entry, in entry order.
  const addedBy = grid.included.flatMap((how, i) => (how === 'added' ? [i] : []));
  const firstAdded = grid.combinations.length - addedBy.length;
  // Only include entries can add a combination twice (axis values are unique), so only
  // those are compared whole; a million-cell grid pays for ids alone.
  const seen = new Set<string>();
  const byId = new Map<string, Combination>();
  const all: Cell[] = [];
  for (const [ci, params] of grid.combinations.entries()) {
    const key = ci >= firstAdded ? JSON.stringify(params) : '';
    if (key && seen.has(key)) {
      // Two include entries can add the same combination; run it once.
      const entry = addedBy[ci - firstAdded];
      if (entry !== undefined) {
        warnings.push(
          `${source.locate(['matrix', 'include', entry])}: include entry ${entry} adds a combination the plan already has; it runs once`,
        );
      }
      continue;
    }
    if (key) seen.add(key);
    // A matrix value from a secret (a ${TOKEN} model name) must not name the cell in every file.
    const id = scrub(cellId(params), loaded.secrets);
    const other = byId.get(id);
    if (other !== undefined) {
      throw new UserError(
        `${source.locate(['matrix'], 'key')}: two cells would share the id '${id}' (${JSON.stringify(other)} and ${JSON.stringify(params)}); avoid ',' and '=' in matrix key names`,
      );
    }
    byId.set(id, params);
    const target = targetOfCombination(spec, params);
    // The target's own params sit between the spec's and the cell's matrix values.
    const fixed = { ...spec.params, ...targets[target]?.params };
    all.push({
      id,
      index: all.length,
      target,
      group: 0,
      params,
      body: bodyOf(fixed, params, workload !== undefined),
      maxTokens: undefined,
      load: loadOf(fixed, params, workload?.trace !== undefined),
      // A searched cell runs its steps in rounds of this many requests (or seconds).
      requests: search ? search.requestsPerStep : requests,
      duration_s: search ? search.durationPerStep : spec.duration_s,
      warmup: spec.warmup,
    });
  }
  if (opts.maxCells !== undefined && all.length > opts.maxCells) {
    throw new UserError(
      `the plan has ${formatInt(all.length)} cells, over ${formatInt(opts.maxCells)}; narrow the matrix, or pass --yes if you mean it`,
    );
  }
  const maxTokensKeys = new Map(Object.entries(targets).map(([name, t]) => [name, providerForTarget(t).maxTokens]));
  for (const c of all) c.maxTokens = maxTokensOf(c.body, maxTokensKeys.get(c.target) ?? []);
  const endless = all.find((c) => c.load.rate === Infinity && c.load.concurrency === Infinity && c.duration_s !== undefined);
  if (endless) {
    throw new UserError(
      `${source.locate(['duration_s'], 'key')}: rate: inf with duration_s and no concurrency cap would send without end (cell ${endless.id}); give it a concurrency (in params or the matrix), or use requests instead of duration_s`,
    );
  }
  const order = cellOrder(spec, all);
  const arranged = arrangeCells(all, order);
  // Dataset rows are shared out over the whole plan (in run order), so a shard's cells get the rows they would get unsharded.
  // Cells that differ only in target share their rows: every target gets the same prompts.
  let rows = 0;
  if (workload) {
    const groupRows = new Map<number, number>();
    for (const c of arranged) {
      c.sessions = sessionsOf(workload, c.params, c.requests);
      const shared = groupRows.get(c.group);
      if (shared !== undefined) {
        c.rowOffset = shared;
        continue;
      }
      c.rowOffset = rows;
      groupRows.set(c.group, rows);
      rows += unitsOf(c.requests, c.sessions, c.warmup);
    }
  }
  // Whole groups go to one shard, so each shard's comparison of targets stays fair.
  let cells = arranged.filter((c) => inShard(c.group, opts.shard));
  const groups = arranged.reduce((n, c) => Math.max(n, c.group + 1), 0);
  if (opts.shard && cells.length === 0) {
    const unit = groups < arranged.length ? ` group${groups === 1 ? '' : 's'} of cells that differ only in target` : '';
    warnings.push(
      `--shard ${opts.shard.k}/${opts.shard.n}: this shard has no cells (the plan has ${groups}${unit}); use at most ${groups} shard${groups === 1 ? '' : 's'}`,
    );
  }
  if (opts.target !== undefined) {
    const name = opts.target;
    cells = cells.filter((c) => c.target === name);
    if (cells.length === 0 && arranged.every((c) => c.target !== name)) {
      const used = [...new Set(arranged.map((c) => c.target))];
      throw new UserError(`--target ${name}: no cell of the plan runs target ${name} (its cells run ${used.join(', ')}); check matrix.target and params.target`);
    }
  }
  return {
    // A search's steps add the searched value as the last column.
    axes: search ? [...grid.keys, search.over] : grid.keys,
    targets,
    order,
    rounds: spec.repeat_cells ?? 1,
    onlyTarget: opts.target,
    cells,
    totalCells: all.length,
    prompts,
    shard: opts.shard,
    warnings,
    search,
    workload: workload && {
      spec: workload,
      tokenizer: spec.tokenizer ?? DEFAULT_TOKENIZER,
      // Each target asks for output lengths in its own server's way.
      families: Object.fromEntries(
        Object.entries(targets).map(([name, t]) => [name, workload.server ?? defaultFamily(t.provider, t.base_url)]),
      ),
      rows,
    },
  };
}

/** An exclude entry that drops nothing: say which of its values is not in its axis. */
function unusedExclude(
  i: number,
  entry: Combination,
  axes: Record<string, unknown[]>,
  loaded: LoadedSpec,
): string {
  const at = loaded.source.locate(['matrix', 'exclude', i]);
  for (const [k, v] of Object.entries(entry)) {
    const values = axes[k];
    if (!values || values.some((w) => JSON.stringify(w) === JSON.stringify(v))) continue;
    const guess = typeof v === 'string' ? nearest(v, values.filter((w): w is string => typeof w === 'string')) : undefined;
    return `${at}: exclude entry ${i} matches no combination: ${k}: ${JSON.stringify(v)} is not a value of the axis${guess ? ` — did you mean '${guess}'?` : ` (${values.map((w) => JSON.stringify(w)).join(', ')})`}`;
  }
  return `${at}: exclude entry ${i} matches no combination (an earlier entry already dropped them)`;
}

function isBodyKey(k: string): boolean {
  return !NON_BODY_KEYS.includes(k);
}

function bodyOf(params: Record<string, unknown>, combo: Combination, workload: boolean): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  // Workload axes (input_tokens, ...) shape the prompts, not the body.
  const skip = (k: string) => !isBodyKey(k) || (workload && isWorkloadKey(k));
  for (const [k, v] of Object.entries(params)) if (!skip(k)) body[k] = v;
  for (const [k, v] of Object.entries(combo)) if (!skip(k)) body[k] = v;
  return body;
}

/**
 * A cell's load settings: its matrix values, else the spec's params. `trace`: the cell replays
 * a trace, which is open loop on its own schedule.
 */
export function loadOf(params: Record<string, unknown>, combo: Combination, trace = false): LoadSettings {
  const pick = (k: string) => (k in combo ? combo[k] : params[k]);
  const rate = rateValue(pick('rate'));
  return {
    // Open loop without a cap means no cap, as in vLLM's benchmark: a default of 1 would
    // turn a rate sweep (or a trace replay) into a queue.
    concurrency: (pick('concurrency') as number | undefined) ?? (rate !== undefined || trace ? Infinity : 1),
    rate,
    stream: (pick('stream') as boolean | undefined) ?? true,
  };
}

/** Totals that `plan` prints. A budget is undefined when a cell has no bound (no max_tokens, or duration_s). */
export interface PlanTotals {
  cells: number;
  /** Recorded requests; undefined when cells run for duration_s. */
  requests: number | undefined;
  warmup: number;
  /** Sum over cells of max_tokens x requests: the most output tokens the recorded requests can cost. */
  maxTokensBudget: number | undefined;
  /** The same for the warmup requests, which are sent (and billed) too. */
  warmupMaxTokensBudget: number | undefined;
  /** Cells whose body has no max_tokens-like field (their output is unbounded). */
  cellsWithoutMaxTokens: number;
  /** A search: the most recorded requests it can spend (every step at its cap); undefined by duration. */
  searchMaxRequests?: number;
}

/** Totals over every round. */
export function planTotals(plan: Pick<Plan, 'cells' | 'rounds' | 'search'>): PlanTotals {
  let requests: number | undefined = 0;
  let budget: number | undefined = 0;
  let warmupBudget: number | undefined = 0;
  let warmup = 0;
  let unbounded = 0;
  const rounds = plan.rounds;
  for (const c of plan.cells) {
    warmup += c.warmup * rounds;
    const mt = c.maxTokens;
    if (mt === undefined) unbounded++;
    warmupBudget = warmupBudget === undefined || mt === undefined ? undefined : warmupBudget + mt * c.warmup * rounds;
    if (c.requests === undefined || requests === undefined) {
      requests = undefined;
      budget = undefined;
      continue;
    }
    requests += c.requests * rounds;
    budget = budget === undefined || mt === undefined ? undefined : budget + mt * c.requests * rounds;
  }
  if (plan.search) {
    // How much a search spends depends on what it measures: give the most it may.
    const s = plan.search;
    const perCell = s.requestsPerStep === undefined ? undefined : s.maxSteps * s.maxRounds * s.requestsPerStep;
    return {
      cells: plan.cells.length,
      requests: undefined,
      warmup: warmup * s.maxSteps,
      maxTokensBudget: undefined,
      warmupMaxTokensBudget: undefined,
      cellsWithoutMaxTokens: unbounded,
      searchMaxRequests: perCell === undefined ? undefined : perCell * plan.cells.length,
    };
  }
  return {
    cells: plan.cells.length,
    requests,
    warmup,
    maxTokensBudget: budget,
    warmupMaxTokensBudget: warmupBudget,
    cellsWithoutMaxTokens: unbounded,
  };
}

/** A body's output token cap: the first of the provider's `keys` (dotted for nested ones) it sets. */
export function maxTokensOf(body: Record<string, unknown>, keys: readonly string[]): number | undefined {
  for (const k of keys) {
    let v: unknown = body;
    for (const part of k.split('.')) v = isObject(v) ? v[part] : undefined;
    if (typeof v === 'number' && v >= 0) return v;
  }
  return undefined;
}
