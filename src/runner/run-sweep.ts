/**
 * The whole sweep: cells one after another, each against its own target (plan/targets.ts),
 * in the plan's order, once per round (plan/order.ts); with `search:`, each cell's capacity
 * search instead (run-search.ts). Every recorded request and every finished cell goes to
 * the writer it is given (results/writer.ts), which keeps the results folder, or memory;
 * the runner itself writes nothing and never prints. Emits events for the progress display.
 */
import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import { checkCell, compileThresholds } from '../compare/thresholds.js';
import type { ThresholdResult } from '../compare/types.js';
import { CellColumns } from '../metrics/cell-columns.js';
import { summarizeCell, type CellSummary, type ClientHealth } from '../metrics/summary.js';
import { runOrder } from '../plan/order.js';
import type { Cell, Plan, SearchPlan } from '../plan/types.js';
import { calibrateServerTokenizer, planCellSource, preparePlanWorkload } from '../plan/workloads/plan-workload.js';
import type { RequestRecord } from '../records/types.js';
import type { ResumeState } from '../results/resume.js';
import { summaryOptions } from '../results/load.js';
import type { CellExtras } from '../results/run-json.js';
import type { ResultWriter } from '../results/types.js';
import { WriteFault } from '../results/write-fault.js';
import type { CapacityEntry } from '../search/result.js';
import type { LoadedSpec } from '../spec/load.js';
import { scrubber } from '../spec/redact.js';
import { openCellExchanger, openPreparedTransport, type CellExchanger, type CellSetup } from './cell-exchanger.js';
import { RunError } from '../errors.js';
import { budgetRefusal, createAssessor } from './assess.js';
import { watchClientHealth, worseHealth } from './client-health.js';
import type { ExchangeResult } from './exchange.js';
import { fatalReason } from './fatal.js';
import { runCell } from './run-cell.js';
import { searchCell } from './run-search.js';
import { setUpServerMetrics, type RunMetrics } from './server-metrics.js';
import { liveTargets, targetUrls, type LiveTarget } from './targets.js';
import { postJson } from './workload-support.js';
import type { RunListener } from './types.js';
import { isLoopbackUrl, workersFor, type WorkersSetting } from './worker-count.js';
import { openWorkerExchanger, WorkerStartError } from './worker-pool.js';

export interface SweepOptions {
  loaded: LoadedSpec;
  plan: Plan;
  /** Where requests go for a plan with one target: the spec's base_url, or the spawned simulator's. */
  baseUrl?: string;
  /** Where each target's requests go, by name (`startEndpoints(plan).baseUrls`); wins over `baseUrl`. */
  baseUrls?: Record<string, string>;
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
  /** The base URL `metrics: auto` starts from for a plan with one target, when not baseUrl (Endpoint.metricsBaseUrl). */
  metricsBaseUrl?: string;
  /** The same by target name (`startEndpoints(plan).metricsBaseUrls`); wins over `metricsBaseUrl`. */
  metricsBaseUrls?: Record<string, string>;
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

/** What the runner keeps of a cell between its rounds. */
interface CellState {
  columns: CellColumns;
  /** Index of the next request (a duration cell's next round starts here). */
  next: number;
  client?: ClientHealth;
  /** The server's own timings of every round, for their means. */
  serverTimings: Record<string, number[]>;
  /** The server's metrics of the cell's latest round (target.metrics). */
  serverMetrics?: CellSummary['server_metrics'];
  extras?: CellExtras;
  /** Some round ran (so the cell has a summary to write, even when cut short). */
  started: boolean;
  finished: boolean;
}

export async function runSweep(opts: SweepOptions): Promise<SweepResult> {
  const { loaded, plan, writer, resume } = opts;
  const { spec } = loaded;
  const emit: RunListener = opts.onEvent ?? (() => {});
  const scrub = scrubber(loaded.secrets);
  const live = liveTargets(plan, opts, scrub);
  const several = live.size > 1;
  const thresholds = compileThresholds(spec);
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

  // The cell's own rate: a target's params may set it.
  const summarize = (cell: Cell, columns: CellColumns) =>
    summarizeCell(cell.id, cell.params, columns, { ...summaryOptions(spec, cell.params), rate: cell.load.rate });
  /** A cell's summary checked against the thresholds, and handed to the writer. */
  const finish = async (cell: Cell, st: CellState, earlier?: CellSummary) => {
    st.finished = true;
    const summary = summarize(cell, st.columns);
    // Rounds run now were measured now; a cell kept whole from before keeps what only the
    // runner saw (client health, the server's metrics).
    summary.client = st.client ?? earlier?.client;
    const scraped = st.serverMetrics ?? earlier?.server_metrics;
    if (scraped) summary.server_metrics = scraped;
    const results = checkCell(thresholds, summary);
    checks.push(...results);
    summaries.push(summary);
    await writer.cell({ summary, columns: st.columns, thresholds: results, extras: st.extras, checks: assessor.tally() }).catch(onFault);
    return summary;
  };

  if (plan.workload) {
    for (const message of await preparePlanWorkload(loaded, plan)) emit({ type: 'warning', message });
    // One tokenizer cuts the prompts of every target (they get the same prompts); `server`
    // calibrates on the first target's server.
    const first = [...live.values()][0];
    const model = first?.target.params?.model ?? spec.params.model;
    if (first) {
      await calibrateServerTokenizer(plan, {
        origin: first.target.base_url.replace(/\/v1\/?$/, ''),
        model: typeof model === 'string' ? model : undefined,
        chat: first.provider.kind !== 'openai-completions',
        post: postJson(first.target),
      });
    }
  }
  const rounds = plan.search ? 1 : plan.rounds;
  /** Request indices of round r still to send; undefined = all of them. */
  const missingIn = (c: Cell, round: number): Set<number> | undefined => {
    const gone = resume?.missing.get(c.id);
    if (!resume || !gone || c.requests === undefined) return undefined;
    // A workload runs one round (spec-checks.ts) and numbers its own requests (a conversation: by turn).
    if (plan.workload) return gone;
    const from = round * c.requests;
    return new Set([...gone].filter((i) => i >= from && i < from + c.requests!));
  };
  /** Requests this run sends for a cell (over all rounds); undefined for duration cells. */
  const todo = (c: Cell): number | undefined => {
    if (c.requests === undefined) return undefined;
    if (!resume) return c.requests * rounds;
    return resume.missing.get(c.id)?.size ?? 0;
  };
  // A search spends what its steps need: no total is known up front.
  const total =
    plan.search ? undefined : plan.cells.every((c) => c.requests !== undefined) ? plan.cells.reduce((s, c) => s + (todo(c) ?? 0), 0) : undefined;
  const states = new Map<string, CellState>();
  const stateOf = (c: Cell): CellState => {
    let st = states.get(c.id);
    if (!st) {
      st = {
        columns: resume?.columns.get(c.id) ?? new CellColumns(),
        next: resume?.next.get(c.id) ?? 0,
        serverTimings: {},
        started: false,
        finished: false,
      };
      states.set(c.id, st);
    }
    return st;
  };
  const turns = plan.search ? plan.cells.map((cell) => ({ cell, round: 0 })) : runOrder(plan);
  emit({ type: 'run-start', cells: plan.cells.length, requests: total });
  const urls = targetUrls(live);
  await writer.start({
    loaded,
    plan,
    baseUrl: Object.values(urls)[0] ?? opts.baseUrl ?? '',
    baseUrls: spec.targets ? urls : undefined,
    startedAt: resume?.startedAt,
  });
  // Each target's metrics (target.metrics), scraped while its cells run.
  const serverMetrics = new Map<string, RunMetrics | undefined>();

  /**
   * Whether the cell's target can take its requests (gRPC: the model ready, its tensors);
   * when not, the run stops on the reason (exit 3). True when the run is stopping.
   */
  const blockedBefore = async (cell: Cell): Promise<boolean> => {
    const t = live.get(cell.target)!;
    const transport = t.open(cell);
    let blocked: string | undefined;
    try {
      blocked = await transport.prepare(abort.signal);
    } finally {
      transport.close();
    }
    if (blocked && !fatal) {
      fatal = several ? `target ${t.name}: ${blocked}` : blocked;
      stop.abort();
    }
    return blocked !== undefined || stop.signal.aborted;
  };
  /**
   * Runs `cell` once against its target: its requests (or the missing ones, or one round of
   * the grid or of a search step) on top of `o.columns`, with client health watched. Rows go
   * to the writer as they end.
   */
  const runOnce = async (cell: Cell, o: RunOnce): Promise<CellRunOnce> => {
    const t = live.get(cell.target)!;
    const round = o.round ?? 0;
    emit({ type: 'cell-start', cell, position: o.position, of: o.of ?? turns.length, requests: o.only?.size || cell.requests, round, rounds });
    // The cell's own target: its transport on this thread, or a provider each worker builds from the target (data).
    const family = plan.workload?.families[cell.target];
    const exchanger = await openExchanger({ target: t.target, cell, prompts: plan.prompts, secrets: loaded.secrets, family }, t, opts.workers ?? spec.workers, abort.signal, (message) =>
      emit({ type: 'warning', message }),
    );
    const serverTimings = o.serverTimings ?? {};
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
        t.reached = true;
        if (result.firstTokenLateMs !== undefined) health.ttftDelay(result.firstTokenLateMs);
      }
      for (const [k, v] of Object.entries(result.serverTimings ?? {})) (serverTimings[k] ??= []).push(v);
      emit({ type: 'request-end', cell, record });
      const reason = fatalReason(record, result, t.target, t.reached) ?? assessor.budgetReached;
      if (reason && !fatal) {
        fatal = several && reason !== assessor.budgetReached ? `target ${t.name}: ${reason}` : reason;
        stop.abort();
      }
    };
    const health = watchClientHealth();
    let threads: Awaited<ReturnType<CellExchanger['close']>> = [];
    let scraping: Awaited<ReturnType<RunMetrics['beginCell']>> | undefined;
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
          scraping = await serverMetrics.get(cell.target)?.beginCell(cell.id);
        },
        promptTokens,
        columns: o.columns,
        onDispatchLag: (ms) => health.dispatchLag(ms),
        only: o.only && o.only.size > 0 ? o.only : undefined,
        firstIndex: o.firstIndex,
        round,
        source: planCellSource(loaded, plan, cell),
      });
      end = performance.now();
    } finally {
      threads = await exchanger.close();
      // A cell that threw: stop its scraping too, so no scrape outlives the run.
      if (!run) await scraping?.finish({ start: 0, end: 0 });
    }
    // The advice in a client-bound warning is fitted to the cell's own TTFT and latency.
    const sofar = summarize(cell, run.columns);
    const clientHealth = health.stop({
      ttftP50Ms: sofar.ttft_ms?.p50,
      latencyP50Ms: sofar.latency_ms?.p50,
      concurrency: cell.load.concurrency,
      rate: cell.load.rate,
    }, threads);
    if (clientHealth.bound) {
      emit({ type: 'warning', message: `cell ${cell.id}${rounds > 1 ? ` (round ${round + 1})` : ''}: client-bound (${clientHealth.reason})` });
    }
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
    return {
      columns: run.columns,
      client: clientHealth,
      serverMetrics: scraped,
      extras: Object.keys(extras).length > 0 ? extras : undefined,
      next: run.next,
    };
  };

  try {
    for (const t of live.values()) {
      serverMetrics.set(t.name, await setUpServerMetrics(t.target.metrics, t.metricsBaseUrl ?? t.target.base_url, writer, emit));
    }
    for (const [pos, { cell, round }] of turns.entries()) {
      if (stop.signal.aborted) break;
      if (plan.search) {
        if (await blockedBefore(cell)) break;
        const searched = await searchCell({
          searched: cell,
          position: pos + 1,
          plan: plan as Plan & { search: SearchPlan },
          spec,
          thresholds,
          stop: stop.signal,
          resume,
          runOnce,
          summarize,
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
      const st = stateOf(cell);
      if (st.finished) continue;
      if (resume && !resume.missing.has(cell.id)) {
        // Complete before the interruption: keep its rows and summary, send nothing.
        await finish(cell, st, resume.previous.get(cell.id));
        continue;
      }
      const only = missingIn(cell, round);
      const durationRoundDone = cell.requests === undefined && resume !== undefined && !resume.missing.get(cell.id)!.has(round);
      if ((only && only.size === 0) || durationRoundDone) {
        // This round of the cell was complete before the interruption.
        if (round === rounds - 1) await finish(cell, st, resume?.previous.get(cell.id));
        continue;
      }
      if (await blockedBefore(cell)) break;
      st.started = true;
      const run = await runOnce(cell, {
        position: pos + 1,
        // By group: the targets of one comparison get the same arrival times.
        seed: spec.seed + cell.group,
        columns: st.columns,
        only,
        firstIndex: cell.requests !== undefined ? round * cell.requests : st.next,
        round,
        serverTimings: st.serverTimings,
      });
      st.next = run.next;
      st.client = worseHealth(st.client, run.client);
      // With rounds, the server's metrics of the cell's last round.
      if (run.serverMetrics) st.serverMetrics = run.serverMetrics;
      if (run.extras) st.extras = { ...st.extras, ...run.extras };
      const summary = round === rounds - 1 ? await finish(cell, st) : summarize(cell, st.columns);
      emit({ type: 'cell-end', cell, summary, round, rounds });
    }
    // Cut short between rounds: a cell that ran some rounds still gets its summary.
    for (const cell of plan.cells) {
      const st = states.get(cell.id);
      if (st && st.started && !st.finished) await finish(cell, st);
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
  /** The index after the last request sent (a duration cell's next round starts there). */
  next: number;
}

/** How to run a cell once (see `runOnce`). */
export interface RunOnce {
  /** 1-based position of the (searched) cell, or of the turn, in the run, for progress. */
  position: number;
  /** Turns in the run, for progress (default: cells x rounds). */
  of?: number;
  /** Seed of its arrival times. */
  seed: number;
  /** Rows it already has: new ones are added to them. */
  columns: CellColumns;
  /** Only these request indices (of the whole cell, not counted from `firstIndex`). */
  only?: ReadonlySet<number>;
  /** Index of its first request here. */
  firstIndex?: number;
  /** 0-based round of the grid (`repeat_cells`). */
  round?: number;
  /** Where the server's own timings go (a cell's rounds share one); a fresh one by default. */
  serverTimings?: Record<string, number[]>;
}

/**
 * The cell's exchanges on this thread (one loop, with the target's provider) or spread over
 * worker threads (each builds the provider from `setup.target`); either way what the endpoint
 * teaches goes to the target's own memory.
 */
async function openExchanger(
  setup: Omit<CellSetup, 'sockets'>,
  live: Pick<LiveTarget, 'open' | 'memory'>,
  setting: WorkersSetting,
  signal: AbortSignal,
  warn: (message: string) => void,
): Promise<CellExchanger> {
  const concurrency = setup.cell.load.concurrency;
  const n = workersFor(setting, concurrency, undefined, isLoopbackUrl(setup.target.base_url));
  // Cheap: the target was checked before the cell (blockedBefore), and the outcome is kept.
  const oneLoop = async () => openCellExchanger(setup, await openPreparedTransport(live.open, setup.cell, concurrency, signal));
  if (n <= 1) return oneLoop();
  try {
    return await openWorkerExchanger({ ...setup, sockets: Math.ceil(concurrency / n) }, live.memory, n);
  } catch (e) {
    if (!(e instanceof WorkerStartError)) throw e;
    const said = workerStartProblem(setting, n, setup.cell.id, e);
    if ('fatal' in said) throw new RunError(said.fatal);
    warn(said.warning);
    return oneLoop();
  }
}

/**
 * What to say when a cell's worker threads could not start. A thread that cannot even load its
 * modules (a low open-file limit, little memory) is the machine's limit, not a bug: with auto
 * the cell falls back to the one loop that needs no thread; a number the user gave stops the run.
 */
export function workerStartProblem(setting: WorkersSetting, n: number, cell: string, e: WorkerStartError): { fatal: string } | { warning: string } {
  const why = `${n} worker threads could not start (${e.message})`;
  const fix = (e.reason as NodeJS.ErrnoException).code === 'EMFILE' ? 'raise the open-file limit (ulimit -n), or ' : '';
  if (setting !== 'auto') return { fatal: `${why}; ${fix}run with --workers 1` };
  return { warning: `cell ${cell}: ${why}; it runs on one event loop (${fix}set workers: 1 to skip the attempt)` };
}

function meanOf(m: Record<string, number[]>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, vs] of Object.entries(m)) out[k] = vs.reduce((a, b) => a + b, 0) / vs.length;
  return out;
}
