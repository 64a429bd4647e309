/**
 * One searched cell: its capacity search (search/strategy.ts) driven with real requests.
 * Every value the search measures is a cell of its own (the searched cell's values plus the
 * searched one, `m=llama3-8b,c=24`), run in rounds of `requests_per_step` requests: a later
 * round of the same value adds its requests to the ones before, with the request indices
 * going on. So requests.csv, summary.csv and run.json hold a search's steps as cells like
 * any others (resume, merge, compare and report read them as such), each with its
 * `search_step`.
 *
 * Resume replays the search: a round whose rows are on disk is judged from them and only
 * its missing requests are sent, so the same decisions are taken again and the search goes
 * on where it stopped.
 */
import { checkCapacity, compileThresholds } from '../compare/thresholds.js';
import type { Threshold, ThresholdResult } from '../compare/types.js';
import { CellColumns } from '../metrics/cell-columns.js';
import type { CellSummary, ClientHealth } from '../metrics/summary.js';
import { loadOf } from '../plan/build.js';
import { stepCell } from '../plan/search.js';
import type { Cell, Plan, SearchPlan } from '../plan/types.js';
import { mixSeed } from '../random.js';
import type { ResumeState } from '../results/resume.js';
import type { CellExtras } from '../results/run-json.js';
import { judgeSlo, judgeThresholds } from '../search/criterion.js';
import { capacityEntry, type CapacityEntry } from '../search/result.js';
import { searchCapacity } from '../search/strategy.js';
import type { Judgement, Measure } from '../search/types.js';
import type { Spec } from '../spec/schema.js';
import type { CellRunOnce, RunOnce } from './run-sweep.js';

export interface SearchCellContext {
  /** The cell searched: the rest of the grid's values, without the searched one. */
  searched: Cell;
  /** Its 1-based position in the plan. */
  position: number;
  plan: Plan & { search: SearchPlan };
  spec: Spec;
  /** The spec's top-level thresholds: the `capacity` ones are checked on the result. */
  thresholds: readonly Threshold[];
  stop: AbortSignal;
  resume?: ResumeState;
  runOnce(cell: Cell, o: RunOnce): Promise<CellRunOnce>;
  summarize(cell: Cell, columns: CellColumns): CellSummary;
  /** A step is done: its summary and rows go to the writer. */
  finishStep(cell: Cell, summary: CellSummary, columns: CellColumns, extras?: CellExtras): Promise<void>;
}

interface Step {
  cell: Cell;
  columns: CellColumns;
  /** Index of the step's next request. */
  next: number;
  client?: ClientHealth;
  serverMetrics?: CellSummary['server_metrics'];
  extras?: CellExtras;
  summary?: CellSummary;
  judgement?: Judgement;
}

/** Runs the search of one cell; undefined when it was stopped before it measured anything. */
export async function searchCell(x: SearchCellContext): Promise<{ entry: CapacityEntry; thresholds: ThresholdResult[] } | undefined> {
  const s = x.plan.search;
  const P = x.plan.prompts.length;
  const criterion = s.thresholds ? compileThresholds({ thresholds: s.thresholds, matrix: x.spec.matrix }, 'spec search') : undefined;
  const judge = (columns: CellColumns, summary: CellSummary): Judgement =>
    criterion ? judgeThresholds(criterion, columns, summary, s.confidence, x.spec.slo) : judgeSlo(columns, s.slo!, s.attainment, s.confidence);
  const steps: Step[] = [];
  let open: Step | undefined;

  const close = async (st: Step | undefined) => {
    if (!st?.summary) return;
    st.summary.search_step = st.cell.searchStep;
    st.summary.search_verdict = st.judgement?.verdict;
    await x.finishStep(st.cell, st.summary, st.columns, st.extras);
  };

  const measure: Measure = async (value, more, at) => {
    let st = steps[at.step];
    if (!st) {
      await close(open);
      const cell = stepCell(x.searched, { index: at.step, over: s.over, value }, (params) => loadOf(x.spec.params, params));
      st = { cell, columns: new CellColumns(), next: 0 };
      steps[at.step] = st;
      open = st;
    }
    const earlier = x.resume?.records?.get(st.cell.id) ?? [];
    const round = (o: { requests?: number; duration_s?: number; only?: Set<number>; firstIndex: number; warmup: boolean }) =>
      x.runOnce(
        { ...st.cell, requests: o.requests, duration_s: o.duration_s, warmup: o.warmup ? st.cell.warmup : 0 },
        {
          position: x.position,
          seed: mixSeed(x.spec.seed, x.searched.index, at.step, at.round),
          columns: st.columns,
          only: o.only,
          firstIndex: o.firstIndex,
        },
      );
    let ran: Awaited<ReturnType<typeof round>> | undefined;
    if ('requests' in more) {
      const from = at.round * more.requests;
      const to = from + more.requests;
      const have = new Set<number>();
      for (const r of earlier) {
        const i = r.repeat * P + r.prompt_id;
        if (i >= from && i < to && !have.has(i)) {
          have.add(i);
          st.columns.push(r);
        }
      }
      const missing = new Set<number>();
      for (let i = from; i < to; i++) if (!have.has(i)) missing.add(i);
      if (missing.size > 0 && !x.stop.aborted) {
        ran = await round({
          requests: more.requests,
          only: missing.size < more.requests ? missing : undefined,
          firstIndex: from,
          warmup: at.round === 0 && have.size === 0,
        });
      }
      st.next = to;
    } else if (at.round === 0 && earlier.length > 0) {
      // A duration round has no list of requests: one that left rows is done.
      let last = -1;
      for (const r of earlier) {
        st.columns.push(r);
        last = Math.max(last, r.repeat * P + r.prompt_id);
      }
      st.next = last + 1;
    } else if (!x.stop.aborted) {
      const before = st.columns.length;
      ran = await round({ duration_s: more.duration_s, firstIndex: st.next, warmup: at.round === 0 });
      st.next += st.columns.length - before;
    }
    if (ran) {
      st.client = ran.client;
      st.serverMetrics = ran.serverMetrics ?? st.serverMetrics;
      st.extras = ran.extras ?? st.extras;
    }
    const summary = x.summarize(st.cell, st.columns);
    const before = x.resume?.previous.get(st.cell.id);
    summary.client = st.client ?? before?.client;
    const scraped = st.serverMetrics ?? before?.server_metrics;
    if (scraped) summary.server_metrics = scraped;
    st.summary = summary;
    st.judgement = judge(st.columns, summary);
    return {
      judgement: st.judgement,
      requests: st.columns.length,
      goodput_rps: summary.goodput_rps,
      output_tokens_per_s: summary.output_tokens_per_s,
    };
  };

  const result = await searchCapacity(
    {
      over: s.over,
      min: s.min,
      max: s.max,
      budget: s.durationPerStep !== undefined ? { duration_s: s.durationPerStep } : { requests: s.requestsPerStep! },
      maxRounds: s.maxRounds,
      maxSteps: s.maxSteps,
      tolerance: s.tolerance,
    },
    measure,
    x.stop,
  );
  await close(open);
  if (result.steps.length === 0) return undefined;
  const entry = capacityEntry(
    { cell: x.searched.id, params: x.searched.params },
    result,
    s.confidence,
    steps.map((st) => st.cell.id),
  );
  return { entry, thresholds: checkCapacity(x.thresholds, entry) };
}
