/**
 * One cell: warmup, then the recorded requests, closed loop (at most `concurrency` in
 * flight, each slot sending its next request as soon as the previous one ends) or open
 * loop (arrivals at a `rate`, or on a trace's schedule, with `concurrency` still capping
 * requests in flight). Request i uses prompt i mod P for the floor(i / P)-th time, or, with
 * a workload, the workload's prompt i; conversations go to run-sessions.ts.
 */
import pLimit from 'p-limit';
import { CellColumns } from '../metrics/cell-columns.js';
import { estimateTokens } from '../metrics/tokens.js';
import type { Cell, Prompt } from '../plan/types.js';
import type { CellSource } from '../plan/workloads/cells.js';
import type { WorkloadPrompt } from '../plan/workloads/types.js';
import type { RequestRecord } from '../records/types.js';
import { arrivalOffsets } from './arrivals.js';
import type { CellExchanger } from './cell-exchanger.js';
import type { ExchangeResult } from './exchange.js';
import { runSessions } from './run-sessions.js';
import { toRecord } from './to-record.js';

export interface CellContext {
  cell: Cell;
  prompts: readonly Prompt[];
  /** Runs the exchanges: on this thread or on worker threads (cell-exchanger.ts). */
  exchanger: CellExchanger;
  /** Stop sending new requests (Ctrl-C, a fatal error elsewhere). */
  stop: AbortSignal;
  /** Abort requests in flight (after the grace period). */
  abort: AbortSignal;
  arrival: 'poisson' | 'constant';
  burstiness: number;
  /** Seed of this cell's arrival times. */
  seed: number;
  /** Only these request indices (resume); all when undefined. */
  only?: ReadonlySet<number>;
  /**
   * Index of the first request here (default 0): round r of a cell of R requests sends
   * r x R to (r + 1) x R - 1, so (prompt_id, repeat) stays unique over the rounds; a later
   * round of a search step goes on from where the one before stopped. `only` holds indices
   * of the whole cell (from 0, not from here).
   */
  firstIndex?: number;
  /** 0-based round (`repeat_cells`), recorded on every row. */
  round?: number;
  /** Called with each recorded request as it ends (not for warmup, not for aborted ones). */
  onRecord: (record: RequestRecord, result: ExchangeResult) => void;
  /** Called with each warmup request as it ends (not recorded, but sent: the budget counts it). */
  onWarmup?: (record: RequestRecord) => void;
  /** Called after warmup, when the measured part starts; awaited (the scrape of the server's metrics before the cell). */
  onMeasureStart?: () => void | Promise<void>;
  /**
   * Where the cell's requests are kept for its summary (the runner keeps columns, not
   * records); a new one when undefined. Resume passes one holding the earlier rows.
   */
  columns?: CellColumns;
  /** Shared cache of prompt token estimates, by prompt id. */
  promptTokens: Map<number, number>;
  /** Told how late each open-loop arrival was dispatched, ms. */
  onDispatchLag?: (ms: number) => void;
  /** The cell's workload prompts, when the spec's prompts are a workload (their output lengths: the exchanger's `family`). */
  source?: CellSource;
}

export interface CellRun {
  /** What the summary needs of every recorded request (see metrics/cell-columns.ts). */
  columns: CellColumns;
  /** performance.now() of the measured part's start. */
  start: number;
  /** True when the cell was cut short by `stop`. */
  stopped: boolean;
  /** The index after the last request this round sent (a duration cell's next round starts there). */
  next: number;
}

export async function runCell(ctx: CellContext): Promise<CellRun> {
  const { cell, source } = ctx;
  if (source?.kind === 'conversation') return runSessions({ ...ctx, source: source.source, sessions: source.sessions });
  const columns = ctx.columns ?? new CellColumns();
  const P = ctx.prompts.length;
  // One estimator per prompt, made once: tokenizing a 50k-token prompt per request would be
  // the slowest thing on the hot path; the count is cached per prompt across cells.
  const estimators = ctx.prompts.map((p) => () => {
    let n = ctx.promptTokens.get(p.id);
    if (n === undefined) {
      n = estimateTokens(p.text);
      ctx.promptTokens.set(p.id, n);
    }
    return n;
  });
  const workload = source?.source;
  const promptOf = (i: number): WorkloadPrompt => (workload ? workload.prompt(i) : ctx.prompts[i % P]);
  // The spec's own prompts go by index (the exchanger, on whichever thread, keeps one encoded
  // body per prompt); a workload's prompt is made here and crosses as data with its output length.
  const send = (i: number, prompt: WorkloadPrompt, lane?: number) => ctx.exchanger.send(workload ? prompt : i, ctx.abort, lane);

  if (cell.warmup > 0) {
    // Workload warmup requests have prompts of their own (i < 0): they never warm the cache for a recorded one.
    const warmStart = performance.now();
    await closedLoop(cell.warmup, Math.min(cell.load.concurrency, cell.warmup), ctx.stop, undefined, async (i, lane) => {
      const prompt = workload ? promptOf(-1 - i) : promptOf(i);
      const result = await send(i, prompt, lane);
      ctx.onWarmup?.(
        toRecord(result, {
          cell,
          prompt,
          repeat: workload ? 0 : Math.floor(i / P),
          cellStart: warmStart,
          promptTokenEstimate: workload ? () => estimateTokens(prompt.text) : estimators[i % P],
        }),
      );
    });
  }
  await ctx.onMeasureStart?.();
  const start = performance.now();
  const first = ctx.firstIndex ?? 0;
  let next = first;
  const measured = async (i: number, scheduledAt?: number, lane?: number) => {
    next = Math.max(next, i + 1);
    const prompt = promptOf(i);
    const result = await send(i, prompt, lane);
    // A request cut by Ctrl-C did not complete: leave it out so --resume runs it again.
    if (result.errorKind === 'aborted' && (ctx.abort.aborted || ctx.stop.aborted)) return;
    const record = toRecord(result, {
      cell,
      prompt,
      repeat: workload ? 0 : Math.floor(i / P),
      round: ctx.round ?? 0,
      scheduledAt,
      cellStart: start,
      promptTokenEstimate: workload ? () => estimateTokens(prompt.text) : estimators[i % P],
      inputTokens: prompt.inputTokens,
      outputTokens: prompt.outputTokens,
    });
    ctx.onRecord(record, result);
    // After onRecord, which may scrub the error text (the summary does not use it).
    columns.push(record);
  };
  const deadline = cell.duration_s !== undefined ? start + cell.duration_s * 1000 : undefined;
  const count = cell.requests;
  // rate: inf for a duration has no list of requests to make due at once: it sends as fast
  // as the concurrency cap allows, which is the closed loop (the spec requires a cap).
  const unpacedForAWhile = cell.load.rate === Infinity && count === undefined;
  if (source?.kind === 'trace') {
    const trace = source.source;
    await openLoop(ctx, start, first, count, deadline, measured, (function* () {
      for (let i = 0; ; i++) yield trace.dueMs(i);
    })());
  } else if (cell.load.rate !== undefined && !unpacedForAWhile) {
    // Every round replays the same arrival times: rounds (and targets) see the same load.
    const offsets = arrivalOffsets({ rate: cell.load.rate, arrival: ctx.arrival, burstiness: ctx.burstiness, seed: ctx.seed });
    await openLoop(ctx, start, first, count, deadline, measured, offsets);
  } else {
    await closedLoop(count, cell.load.concurrency, ctx.stop, deadline, (i, lane) => measured(i, undefined, lane), ctx.only, first);
  }
  return { columns, start, stopped: ctx.stop.aborted, next };
}

export async function closedLoop(
  count: number | undefined,
  concurrency: number,
  stop: AbortSignal,
  deadline: number | undefined,
  /** `lane`: the slot, so each slot keeps one event loop (a worker's share of the cell). */
  one: (i: number, lane: number) => Promise<void>,
  only?: ReadonlySet<number>,
  first = 0,
): Promise<void> {
  let next = 0;
  const more = () =>
    !stop.aborted && (count === undefined || next < count) && (deadline === undefined || performance.now() < deadline);
  const slot = async (lane: number) => {
    while (more()) {
      const i = first + next++;
      if (only && !only.has(i)) continue;
      await one(i, lane);
    }
  };
  const slots = count === undefined ? concurrency : Math.min(concurrency, count);
  await Promise.all(Array.from({ length: slots }, (_, lane) => slot(lane)));
}

/** Sends request i at start + offsets[i] (ms), whatever the answers before it (open loop). */
async function openLoop(
  ctx: CellContext,
  start: number,
  first: number,
  count: number | undefined,
  deadline: number | undefined,
  one: (i: number, scheduledAt: number) => Promise<void>,
  offsets: Iterator<number>,
): Promise<void> {
  const { cell } = ctx;
  const limit = pLimit(cell.load.concurrency);
  const inFlight = new Set<Promise<void>>();
  for (let k = 0; count === undefined || k < count; k++) {
    const due = start + (offsets.next().value as number);
    if (deadline !== undefined && due >= deadline) break;
    const i = first + k;
    if (ctx.only && !ctx.only.has(i)) continue;
    await sleepUntil(due, ctx.stop);
    if (ctx.stop.aborted) break;
    ctx.onDispatchLag?.(Math.max(0, performance.now() - due));
    // Scheduled time stays `due` even when the concurrency cap holds the request back: the
    // wait shows up as queue_ms instead of disappearing (coordinated omission).
    const p = limit(() => one(i, due));
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  }
  await Promise.all(inFlight);
}

/** Node's longest timer, ms; a longer one fires after 1 ms (a bursty gamma gap can be that long). */
const MAX_TIMER_MS = 2 ** 31 - 1;

export async function sleepUntil(due: number, stop: AbortSignal): Promise<void> {
  while (due - performance.now() > MAX_TIMER_MS && !stop.aborted) await sleepFor(MAX_TIMER_MS, stop);
  return sleepFor(due - performance.now(), stop);
}

function sleepFor(wait: number, stop: AbortSignal): Promise<void> {
  if (wait <= 0 || stop.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, wait);
    function done() {
      clearTimeout(timer);
      stop.removeEventListener('abort', done);
      resolve();
    }
    stop.addEventListener('abort', done, { once: true });
  });
}
