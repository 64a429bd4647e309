/**
 * The whole sweep: cells one after another against one endpoint. Every recorded request
 * and every finished cell goes to the writer it is given (results/writer.ts), which keeps
 * the results folder, or memory; the runner itself writes nothing and never prints. Emits
 * events for the progress display.
 */
import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import { checkCell, compileThresholds } from '../compare/thresholds.js';
import type { ThresholdResult } from '../compare/types.js';
import { CellColumns } from '../metrics/cell-columns.js';
import { summarizeCell, type CellSummary, type ClientHealth } from '../metrics/summary.js';
import type { Cell, Plan, SearchPlan } from '../plan/types.js';
import type { RequestRecord } from '../records/types.js';
import type { ResumeState } from '../results/resume.js';
import { summaryOptions } from '../results/load.js';
import type { CellExtras } from '../results/run-json.js';
import type { ResultWriter } from '../results/types.js';
import { WriteFault } from '../results/write-fault.js';
import type { CapacityEntry } from '../search/result.js';
import type { LoadedSpec } from '../spec/load.js';
import { scrubber } from '../spec/redact.js';
import { openCellExchanger, type CellExchanger, type CellSetup } from './cell-exchanger.js';
import { watchClientHealth } from './client-health.js';
import type { EndpointMemory, ExchangeResult } from './exchange.js';
import { RunError } from '../errors.js';
import { budgetRefusal, createAssessor } from './assess.js';
import { fatalReason } from './fatal.js';
import { runCell } from './run-cell.js';
import { searchCell } from './run-search.js';
import { setUpServerMetrics } from './server-metrics.js';
import type { RunListener } from './types.js';
import { workersFor, type WorkersSetting } from './worker-count.js';
import { openWorkerExchanger } from './worker-pool.js';

export interface SweepOptions {
  loaded: LoadedSpec;
  plan: Plan;
  /** Where requests go: the spec's base_url, or the spawned simulator's. */
  baseUrl: string;
  /** Where results go: a results folder (`folderWriter`) or memory (`memoryWriter`). */
  writer: ResultWriter;
  /** Ctrl-C: stop sending, let requests in flight finish for `graceMs`, then cut them. */
  signal?: AbortSignal;
  graceMs?: number;
  /** A second Ctrl-C: cut the requests in flight now, without waiting out the grace period. */
  cut?: AbortSignal;
  onEvent?: RunListener;
  /** Continue an interrupted run: only the missing requests are sent. */
  resume?: ResumeState;
  /** Most the run may spend (run --max-cost), over the spec's `budget.max_cost`; needs pricing. */
  maxCost?: number;
  /** Event loops per cell (run --workers), over the spec's `workers`. */
  workers?: WorkersSetting;
}

export interface SweepResult {
  summaries: CellSummary[];
  interrupted: boolean;
  /** Set when the run stopped because it could not go on (exit 3). */
  fatal?: string;
  /** Threshold checks of the finished cells (and of capacities). */
  thresholds: ThresholdResult[];
  /** With search: the capacity of every searched cell that finished its search. */
  capacity?: CapacityEntry[];
  /** The budget, when there is one: the limit, what was spent, and whether the run stopped on it. */
  budget?: { max: number; spent: number; reached: boolean };
}

export async function runSweep(opts: SweepOptions): Promise<SweepResult> {
  const { loaded, plan, writer, resume } = opts;
  const { spec } = loaded;
  const emit: RunListener = opts.onEvent ?? (() => {});
  const target = { ...spec.target, base_url: opts.baseUrl };
  const thresholds = compileThresholds(spec);
  const memory: EndpointMemory = { askUsage: true };
  const scrub = scrubber(loaded.secrets);
  const promptTokens = new Map<number, number>();
  // Before anything is started or written: a sweep whose estimate is over the budget does not run.
  const refusal = budgetRefusal(loaded, plan, { maxCost: opts.maxCost, resume, promptTokens });
  if (refusal) throw new RunError(refusal);
  const assessor = createAssessor(loaded, plan, { maxCost: opts.maxCost, resume, promptTokens });
  const summaries: CellSummary[] = [];
  const checks: ThresholdResult[] = [];
  const capacities: CapacityEntry[] = [];
  const stop = new AbortController();
  const abort = new AbortController();
  // Every request in flight listens on these; a cell of 256 is not a leak.
  setMaxListeners(0, stop.signal, abort.signal);
  let fatal: string | undefined;
  let anySuccess = false;
  let graceTimer: NodeJS.Timeout | undefined;
  const onUserAbort = () => {
    if (!stop.signal.aborted) stop.abort();
    emit({ type: 'interrupt', message: 'stopping: waiting for requests in flight' });
    graceTimer = setTimeout(() => abort.abort(), opts.graceMs ?? 5000);
    graceTimer.unref();
  };
  if (opts.signal?.aborted) onUserAbort();
  opts.signal?.addEventListener('abort', onUserAbort, { once: true });
  const onCut = () => {
    if (!stop.signal.aborted) stop.abort();
    abort.abort();
  };
  if (opts.cut?.aborted) onCut();
  opts.cut?.addEventListener('abort', onCut, { once: true });

  /**
   * The results folder cannot be written (a full disk): stop now, so no request is sent
   * whose row could not be kept; the rows on disk are whole, and --resume continues.
   */
  const onFault = (e: unknown) => {
    if (!(e instanceof WriteFault)) throw e;
    if (!fatal) fatal = `${e.message}. The rows that finished before it are in requests.csv; once the folder can be written again, finish the run with --resume`;
    stop.abort();
  };

  /** A cell's summary checked against the thresholds, and handed to the writer. */
  const finish = async (summary: CellSummary, columns: CellColumns, extras?: CellExtras) => {
    const results = checkCell(thresholds, summary);
    checks.push(...results);
    summaries.push(summary);
    await writer.cell({ summary, columns, thresholds: results, extras, checks: assessor.tally() }).catch(onFault);
  };

  const todo = (c: (typeof plan.cells)[number]) =>
    resume ? (resume.missing.has(c.id) ? (resume.missing.get(c.id)!.size || c.requests) : 0) : c.requests;
  // A search spends what its steps need: no total is known up front.
  const total = plan.search ? undefined : plan.cells.every((c) => c.requests !== undefined) ? plan.cells.reduce((s, c) => s + (todo(c) ?? 0), 0) : undefined;
  emit({ type: 'run-start', cells: plan.cells.length, requests: total });
  await writer.start({ loaded, plan, baseUrl: opts.baseUrl, startedAt: resume?.startedAt });
  /**
   * Runs `cell` once: its requests (or the missing ones, or one round of a search step) on
   * top of `columns`, with client health watched. Rows go to the writer as they end.
   */
  let serverMetrics: Awaited<ReturnType<typeof setUpServerMetrics>> | undefined;
  const runOnce = async (cell: Cell, o: RunOnce): Promise<CellRunOnce> => {
    emit({ type: 'cell-start', cell, position: o.position, of: plan.cells.length, requests: o.only?.size || cell.requests });
    const exchanger = await openExchanger({ target, cell, prompts: plan.prompts, secrets: loaded.secrets }, memory, opts.workers ?? spec.workers);
    const serverTimings: Record<string, number[]> = {};
    const badUsage = { count: 0, example: '' };
    const onRecord = (record: RequestRecord, result: ExchangeResult) => {
      if (result.badUsage && badUsage.count++ === 0) badUsage.example = result.badUsage;
      if (record.error) record.error = scrub(record.error);
      const verdicts = assessor.assess(record, result, cell);
      try {
        writer.record(record, { text: result.text, reasoning: result.reasoning, checks: verdicts });
      } catch (e) {
        onFault(e);
        return;
      }
      if (record.status === 'ok') {
        anySuccess = true;
        if (result.firstTokenLateMs !== undefined) health.ttftDelay(result.firstTokenLateMs);
      }
      for (const [k, v] of Object.entries(result.serverTimings ?? {})) (serverTimings[k] ??= []).push(v);
      emit({ type: 'request-end', cell, record });
      const reason = fatalReason(record, result, target, anySuccess) ?? assessor.budgetReached;
      if (reason && !fatal) {
        fatal = reason;
        stop.abort();
      }
    };
    const health = watchClientHealth();
    let threads: Awaited<ReturnType<CellExchanger['close']>> = [];
    let scraping: Awaited<ReturnType<NonNullable<typeof serverMetrics>['beginCell']>> | undefined;
    let run;
    let end = 0;
    try {
      run = await runCell({
        cell,
        prompts: plan.prompts,
        exchanger,
        stop: stop.signal,
        abort: abort.signal,
        arrival: spec.arrival,
        burstiness: spec.burstiness,
        seed: o.seed,
        onRecord,
        // Warmups are recorded nowhere; only a budget needs them (they are billed).
        onWarmup: assessor.budget
          ? (record) => {
              assessor.warmup(record, cell);
              if (assessor.budgetReached && !fatal) {
                fatal = assessor.budgetReached;
                stop.abort();
              }
            }
          : undefined,
        onMeasureStart: async () => {
          emit({ type: 'warmup-end', cell });
          scraping = await serverMetrics?.beginCell(cell.id);
        },
        promptTokens,
        columns: o.columns,
        onDispatchLag: (ms) => health.dispatchLag(ms),
        only: o.only && o.only.size > 0 ? o.only : undefined,
        firstIndex: o.firstIndex,
      });
      end = performance.now();
    } finally {
      threads = await exchanger.close();
      // A cell that threw: stop its scraping too, so no scrape outlives the run.
      if (!run) await scraping?.finish({ start: 0, end: 0 });
    }
    // The advice in a client-bound warning is fitted to the cell's own TTFT and latency.
    const sofar = summarizeCell(cell.id, cell.params, run.columns, summaryOptions(spec, cell.params));
    const clientHealth = health.stop({
      ttftP50Ms: sofar.ttft_ms?.p50,
      latencyP50Ms: sofar.latency_ms?.p50,
      concurrency: cell.load.concurrency,
      rate: cell.load.rate,
    }, threads);
    if (clientHealth.bound) emit({ type: 'warning', message: `cell ${cell.id}: client-bound (${clientHealth.reason})` });
    if (badUsage.count > 0) {
      emit({
        type: 'warning',
        message:
          `cell ${cell.id}: ${badUsage.count} response${badUsage.count === 1 ? '' : 's'} reported impossible token usage (${badUsage.example}); ` +
          'their tokens were counted with the tokenizer instead (tokens_source=estimate)',
      });
    }
    const extras: CellExtras = {};
    if (Object.keys(serverTimings).length > 0) extras.server_timings_mean = meanOf(serverTimings);
    let scraped: CellSummary['server_metrics'];
    if (scraping) {
      const s = await scraping.finish({ start: run.start, end });
      scraped = s.summary;
      extras.server_metrics = s.sources;
    }
    return { columns: run.columns, client: clientHealth, serverMetrics: scraped, extras: Object.keys(extras).length > 0 ? extras : undefined };
  };

  try {
    serverMetrics = await setUpServerMetrics(spec.target.metrics, opts.baseUrl, writer, emit);
    for (const [pos, cell] of plan.cells.entries()) {
      if (stop.signal.aborted) break;
      if (plan.search) {
        const searched = await searchCell({
          searched: cell,
          position: pos + 1,
          plan: plan as Plan & { search: SearchPlan },
          spec,
          thresholds,
          stop: stop.signal,
          resume,
          runOnce,
          summarize: (c, columns) => summarizeCell(c.id, c.params, columns, summaryOptions(spec, c.params)),
          // A search goes past its capacity on purpose: per-cell thresholds do not judge its steps.
          finishStep: async (step, summary, columns, extras) => {
            summaries.push(summary);
            await writer.cell({ summary, columns, thresholds: [], extras, checks: assessor.tally() }).catch(onFault);
            emit({ type: 'cell-end', cell: step, summary });
          },
        });
        if (searched) {
          capacities.push(searched.entry);
          checks.push(...searched.thresholds);
          await writer.capacity(searched.entry, searched.thresholds).catch(onFault);
        }
        continue;
      }
      const earlier = resume?.columns.get(cell.id) ?? new CellColumns();
      const summarize = (columns: CellColumns) => summarizeCell(cell.id, cell.params, columns, summaryOptions(spec, cell.params));
      if (resume && !resume.missing.has(cell.id)) {
        // Complete before the interruption: keep its rows and summary, send nothing.
        const summary = summarize(earlier);
        summary.client = resume.previous.get(cell.id)?.client;
        summary.server_metrics = resume.previous.get(cell.id)?.server_metrics;
        await finish(summary, earlier);
        continue;
      }
      const run = await runOnce(cell, { position: pos + 1, seed: spec.seed + cell.index, columns: earlier, only: resume?.missing.get(cell.id) });
      const summary = summarize(run.columns);
      summary.client = run.client;
      if (run.serverMetrics) summary.server_metrics = run.serverMetrics;
      await finish(summary, run.columns, run.extras);
      emit({ type: 'cell-end', cell, summary });
    }
  } finally {
    clearTimeout(graceTimer);
    opts.signal?.removeEventListener('abort', onUserAbort);
    opts.cut?.removeEventListener('abort', onCut);
    const interrupted = Boolean(opts.signal?.aborted);
    // After a write fault this fails too (the last good run.json stays); the fault is reported.
    await writer.end({ interrupted, stoppedReason: fatal ?? (interrupted ? 'interrupted' : undefined), checks: assessor.tally() }).catch(onFault);
    emit({ type: 'run-end', interrupted });
  }
  const b = assessor.budget;
  return {
    summaries,
    interrupted: Boolean(opts.signal?.aborted),
    fatal,
    thresholds: checks,
    ...(plan.search ? { capacity: capacities } : {}),
    budget: b && { max: b.max, spent: b.spent, reached: assessor.budgetReached !== undefined },
  };
}

/** What running a cell once gave, beyond its rows. */
export interface CellRunOnce {
  columns: CellColumns;
  client: ClientHealth;
  /** The server's own metrics over the cell (target.metrics), when scraped. */
  serverMetrics?: CellSummary['server_metrics'];
  extras?: CellExtras;
}

/** How to run a cell once (see `runOnce`). */
export interface RunOnce {
  /** 1-based position of the (searched) cell in the plan, for progress. */
  position: number;
  /** Seed of its arrival times. */
  seed: number;
  /** Rows it already has: new ones are added to them. */
  columns: CellColumns;
  /** Only these request indices (counted from `firstIndex`). */
  only?: ReadonlySet<number>;
  /** Index of its first request here. */
  firstIndex?: number;
}

/** The cell's exchanges on this thread (one loop) or spread over worker threads. */
async function openExchanger(setup: Omit<CellSetup, 'sockets'>, memory: EndpointMemory, setting: WorkersSetting): Promise<CellExchanger> {
  const concurrency = setup.cell.load.concurrency;
  const n = workersFor(setting, concurrency);
  if (n <= 1) return openCellExchanger({ ...setup, sockets: concurrency }, memory);
  return openWorkerExchanger({ ...setup, sockets: Math.ceil(concurrency / n) }, memory, n);
}

function meanOf(m: Record<string, number[]>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, vs] of Object.entries(m)) out[k] = vs.reduce((a, b) => a + b, 0) / vs.length;
  return out;
}
