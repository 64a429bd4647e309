/**
 * A plan's workload made ready: its data prepared once (prepare.ts), trace cells given the
 * trace's request count, a warning when a dataset is too small for the plan, and, for
 * `tokenizer: server`, the server's own count calibrated (at run time, when the server is up).
 */
import { dirname, isAbsolute, join } from 'node:path';
import { cellId } from '../cell-id.js';
import type { LoadedSpec } from '../../spec/load.js';
import { serverTokenCounter, type PostJson } from '../../tokenizers/server.js';
import type { Cell, Plan } from '../types.js';
import { cellSource, cellTotals, type CellContextInput, type CellSource } from './cells.js';
import { prepareWorkload } from './prepare.js';
import type { WorkloadTotals } from './types.js';
import { serverVocabulary } from './vocabulary.js';

/** Prepares the plan's workload, when it has one and it is not prepared yet; returns warnings. */
export async function preparePlanWorkload(loaded: LoadedSpec, plan: Plan): Promise<string[]> {
  const w = plan.workload;
  if (!w || w.prepared) return [];
  const { source } = loaded;
  const kind = w.spec.dataset ? 'dataset' : w.spec.trace ? 'trace' : undefined;
  const file = w.spec.dataset?.file ?? w.spec.trace?.file;
  w.prepared = await prepareWorkload(
    {
      workload: w.spec,
      tokenizer: w.tokenizer,
      dir: loaded.dir,
      tokenizerAt: source.locate(loaded.spec.tokenizer === undefined ? ['prompts'] : ['tokenizer'], 'value'),
      fileAt: kind ? source.locate(['prompts', kind, 'file']) : source.locate(['prompts']),
      // As load.ts shows prompt files: relative to where the user ran the command.
      shownFile: file === undefined || isAbsolute(file) ? file : join(dirname(loaded.file), file),
      seed: loaded.spec.seed,
      rows: Math.max(1, w.rows),
    },
    // Under the test runner the sources are TypeScript and there is no worker file to start.
    { inWorker: !import.meta.url.endsWith('.ts') },
  );
  const warnings: string[] = [];
  const { trace, sample } = w.prepared;
  if (trace) {
    for (const c of plan.cells) if (c.requests === undefined && c.duration_s === undefined) c.requests = trace.length;
  }
  // A conversation cell's requests are its sessions' turns, each session's count drawn with the seed.
  for (const c of plan.cells) {
    if (c.sessions === undefined || c.duration_s !== undefined) continue;
    const s = planCellSource(loaded, plan, c);
    if (s?.kind === 'conversation') c.requests = Array.from({ length: c.sessions }, (_, i) => s.source.turnsOf(i)).reduce((a, b) => a + b, 0);
  }
  if (sample && sample.rows.length < w.rows) {
    warnings.push(
      `${source.locate(['prompts', 'dataset', 'file'])}: the dataset has ${sample.rows.length} row${sample.rows.length === 1 ? '' : 's'} that pass the filters, and the plan needs ${w.rows} (every cell its own): cells reuse rows, so a prefix cache may favour later cells`,
    );
  }
  return warnings;
}

/**
 * `tokenizer: server`: replaces the candidate words with those the server counts as one
 * token, and measures what it adds to every prompt (BOS, chat template). Needs the server.
 */
export async function calibrateServerTokenizer(plan: Plan, opts: { origin: string; model?: string; chat: boolean; post: PostJson }): Promise<string | undefined> {
  const w = plan.workload;
  if (!w || w.tokenizer !== 'server' || !w.prepared?.vocab) return undefined;
  const counter = await serverTokenCounter({ origin: opts.origin, model: opts.model, chat: opts.chat, post: opts.post });
  w.prepared.vocab = await serverVocabulary(counter, w.prepared.vocab.words);
  w.prepared.tokenizer = counter.name;
  return counter.name;
}

/** What cellSource and cellTotals need of one cell of a prepared plan. */
function cellInput(loaded: Pick<LoadedSpec, 'spec'>, plan: Plan, cell: Cell): CellContextInput | undefined {
  const w = plan.workload;
  if (!w?.prepared) return undefined;
  return {
    workload: w.spec,
    prepared: w.prepared,
    seed: loaded.spec.seed,
    // The text is the cell's own but not its target's: targets compared side by side get the same prompts.
    id: textKey(cell),
    params: cell.params,
    requests: cell.requests,
    warmup: cell.warmup,
    rowOffset: cell.rowOffset ?? 0,
    sessions: cell.sessions,
  };
}

/** The prompt source of one cell of a prepared plan. */
export function planCellSource(loaded: LoadedSpec, plan: Plan, cell: Cell): CellSource | undefined {
  const input = cellInput(loaded, plan, cell);
  return input && cellSource(input);
}

/** The tokens a cell of a prepared plan will send and ask for; undefined without a workload. */
export function planCellTotals(loaded: Pick<LoadedSpec, 'spec'>, plan: Plan, cell: Cell): WorkloadTotals | undefined {
  const input = cellInput(loaded, plan, cell);
  return input && cellTotals(input);
}

/**
 * The request indices a cell plans (resume sends the missing ones), and the stride of
 * `repeat` in them: index = repeat x stride + prompt_id. A list of P prompts: stride P;
 * a conversation: stride = sessions (prompt_id = session, repeat = turn); other workloads: 0.
 */
export function plannedRequests(loaded: LoadedSpec, plan: Plan, cell: Cell): { stride: number; indices: Iterable<number> } | undefined {
  const s = planCellSource(loaded, plan, cell);
  if (s?.kind !== 'conversation') return undefined;
  const S = s.sessions;
  const indices: number[] = [];
  for (let i = 0; i < S; i++) for (let t = 0, n = s.source.turnsOf(i); t < n; t++) indices.push(t * S + i);
  return { stride: S, indices };
}

/** The id of the cell without its target axis (the cell id itself when there is none). */
function textKey(cell: Cell): string {
  if (!('target' in cell.params)) return cell.id;
  const { target: _target, ...rest } = cell.params;
  return cellId(rest);
}
