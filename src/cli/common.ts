/**
 * What every command shares: turning errors into exit codes and messages, and loading a
 * spec with the --set/--shard flags applied.
 */
import { setFlagsFromString } from 'node:v8';
import type { Command } from 'commander';
import { buildPlan } from '../plan/build.js';
import { parseShard } from '../plan/shard.js';
import type { Plan } from '../plan/types.js';
import { preparePlanWorkload } from '../plan/workloads/plan-workload.js';
import { RunError, UserError } from '../errors.js';
import { pricingSpecProblems } from '../cost/spec-problems.js';
import { providerProblems } from '../providers/check-params.js';
import { loadSpec, type LoadedSpec } from '../spec/load.js';
import { parseOverride } from '../spec/overrides.js';
import { scrubber } from '../spec/redact.js';
import { colorEnabled, paint } from '../ui/color.js';
import { formatInt } from '../ui/format.js';

export const EXIT = { ok: 0, failed: 1, usage: 2, run: 3, internal: 4, interrupted: 130 } as const;

export interface GlobalOptions {
  debug?: boolean;
}

let debug = false;
export function setDebug(on: boolean): void {
  debug = on;
}

/** Wraps a command action: user errors print cleanly and exit 2, run errors exit 3. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<number | void> | number | void) {
  return async (...args: A): Promise<void> => {
    try {
      const code = await fn(...args);
      process.exitCode = code ?? EXIT.ok;
    } catch (e) {
      process.exitCode = reportError(e);
    }
  };
}

export function reportError(e: unknown): number {
  const color = colorEnabled(process.stderr);
  if (e instanceof UserError) {
    for (const p of e.problems) process.stderr.write(`${paint('error', 'red', color)}: ${p}\n`);
    if (e.problems.length > 1) process.stderr.write(`${e.problems.length} problems\n`);
    if (debug && e.stack) process.stderr.write(`${e.stack}\n`);
    return EXIT.usage;
  }
  if (e instanceof RunError) {
    process.stderr.write(`${paint('error', 'red', color)}: ${e.message}\n`);
    if (debug && e.stack) process.stderr.write(`${e.stack}\n`);
    return EXIT.run;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  process.stderr.write(`${paint('internal error', 'red', color)}: ${err.message}\n`);
  process.stderr.write(debug ? `${err.stack}\n` : 'Run again with --debug for a stack trace, and please report it.\n');
  return EXIT.internal;
}

export interface SpecFlags {
  set?: string[];
  shard?: string;
  /** `--env NAME`: the spec's environment to merge over it. */
  env?: string;
  /** `--target NAME`: only that named target's cells. */
  target?: string;
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** The flags that pick an environment and a target, for run, plan and validate. */
export function targetOptions(cmd: Command): Command {
  return cmd
    .option('--env <name>', 'merge environment <name> of the spec (environments:) over it, before --set')
    .option('--target <name>', 'run only the cells of target <name> (of targets:); cell ids stay those of the whole sweep');
}

export function loadFromFlags(file: string, flags: SpecFlags): { loaded: LoadedSpec; plan: Plan } {
  const overrides = (flags.set ?? []).map(parseOverride);
  const shard = flags.shard !== undefined ? parseShard(flags.shard) : undefined;
  const loaded = loadSpec(file, { overrides, environment: flags.env });
  guardOutput(loaded.secrets);
  const plan = buildPlan(loaded, { shard, target: flags.target });
  const problems = [...providerProblems(loaded, plan), ...pricingSpecProblems(loaded, plan)];
  if (problems.length > 0) throw new UserError(problems.join('\n'), problems);
  return { loaded, plan };
}

/**
 * loadFromFlags, with the plan's workload prepared (the tokenizer loaded, the dataset
 * sampled or the trace read), so a bad dataset row is an error here, at validate time.
 */
export async function loadPrepared(file: string, flags: SpecFlags): Promise<{ loaded: LoadedSpec; plan: Plan; warnings: string[] }> {
  const { loaded, plan } = loadFromFlags(file, flags);
  const workload = await preparePlanWorkload(loaded, plan);
  return { loaded, plan, warnings: [...(loaded.warnings ?? []), ...(plan.warnings ?? []), ...workload] };
}

/**
 * From here on, nothing printed on stdout or stderr holds a secret of the spec (in any of
 * its forms): the summary table shows matrix values, messages quote URLs and servers, and
 * the progress display writes through the same streams. The last line of defence; files
 * are scrubbed by the writer.
 */
export function guardOutput(secrets: readonly string[]): void {
  if (secrets.length === 0) return;
  const scrub = scrubber(secrets);
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) =>
      write(typeof chunk === 'string' ? scrub(chunk) : Buffer.isBuffer(chunk) ? scrub(chunk.toString('utf8')) : chunk, ...rest)) as typeof stream.write;
  }
}

export const MAX_CELLS_WITHOUT_YES = 10_000;

export function checkPlanSize(plan: Plan, yes: boolean | undefined): void {
  if (plan.totalCells > MAX_CELLS_WITHOUT_YES && !yes) {
    throw new UserError(
      `the plan has ${formatInt(plan.totalCells)} cells (over ${formatInt(MAX_CELLS_WITHOUT_YES)}); ` +
        'narrow the matrix, or pass --yes if you mean it',
    );
  }
}

/**
 * A run's live heap is small and flat (modules, the in-flight requests, a cell's columns),
 * but every request allocates ~80 KB that dies young, and the requests in flight at each
 * scavenge get promoted. With GC this cheap, V8 lets the old generation grow to 4x the live
 * size before collecting it, which made the heap, not the data, most of the peak RSS
 * (~190 MB for any run of 10,000+ requests). Growing by at most 2x keeps the peak near
 * 150 MB for a few more ~6 ms mark-compacts. A tuning knob of V8's own, read at every
 * collection; the process is ours (`run` and `report`, which streams a whole requests.csv through the same short-lived objects).
 */
export function boundHeapGrowth(): void {
  setFlagsFromString('--heap-growing-percent=100');
}

/**
 * Tighter still while a workload is prepared: sampling a big dataset streams the whole file
 * through short-lived strings while the tokenizer's ~50 MB are live, so each collection
 * would let the heap grow by that much again. 25% costs a few more collections during the
 * scan (1 GB of JSONL: ~215 -> ~185 MB peak RSS). boundHeapGrowth() after it.
 */
export function tightHeapGrowth(): void {
  setFlagsFromString('--heap-growing-percent=25');
}
