import { existsSync, statSync } from 'node:fs';
import { relative, resolve, join } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { RunError, UserError } from '../errors.js';
import { targetsOf } from '../compare/targets.js';
import { loadResult } from '../results/load.js';
import { loadResume } from '../results/resume.js';
import { folderWriter } from '../results/writer.js';
import type { SweepResult } from '../runner/run-sweep.js';
import type { WorkersSetting } from '../runner/worker-count.js';
import { startEndpoints } from '../runner/endpoint.js';
import { terminalWidth } from '../ui/text-table.js';
import { colorEnabled, paint } from '../ui/color.js';
import { createProgress } from '../ui/progress.js';
import { formatWarnings } from '../ui/plan-table.js';
import { planText } from './plan.js';
import { clientWarnings, formatSummaryTable, tokenWarnings } from '../ui/summary-table.js';
import { formatTargetsTable } from '../ui/targets-table.js';
import { formatCapacityLines } from '../ui/capacity-line.js';
import { formatThresholdFailures } from '../ui/threshold-lines.js';
import { plannedRequests } from '../plan/workloads/plan-workload.js';
import { action, boundHeapGrowth, checkPlanSize, collect, EXIT, loadPrepared, targetOptions, tightHeapGrowth, type SpecFlags } from './common.js';

interface RunFlags extends SpecFlags {
  out?: string;
  resume?: string;
  quiet?: boolean;
  json?: boolean;
  dryRun?: boolean;
  yes?: boolean;
  maxCost?: number;
  workers?: WorkersSetting;
}

export function registerRun(program: Command): void {
  const cmd = program
    .command('run')
    .description('run every cell of the spec (with search: in it, find each cell\'s capacity), write results, print the summary table')
    .argument('<spec>', 'sweep spec (YAML)')
    .option('--out <dir>', 'results folder (default: <output.dir>/<name>/<timestamp>)')
    .option('--resume <dir>', 'finish an interrupted run in <dir>: send only the requests missing from its requests.csv')
    .option('--set <key=value>', 'override a spec value by dotted path (repeatable)', collect)
    .option('--shard <k/n>', 'run only shard k of n (whole cells); auto/n takes k from JOB_COMPLETION_INDEX');
  targetOptions(cmd)
    .option('-q, --quiet', 'no progress lines on stderr; errors and the result are still shown')
    .option('--json', 'print the summary as JSON on stdout instead of the table')
    .option('--dry-run', 'expand and print the plan; send nothing (same as `plan`)')
    .option('--yes', 'allow a plan of more than 10,000 cells')
    .option(
      '--max-cost <n>',
      'most the run may spend, in the pricing currency (over budget.max_cost): over the estimate it does not start, at the limit it stops (exit 3)',
      parseCost,
    )
    .option(
      '--workers <auto|n>',
      "event loops (worker threads) that send and time each cell's requests, over the spec's workers: (default auto: one per 256 in flight, at most one per core, less one for a server on this machine)",
      parseWorkers,
    )
    .addHelpText(
      'after',
      `
Ctrl-C or SIGTERM: stop sending, let requests in flight finish (5 s), write every file,
exit 130; a second Ctrl-C cuts requests in flight at once. Every row is written as its
request ends, so --resume <dir> later sends exactly what is missing, also after a crash.
A results folder that cannot be written (full disk, read-only) stops the run: exit 3.`,
    )
    .action(action(runCommand));
}

export function timestamp(d = new Date()): string {
  return d.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
}

async function runCommand(file: string, flags: RunFlags): Promise<number> {
  if (!flags.dryRun) tightHeapGrowth();
  const { loaded, plan, warnings } = await loadPrepared(file, flags);
  if (!flags.dryRun) boundHeapGrowth();
  checkPlanSize(plan, flags.yes);
  if (flags.maxCost !== undefined && !loaded.spec.pricing) {
    throw new UserError('--max-cost needs prices: add a pricing: section to the spec (see docs/cost.md)');
  }
  const color = colorEnabled(process.stderr);
  process.stderr.write(formatWarnings(warnings, color));
  if (flags.dryRun) {
    process.stdout.write(`${planText(loaded, plan, file)}\n`);
    return EXIT.ok;
  }
  if (flags.resume && flags.out && resolve(flags.out) !== resolve(flags.resume)) {
    throw new UserError('--resume writes into the folder it resumes; drop --out');
  }
  const outDir = resolve(flags.resume ?? flags.out ?? join(loaded.spec.output.dir, loaded.name, timestamp()));
  const resume = flags.resume ? loadResume(outDir, loaded.hash, plan, (c) => plannedRequests(loaded, plan, c)) : undefined;
  if (!resume && hasRows(join(outDir, 'requests.csv'))) {
    throw new UserError(
      `${outDir} already holds a run (requests.csv); pass --resume ${flags.out ?? outDir} to finish it, or choose another --out`,
    );
  }
  const resumeCommand = resumeCommandFor(file, flags, outDir);
  const progress = await createProgress({
    quiet: Boolean(flags.quiet),
    color,
    resumeCommand,
    // Tests and impatient CI logs can ask for more frequent plain progress lines.
    intervalMs: Number(process.env.LLM_SWEEP_PROGRESS_MS) || undefined,
  });
  const controller = new AbortController();
  const cut = new AbortController();
  let interrupts = 0;
  // SIGTERM (timeout, CI runners, Kubernetes) is treated as Ctrl-C: stop, let requests in
  // flight finish for the grace period, write everything, exit 130.
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) controller.abort();
    else if (interrupts === 2) {
      progress.note('interrupted again: cutting requests in flight');
      cut.abort();
    }
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  // Loaded here, not at startup: the tokenizer behind it costs ~0.2 s that plan/validate
  // should not pay.
  const { runSweep } = await import('../runner/run-sweep.js');
  const endpoint = await startEndpoints(plan, { dir: loaded.dir, tokenizer: plan.workload?.tokenizer });
  let result: SweepResult;
  try {
    result = await runSweep({
      loaded,
      plan,
      baseUrls: endpoint.baseUrls,
      metricsBaseUrls: endpoint.metricsBaseUrls,
      writer: folderWriter(outDir, loaded.spec.output),
      signal: controller.signal,
      cut: cut.signal,
      graceMs: 5000,
      onEvent: progress.listener,
      resume,
      maxCost: flags.maxCost,
      workers: flags.workers,
    });
  } finally {
    progress.stop();
    await endpoint.stop();
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
  // Several targets: side by side, tested on the rows just written (the one typed view of them).
  const targets = new Set(plan.cells.map((c) => c.target)).size > 1 && result.summaries.length > 0
    ? targetsOf(loadResult(outDir).cells)
    : undefined;
  if (flags.json) {
    const doc = {
      out: outDir,
      interrupted: result.interrupted,
      fatal: result.fatal ?? null,
      cells: result.summaries,
      thresholds: result.thresholds,
      budget: result.budget ?? null,
      ...(result.capacity ? { capacity: result.capacity } : {}),
    };
    process.stdout.write(`${JSON.stringify(targets ? { ...doc, targets } : doc, null, 2)}\n`);
  } else if (result.summaries.length > 0) {
    process.stdout.write(
      `${formatSummaryTable(result.summaries, plan.axes, { color: colorEnabled(process.stdout), width: terminalWidth(process.stdout), currency: loaded.spec.pricing?.currency })}\n`,
    );
    if (targets) process.stdout.write(`\n${formatTargetsTable(targets, colorEnabled(process.stdout))}\n`);
    if (result.capacity?.length) process.stdout.write(formatCapacityLines(result.capacity));
  }
  const tokenizer = plan.workload?.prepared?.tokenizer;
  for (const w of [...clientWarnings(result.summaries), ...tokenWarnings(result.summaries, tokenizer)]) {
    process.stderr.write(`${paint(w, 'yellow', color)}\n`);
  }
  if (!flags.quiet) process.stderr.write(`results: ${outDir}\n`);
  const thresholdFailed = result.thresholds.some((t) => t.status === 'fail');
  if (thresholdFailed) process.stderr.write(formatThresholdFailures(result.thresholds, color));
  if (result.budget?.reached) {
    process.stderr.write(
      `the rows so far are kept; to go on: ${resumeCommand} --max-cost <more than ${result.budget.max}>\n`,
    );
  }
  if (result.fatal) throw new RunError(result.fatal);
  if (result.interrupted) {
    process.stderr.write(`${paint('interrupted', 'yellow', color)}: finished rows are saved; to send the rest: ${resumeCommand}\n`);
    return EXIT.interrupted;
  }
  return thresholdFailed ? EXIT.failed : EXIT.ok;
}

function parseCost(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number (in the pricing currency)');
  return n;
}

function parseWorkers(value: string): WorkersSetting {
  if (value === 'auto') return 'auto';
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 64) throw new InvalidArgumentError('expected auto or a whole number from 1 to 64');
  return n;
}

/**
 * The exact command that finishes this run: the same spec, the same --set and --shard (the
 * spec hash must match), --resume on the folder. Paths relative to the working directory.
 */
export function resumeCommandFor(file: string, flags: Pick<RunFlags, 'set' | 'shard'>, outDir: string): string {
  const rel = relative(process.cwd(), outDir);
  const dir = rel === '' ? '.' : rel.startsWith('..') ? outDir : rel;
  const args = ['llm-sweep', 'run', file, ...(flags.set ?? []).flatMap((s) => ['--set', s]), ...(flags.shard ? ['--shard', flags.shard] : []), '--resume', dir];
  return args.map(shellQuote).join(' ');
}

/** An argument as a POSIX shell reads it back: bare when safe, else in single quotes. */
function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function hasRows(path: string): boolean {
  return existsSync(path) && statSync(path).size > 0;
}
