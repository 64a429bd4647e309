/**
 * One cell: warmup, then the recorded requests, closed loop (at most `concurrency` in
 * flight, each slot sending its next request as soon as the previous one ends) or open
 * loop (arrivals at a `rate`, with `concurrency` still capping requests in flight).
 * Request i uses prompt i mod P for the floor(i / P)-th time.
 */
import pLimit from 'p-limit';
import { CellColumns } from '../metrics/cell-columns.js';
import { estimateTokens } from '../metrics/tokens.js';
import type { Cell, Prompt } from '../plan/types.js';
import type { RequestRecord } from '../records/types.js';
import { arrivalOffsets } from './arrivals.js';
import type { CellExchanger } from './cell-exchanger.js';
import type { ExchangeResult } from './exchange.js';
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
  const { cell } = ctx;
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
  const send = (i: number, lane?: number) => ctx.exchanger.send(i, ctx.abort, lane);

  if (cell.warmup > 0) {
    const warmStart = performance.now();
    await closedLoop(cell.warmup, Math.min(cell.load.concurrency, cell.warmup), ctx.stop, undefined, async (i, lane) => {
      const result = await send(i, lane);
      ctx.onWarmup?.(
        toRecord(result, { cell, prompt: ctx.prompts[i % P], repeat: Math.floor(i / P), cellStart: warmStart, promptTokenEstimate: estimators[i % P] }),
      );
    });
  }
  await ctx.onMeasureStart?.();
  const start = performance.now();
  const first = ctx.firstIndex ?? 0;
  let next = first;
  const measured = async (i: number, scheduledAt?: number, lane?: number) => {
    next = Math.max(next, i + 1);
    const result = await send(i, lane);
    // A request cut by Ctrl-C did not complete: leave it out so --resume runs it again.
    if (result.errorKind === 'aborted' && (ctx.abort.aborted || ctx.stop.aborted)) return;
    const record = toRecord(result, {
      cell,
      prompt: ctx.prompts[i % P],
      repeat: Math.floor(i / P),
      round: ctx.round ?? 0,
      scheduledAt,
      cellStart: start,
      promptTokenEstimate: estimators[i % P],
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
  if (cell.load.rate !== undefined && !unpacedForAWhile) {
    await openLoop(ctx, start, first, count, deadline, measured);
  } else {
    await closedLoop(count, cell.load.concurrency, ctx.stop, deadline, (i, lane) => measured(i, undefined, lane), ctx.only, first);
  }
  return { columns, start, stopped: ctx.stop.aborted, next };
}

async function closedLoop(
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

async function openLoop(
  ctx: CellContext,
  start: number,
  first: number,
  count: number | undefined,
  deadline: number | undefined,
  one: (i: number, scheduledAt: number) => Promise<void>,
): Promise<void> {
  const { cell } = ctx;
  const limit = pLimit(cell.load.concurrency);
  const inFlight = new Set<Promise<void>>();
  const offsets = arrivalOffsets({
    rate: cell.load.rate!,
    arrival: ctx.arrival,
    burstiness: ctx.burstiness,
    seed: ctx.seed,
  });
  for (let k = 0; count === undefined || k < count; k++) {
    // Every round replays the same arrival times: rounds (and targets) see the same load.
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

async function sleepUntil(due: number, stop: AbortSignal): Promise<void> {
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
