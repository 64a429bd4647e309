/**
 * The public API: run a sweep from code, as the CLI does, without the CLI. Nothing here
 * prints or exits; progress arrives as events (`onEvent`).
 *
 *   const loaded = loadSpec('sweep.yaml');
 *   const plan = buildPlan(loaded);
 *   const endpoint = await startEndpoint(loaded.spec.target);
 *   try {
 *     const result = await runSweep({ loaded, plan, baseUrl: endpoint.baseUrl, outDir: 'results/x' });
 *   } finally {
 *     await endpoint.stop();
 *   }
 */
export { UserError, RunError } from './errors.js';
export { loadSpec, type LoadedSpec, type LoadOptions } from './spec/load.js';
export { parseOverride, type Override } from './spec/overrides.js';
export { specJsonSchema } from './spec/json-schema.js';
export type { Spec, Target, SimulatorOptions, ProviderKind } from './spec/schema.js';
export { buildPlan, planTotals, type PlanOptions } from './plan/build.js';
export { parseShard } from './plan/shard.js';
export type { Plan, Cell, Prompt, Shard, LoadSettings } from './plan/types.js';
export { runSweep, type SweepOptions, type SweepResult } from './runner/run-sweep.js';
export { startEndpoint, type Endpoint } from './runner/endpoint.js';
export type { RunEvent, RunListener } from './runner/types.js';
export type { RequestRecord, ErrorKind } from './records/types.js';
export { readRequestsCsv } from './results/read-requests.js';
export { summarizeCell, type CellSummary, type ClientHealth, type Slo } from './metrics/summary.js';
export { percentile, stats, type Stats } from './metrics/stats.js';
export { compareResults } from './compare/compare.js';
export { loadResult } from './results/load.js';
export { startSimulator } from './simulator/server.js';
export { startBuiltinSimulator } from './simulator/spawn.js';
export { VERSION } from './version.js';
