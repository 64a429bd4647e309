/**
 * What an interrupted results folder already holds, so `run --resume` sends exactly the
 * planned requests that are missing. A torn last line (a crash mid-write) is cut off the
 * file before anything is appended to it.
 */
import { existsSync, readFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import type { CellSummary } from '../metrics/summary.js';
import type { Plan } from '../plan/types.js';
import { requestColumns } from './columns.js';
import { parseRequestsCsv } from './read.js';
import type { RequestRecord } from './types.js';

export interface ResumeState {
  /** Rows already on disk, by cell id. */
  records: Map<string, RequestRecord[]>;
  /** Request indices still to run, by cell id (absent: the cell is complete). */
  missing: Map<string, Set<number>>;
  /** The earlier run's summaries (for client health of cells not run again). */
  previous: Map<string, CellSummary>;
  startedAt?: string;
}

interface PreviousRun {
  spec_hash?: string;
  shard?: { k: number; n: number } | null;
  axes?: string[];
  started_at?: string;
  cells?: CellSummary[];
}

export function loadResume(dir: string, specHash: string, plan: Plan): ResumeState {
  const runPath = join(dir, 'run.json');
  const csvPath = join(dir, 'requests.csv');
  if (!existsSync(runPath) || !existsSync(csvPath)) {
    throw new UserError(`--resume ${dir}: not a results folder (needs run.json and requests.csv)`);
  }
  let prev: PreviousRun;
  try {
    prev = JSON.parse(readFileSync(runPath, 'utf8')) as PreviousRun;
  } catch (e) {
    throw new UserError(`--resume ${dir}: run.json is not readable JSON (${(e as Error).message})`);
  }
  if (prev.spec_hash !== specHash) {
    throw new UserError(
      `--resume ${dir}: the spec differs from the one this run used (hash ${prev.spec_hash} there, ${specHash} now); ` +
        'resume with the same spec and --set flags, or start a new run',
    );
  }
  const prevShard = prev.shard ? `${prev.shard.k}/${prev.shard.n}` : 'none';
  const nowShard = plan.shard ? `${plan.shard.k}/${plan.shard.n}` : 'none';
  if (prevShard !== nowShard) {
    throw new UserError(`--resume ${dir}: that run was shard ${prevShard}, this one is shard ${nowShard}; pass the same --shard`);
  }
  const text = readFileSync(csvPath, 'utf8');
  const lastNl = text.lastIndexOf('\n');
  if (lastNl < text.length - 1) truncateSync(csvPath, Buffer.byteLength(text.slice(0, lastNl + 1)));
  const file = parseRequestsCsv(text, csvPath);
  if (file.axes.join(',') !== plan.axes.join(',')) {
    throw new UserError(`--resume ${dir}: requests.csv has columns for ${file.axes.join(', ')}, the plan has ${plan.axes.join(', ')}`);
  }
  // New rows are written in this version's columns; under another header they would not read back.
  const expected = requestColumns(plan.axes);
  if (file.columns.length > 0 && file.columns.join(',') !== expected.join(',')) {
    const extra = expected.filter((c) => !file.columns.includes(c));
    throw new UserError(
      `--resume ${dir}: requests.csv was written by another version of llm-sweep` +
        `${extra.length > 0 ? ` (it lacks the columns ${extra.join(', ')})` : ''}; resume it with that version, or start a new run`,
    );
  }
  const records = new Map<string, RequestRecord[]>();
  const seen = new Set<string>();
  for (const r of file.records) {
    const key = `${r.cell}\u0000${r.prompt_id}\u0000${r.repeat}`;
    if (seen.has(key)) continue; // a duplicate can only come from a hand-edited file; count it once
    seen.add(key);
    if (!records.has(r.cell)) records.set(r.cell, []);
    records.get(r.cell)!.push(r);
  }
  const P = plan.prompts.length;
  const missing = new Map<string, Set<number>>();
  for (const cell of plan.cells) {
    const done = records.get(cell.id) ?? [];
    if (cell.requests === undefined) {
      // A duration cell has no fixed request list: it is done once it has rows.
      if (done.length === 0) missing.set(cell.id, new Set());
      continue;
    }
    const have = new Set(done.map((r) => r.repeat * P + r.prompt_id));
    const todo = new Set<number>();
    for (let i = 0; i < cell.requests; i++) if (!have.has(i)) todo.add(i);
    if (todo.size > 0) missing.set(cell.id, todo);
  }
  const previous = new Map<string, CellSummary>();
  for (const s of prev.cells ?? []) previous.set(s.cell, s);
  return { records, missing, previous, startedAt: prev.started_at };
}
