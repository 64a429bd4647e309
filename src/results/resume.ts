/**
 * What an interrupted results folder already holds, so `run --resume` sends exactly the
 * planned requests that are missing. A torn last line (a crash mid-write) is cut off the
 * file before anything is appended to it.
 */
import { closeSync, existsSync, fstatSync, openSync, readSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckTally } from '../checks/tally.js';
import { UserError } from '../errors.js';
import type { CellColumns } from '../metrics/cell-columns.js';
import type { CellSummary } from '../metrics/summary.js';
import type { Cell, Plan } from '../plan/types.js';
import { requestTable } from '../records/columns.js';
import type { RequestRecord } from '../records/types.js';
import { REQUESTS_CSV } from './exporters/requests-csv.js';
import { loadResult } from './load.js';
import { csvHeader } from './read-requests.js';
import { RUN_JSON } from './run-json.js';

export interface ResumeState {
  /** Rows already on disk, by cell id, column by column. */
  columns: Map<string, CellColumns>;
  /**
   * What is still to run, by cell id (absent: the cell is complete): request indices over
   * all rounds, or for a cell run by duration the rounds that have no rows yet.
   */
  missing: Map<string, Set<number>>;
  /** The index after the highest request on disk, by cell id (a duration cell continues there). */
  next: Map<string, number>;
  /** The earlier run's summaries (for client health of cells not run again). */
  previous: Map<string, CellSummary>;
  /** The earlier run's per-check tally (run.json), carried on. */
  checks?: CheckTally[];
  /** A search's rows by cell id: its steps are not in the plan, and it replays them round by round. */
  records?: Map<string, RequestRecord[]>;
  startedAt?: string;
}

/**
 * A cell's planned request indices when they are not 0 .. requests - 1, and the stride of
 * `repeat` in them (conversations: index = turn x sessions + session).
 */
export type PlannedRequests = (cell: Cell) => { stride: number; indices: Iterable<number> } | undefined;

export function loadResume(dir: string, specHash: string, plan: Plan, planned?: PlannedRequests): ResumeState {
  const csvPath = join(dir, REQUESTS_CSV);
  if (!existsSync(join(dir, RUN_JSON)) || !existsSync(csvPath)) {
    throw new UserError(`--resume ${dir}: not a results folder (needs run.json and requests.csv)`);
  }
  cutTornLine(csvPath);
  const result = loadResult(dir);
  const prev = result.run!;
  if (prev.spec_hash !== specHash) {
    throw new UserError(
      `--resume ${dir}: the spec differs from the one this run used (hash ${prev.spec_hash} there, ${specHash} now); ` +
        `resume with the same spec, --env${prev.environment !== undefined ? ` (${prev.environment})` : ''} and --set flags, or start a new run`,
    );
  }
  if ((prev.only_target ?? '') !== (plan.onlyTarget ?? '')) {
    const was = prev.only_target !== undefined ? `--target ${prev.only_target}` : 'every target';
    throw new UserError(`--resume ${dir}: that run ran ${was}; pass the same --target`);
  }
  const prevShard = prev.shard ? `${prev.shard.k}/${prev.shard.n}` : 'none';
  const nowShard = plan.shard ? `${plan.shard.k}/${plan.shard.n}` : 'none';
  if (prevShard !== nowShard) {
    throw new UserError(`--resume ${dir}: that run was shard ${prevShard}, this one is shard ${nowShard}; pass the same --shard`);
  }
  if (result.axes.join(',') !== plan.axes.join(',')) {
    throw new UserError(`--resume ${dir}: requests.csv has columns for ${result.axes.join(', ')}, the plan has ${plan.axes.join(', ')}`);
  }
  // New rows are written in this version's columns; under another header they would not read back.
  const header = csvHeader(csvPath);
  const expected = requestTable(plan.axes).header();
  if (header.length > 0 && header.join(',') !== expected.join(',')) {
    const extra = expected.filter((c) => !header.includes(c));
    throw new UserError(
      `--resume ${dir}: requests.csv was written by another version of llm-sweep` +
        `${extra.length > 0 ? ` (it lacks the columns ${extra.join(', ')})` : ''}; resume it with that version, or start a new run`,
    );
  }
  const columns = new Map<string, CellColumns>();
  for (const c of result.cells) if (c.columns) columns.set(c.cell, c.columns);
  const records = plan.search ? new Map<string, RequestRecord[]>() : undefined;
  const own = new Map(plan.cells.map((c) => [c.id, planned?.(c)]));
  const { done, next, roundsDone } = rowsDone(csvPath, result.rows().records, plan, records, own);
  const missing = new Map<string, Set<number>>();
  for (const cell of plan.cells) {
    if (cell.requests === undefined) {
      // A duration cell has no fixed request list: a round is done once it has rows.
      const have = roundsDone.get(cell.id) ?? new Set<number>();
      const todo = new Set<number>();
      for (let r = 0; r < plan.rounds; r++) if (!have.has(r)) todo.add(r);
      if (todo.size > 0) missing.set(cell.id, todo);
      continue;
    }
    const have = done.get(cell.id) ?? new Set<number>();
    const todo = new Set<number>();
    const indices = own.get(cell.id)?.indices ?? Array.from({ length: cell.requests * plan.rounds }, (_, i) => i);
    for (const i of indices) if (!have.has(i)) todo.add(i);
    if (todo.size > 0) missing.set(cell.id, todo);
  }
  return {
    columns,
    missing,
    next,
    previous: new Map(prev.cells.map((s) => [s.cell, s])),
    checks: prev.checks,
    startedAt: prev.started_at,
    records,
  };
}

/** Most bad rows named in the message; the rest are counted. */
const MAX_NAMED = 10;

/**
 * The request indices each cell already has, by cell id. A row this plan cannot have
 * written (a second copy of a row, a prompt_id or repeat past the cell's requests, a cell
 * the plan does not have) would be counted twice or never: the folder is refused, naming
 * the rows, rather than resumed into a result that does not add up.
 */
function rowsDone(
  csvPath: string,
  rows: Iterable<RequestRecord>,
  plan: Plan,
  records: Map<string, RequestRecord[]> | undefined,
  own: ReadonlyMap<string, ReturnType<PlannedRequests>>,
): { done: Map<string, Set<number>>; next: Map<string, number>; roundsDone: Map<string, Set<number>> } {
  const P = plan.prompts.length;
  // Conversations plan their own indices; other workloads number requests by prompt_id, repeat 0.
  const plannedSets = new Map([...own].flatMap(([id, p]) => (p ? [[id, { stride: p.stride, indices: new Set(p.indices) }] as const] : [])));
  const cells = new Map(plan.cells.map((c) => [c.id, c]));
  const done = new Map<string, Set<number>>();
  // Per cell: one past its highest request index, and the rounds (repeat_cells) with rows.
  const next = new Map<string, number>();
  const roundsDone = new Map<string, Set<number>>();
  const bad: string[] = [];
  let n = 0;
  for (const r of rows) {
    n++;
    if (records) {
      let list = records.get(r.cell);
      if (!list) records.set(r.cell, (list = []));
      list.push(r);
    }
    const what = `row ${n} (cell '${r.cell}', prompt_id ${r.prompt_id}, repeat ${r.repeat})`;
    // A search's steps are cells the plan does not list, of as many requests as they took.
    const cell = plan.search ? undefined : cells.get(r.cell);
    const i = r.repeat * (own.get(r.cell)?.stride ?? P) + r.prompt_id;
    let why = !cell && !plan.search ? `cell '${r.cell}' is not in the plan${plan.shard ? ` (shard ${plan.shard.k}/${plan.shard.n})` : ''}` : undefined;
    why ??= plan.workload ? workloadRowProblem(r, i, cell, plannedSets.get(r.cell)) : listRowProblem(r, i, cell, P, plan.rounds);
    if (!why) {
      let set = done.get(r.cell);
      if (!set) done.set(r.cell, (set = new Set()));
      if (set.has(i)) why = 'appears twice (the same cell, prompt_id and repeat as an earlier row)';
      set.add(i);
      next.set(r.cell, Math.max(next.get(r.cell) ?? 0, i + 1));
      let rounds = roundsDone.get(r.cell);
      if (!rounds) roundsDone.set(r.cell, (rounds = new Set()));
      rounds.add(r.round ?? 0);
    }
    if (why) bad.push(`${what}: ${why}`);
  }
  if (bad.length > 0) {
    const shown = bad.slice(0, MAX_NAMED).map((b) => `${csvPath}: ${b}`);
    if (bad.length > MAX_NAMED) shown.push(`${csvPath}: ... and ${bad.length - MAX_NAMED} more such rows`);
    shown.push(
      `--resume: requests.csv holds ${bad.length} row${bad.length === 1 ? '' : 's'} this plan cannot have written (edited by hand, or another spec's); remove ${bad.length === 1 ? 'it' : 'them'}, or start a new run`,
    );
    throw new UserError(shown.join('\n'), shown);
  }
  return { done, next, roundsDone };
}

/** Why a row of a list of P prompts cannot be one this plan wrote (request i = repeat x P + prompt_id). */
function listRowProblem(r: RequestRecord, i: number, cell: Cell | undefined, P: number, rounds: number): string | undefined {
  if (!Number.isInteger(r.prompt_id) || r.prompt_id < 0 || r.prompt_id >= P) return `prompt_id ${r.prompt_id} does not exist: the spec has only ${P} prompts`;
  if (!Number.isInteger(r.repeat) || r.repeat < 0 || (cell?.requests !== undefined && i >= cell.requests * rounds)) {
    return `repeat ${r.repeat} is past the cell's end: it has ${cell?.requests}${rounds > 1 ? ` requests in each of ${rounds} rounds` : ' requests'}`;
  }
  return undefined;
}

/**
 * The same for a workload: a conversation's row must be one of its planned turns (`turns`:
 * sessions and indices); any other workload's rows have repeat 0 and prompt_id the request number.
 */
function workloadRowProblem(
  r: RequestRecord,
  i: number,
  cell: Cell | undefined,
  turns: { stride: number; indices: ReadonlySet<number> } | undefined,
): string | undefined {
  if (turns) {
    const known = Number.isInteger(r.prompt_id) && r.prompt_id >= 0 && r.prompt_id < turns.stride && turns.indices.has(i);
    return known ? undefined : `session ${r.prompt_id}, turn ${r.repeat} is not a turn the cell's conversations have`;
  }
  if (r.repeat !== 0 || !Number.isInteger(r.prompt_id) || r.prompt_id < 0) return "a workload's rows have repeat 0 and prompt_id the request number";
  if (cell?.requests !== undefined && r.prompt_id >= cell.requests) return `prompt_id ${r.prompt_id} is past the cell's end: it has ${cell.requests} requests`;
  return undefined;
}

/** A row is complete only when its newline was written: anything after the last one is cut. */
function cutTornLine(path: string): void {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const tail = Buffer.alloc(Math.min(size, 64 * 1024));
    let end = size;
    // Walk back block by block to the last newline (a torn line can be long).
    for (let at = size; at > 0; ) {
      const len = Math.min(tail.length, at);
      at -= len;
      readSync(fd, tail, 0, len, at);
      const nl = tail.subarray(0, len).lastIndexOf(0x0a);
      if (nl >= 0) {
        end = at + nl + 1;
        break;
      }
      end = at;
    }
    if (end < size) truncateSync(path, end);
  } finally {
    closeSync(fd);
  }
}
