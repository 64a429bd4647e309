/**
 * plan/: turns a validated spec into the grid of cells the runner executes. A Plan is
 * pure data: every cell's parameters, its load settings and its request count, plus the
 * resolved prompt list. Nothing here sends a request.
 */
import type { Slo } from '../metrics/summary.js';
import type { ChatMessage, Target } from '../spec/schema.js';
import type { ServerFamily } from './workloads/output-length.js';
import type { PreparedWorkload } from './workloads/prepare.js';
import type { WorkloadSpec } from './workloads/schema.js';

/** One matrix combination. Values keep their YAML types (number, string, bool, list, map). */
export type Combination = Record<string, unknown>;

export interface LoadSettings {
  /** Most requests in flight at once. */
  concurrency: number;
  /** Requests per second (open loop); undefined = closed loop (as fast as concurrency allows). */
  rate?: number;
  /** Ask for a streamed response. */
  stream: boolean;
}

export interface Cell {
  /** Stable, readable id built from this cell's own values (plan/cell-id.ts). */
  id: string;
  /** 0-based position in the whole (unsharded) plan, in run order. */
  index: number;
  /**
   * Name of the cell's target, a key of `Plan.targets`: its `target` axis value, the
   * spec's params.target, or `default` for a spec with one `target:`. Resolve it with
   * `cellTarget(plan, cell)` (plan/targets.ts); never read `spec.target`.
   */
  target: string;
  /**
   * 0-based group of cells that differ only in their target (equal otherwise). They run
   * back to back in interleaved order, share their arrival seed and land in one shard.
   * Without a target axis every cell is its own group (group = index).
   */
  group: number;
  /** The matrix values of this cell, keyed by axis, in axis order (load keys included). */
  params: Combination;
  /** Request body fields: spec.params overlaid with every non-load matrix value. */
  body: Record<string, unknown>;
  /** The body's output token cap, in the field the provider uses; undefined when unbounded. */
  maxTokens: number | undefined;
  load: LoadSettings;
  /** Recorded requests per round; undefined when the cell runs for `duration_s`. */
  requests?: number;
  /** Seconds to keep sending per round, when the spec gives duration_s. */
  duration_s?: number;
  /** Requests sent first (each round) and not recorded. */
  warmup: number;
  /** A capacity search's step: the cell's 0-based order in its search; undefined outside one. */
  searchStep?: number;
  /** Workload: the first dataset row (or session) this cell owns, counted over the whole plan. */
  rowOffset?: number;
  /** Conversations: sessions the cell runs (its requests are their turns). */
  sessions?: number;
}

/** A prompt, resolved from inline text, a chat array or a file line. */
export interface Prompt {
  /** 0-based index in the prompt list (the `prompt_id` column). */
  id: number;
  /** Chat messages; a plain prompt becomes one user message. */
  messages: ChatMessage[];
  /** The prompt as plain text (completions endpoints; token estimates). */
  text: string;
  /** Where it came from, e.g. `prompts.jsonl:3`, for messages. */
  origin: string;
  /**
   * Its dataset fields: a JSONL object's other keys, a CSV row's other columns, or `vars:`
   * of an inline prompt; what checks with a `column` read. Undefined when it has none.
   */
  vars?: Record<string, unknown>;
}

export interface Plan {
  /** Every matrix key in column order: spec axes first, then keys that include added. */
  axes: string[];
  /** Every target of the spec by name, in spec order (`default` for a spec with one `target:`). */
  targets: Record<string, Target>;
  /** interleaved: cells of one group run back to back; sequential: grid order. */
  order: CellOrder;
  /** Rounds the grid runs (`repeat_cells`, default 1): every cell runs its requests once per round. */
  rounds: number;
  /** `--target NAME`: only that target's cells are in `cells`. */
  onlyTarget?: string;
  /** The cells this process runs (all of them, or one shard's). */
  cells: Cell[];
  /** Number of cells in the whole plan, before sharding. */
  totalCells: number;
  prompts: Prompt[];
  shard?: Shard;
  /** Legal but probably wrong (an exclude that matches nothing, an empty shard, ...); print, do not fail. */
  warnings?: string[];
  /**
   * Set by the spec's `search:`: every cell is searched for its capacity rather than run
   * once; its steps are cells of their own, with the searched value added (see search/).
   */
  search?: SearchPlan;
  /** Set when `prompts` is a workload instead of a list (docs/workloads.md). */
  workload?: PlanWorkload;
}

/** A capacity search, resolved from the spec's `search:` (docs/search.md). */
export interface SearchPlan {
  /** The load setting searched; the last of the plan's axes. */
  over: 'concurrency' | 'rate';
  min: number;
  /** Infinity for rate `max: inf`. */
  max: number;
  /** Requests per round of a step, or seconds per round (`durationPerStep`). */
  requestsPerStep?: number;
  durationPerStep?: number;
  maxRounds: number;
  maxSteps: number;
  /** Rate only: relative tolerance of the bracket. */
  tolerance: number;
  /** Share of requests that must meet the SLO. */
  attainment: number;
  /** Level of every step's Wilson interval. */
  confidence: number;
  /** The SLO steps are judged by (search.slo, else the spec's slo); undefined when thresholds judge. */
  slo?: Slo;
  /** The thresholds steps are judged by, as written; undefined when an SLO judges. */
  thresholds?: Record<string, string | string[]>;
}

export type CellOrder = 'interleaved' | 'sequential';

/** One cell's turn in the run: the cells run in `runOrder(plan)` (plan/order.ts). */
export interface CellTurn {
  cell: Cell;
  /** 0-based round. */
  round: number;
}

/** A plan's workload: its spec and, once prepared (plan-workload.ts), its data. */
export interface PlanWorkload {
  spec: WorkloadSpec;
  /** The spec's `tokenizer:`. */
  tokenizer: string;
  /** How each target (by name) is asked for output lengths: the workload's `server:`, or from its provider and URL. */
  families: Record<string, ServerFamily>;
  /** Dataset rows (or sessions) the whole plan needs. */
  rows: number;
  /** Vocabulary, dataset sample, trace: set by preparePlanWorkload. */
  prepared?: PreparedWorkload;
}

/** 1-based shard k of n. */
export interface Shard {
  k: number;
  n: number;
}
