/**
 * The public API: run a sweep from code, as the CLI does, without the CLI. Nothing here
 * prints or exits; progress arrives as events (`onEvent`).
 *
 *   const loaded = loadSpec('sweep.yaml', { environment: 'staging' });   // --env, if any
 *   const plan = buildPlan(loaded);
 *   const endpoints = await startEndpoints(plan, { dir: loaded.dir, tokenizer: plan.workload?.tokenizer });   // every target's URL; simulators for builtin ones
 *   try {
 *     // A results folder, as `llm-sweep run` writes it:
 *     const result = await runSweep({ loaded, plan, baseUrls: endpoints.baseUrls, outDir: 'results/x' });
 *     // Or in memory, touching no disk: `writer.run` is the run.json document, `writer.records` every row.
 *     const writer = memoryWriter();
 *     await runSweep({ loaded, plan, baseUrls: endpoints.baseUrls, writer });
 *   } finally {
 *     await endpoints.stop();
 *   }
 *
 * With several targets, `targetsOf(loadResult(dir).cells)` gives them side by side.
 */
import { folderWriter } from './results/writer.js';
import type { ResultWriter } from './results/types.js';
import { runSweep as runWith, type SweepOptions as RunnerOptions, type SweepResult } from './runner/run-sweep.js';

export { UserError, RunError } from './errors.js';
export { loadSpec, type LoadedSpec, type LoadOptions } from './spec/load.js';
export { parseOverride, type Override } from './spec/overrides.js';
export { specJsonSchema } from './spec/json-schema.js';
export type { Spec, Target, SimulatorOptions, ProviderKind } from './spec/schema.js';
export { buildPlan, planTotals, type PlanOptions } from './plan/build.js';
export { parseShard } from './plan/shard.js';
export { preparePlanWorkload, planCellTotals } from './plan/workloads/plan-workload.js';
export type { WorkloadSpec } from './plan/workloads/schema.js';
export type { Plan, Cell, CellTurn, Prompt, Shard, LoadSettings } from './plan/types.js';
export type { SweepResult };
export { startEndpoint, startEndpoints, type Endpoint, type Endpoints } from './runner/endpoint.js';
export { cellTarget } from './plan/targets.js';
export { runOrder } from './plan/order.js';
export { compareTargets, targetsOf, type TargetsComparison } from './compare/targets.js';
export type { RunEvent, RunListener } from './runner/types.js';
export type { RequestRecord, ErrorKind } from './records/types.js';
export { readRequests, parseRequestsCsv } from './results/read-requests.js';
export { loadResult, type LoadedResult, type ResultCell } from './results/load.js';
export { folderWriter, memoryWriter } from './results/writer.js';
export type { ResultWriter, Exporter, Export, FinishedCell, OutputFormat } from './results/types.js';
export type { RunJson } from './results/run-json.js';
export { summarizeCell, type CellSummary, type ClientHealth, type Slo } from './metrics/summary.js';
export { percentile, stats, type Stats } from './metrics/stats.js';
export { compareResults } from './compare/compare.js';
export { estimatePlanCost } from './cost/plan-estimate.js';
export { wilsonInterval, normalQuantile } from './metrics/wilson.js';
export { searchCapacity } from './search/strategy.js';
export { judgeProportion, judgeSlo, judgeThresholds } from './search/criterion.js';
export type { CapacityResult, Measure, SearchOptions, SearchStep, StepObservation, Judgement } from './search/types.js';
export type { CapacityEntry } from './search/result.js';
export { impliedCapacity, closedLoopState, openLoopState, saturationRate } from './simulator/steady-state.js';
export { startSimulator } from './simulator/server.js';
export { startBuiltinSimulator } from './simulator/spawn.js';
export { VERSION } from './version.js';

/** `runSweep`'s options: results go to `writer`, or to a results folder at `outDir`. */
export type SweepOptions = Omit<RunnerOptions, 'writer'> & { writer?: ResultWriter; outDir?: string };

/** Runs every cell of `plan`; see the example at the top of this file. */
export function runSweep(opts: SweepOptions): Promise<SweepResult> {
  const writer = opts.writer ?? (opts.outDir !== undefined ? folderWriter(opts.outDir, opts.loaded.spec.output) : undefined);
  if (!writer) throw new TypeError('runSweep: give a writer (memoryWriter(), folderWriter(dir, output)) or an outDir');
  return runWith({ ...opts, writer });
}
