import { Option, type Command } from 'commander';
import { parseBy, sliceBy } from '../compare/by-axis.js';
import { COMPARE_DEFAULTS, compareResults } from '../compare/compare.js';
import { loadResult, type LoadedResult } from '../results/load.js';
import { defaultRulesFor, resolveRules } from '../compare/tolerances.js';
import { UserError } from '../errors.js';
import { formatCompareMarkdown, serializeCompareJson } from '../compare/format.js';
import { explainNoOverlap } from '../compare/no-overlap.js';
import { loadSpec } from '../spec/load.js';
import { colorEnabled } from '../ui/color.js';
import { formatCompareTable } from '../ui/compare-table.js';
import { action, collect, EXIT } from './common.js';

interface CompareFlags {
  rule?: string[];
  spec?: string;
  confidence: string;
  resamples: string;
  seed: string;
  test: boolean;
  strict?: boolean;
  allowEmpty?: boolean;
  json?: boolean;
  markdown?: boolean;
  by?: string;
  /** Deprecated: --json and --markdown replace it. */
  format?: string;
}

const FORMATS = ['table', 'markdown', 'json'] as const;

export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description('compare two results cell by cell (or one result by target, --by); exit 1 on a regression')
    .argument('<baseline>', 'results folder, or its summary.csv')
    .argument('[current]', 'results folder, or its summary.csv (not with --by)')
    .option('--by <axis[=value]>', 'compare within one result: its cells split by this axis (e.g. target), every value against the first (or against value)')
    .option('--rule <metric=tolerance>', 'regression rule, e.g. latency_ms.p95=+10% or error_rate=+0.01 (repeatable; replaces the spec rule for that metric)', collect)
    .option('--spec <file>', "take the compare: rules from this spec (default: the current result's run.json, else the baseline's)")
    .option('--confidence <level>', 'confidence level of the significance test', String(COMPARE_DEFAULTS.confidence))
    .option('--resamples <n>', 'bootstrap resamples', String(COMPARE_DEFAULTS.resamples))
    .option('--seed <n>', 'seed of the bootstrap (results are deterministic)', String(COMPARE_DEFAULTS.seed))
    .option('--no-test', 'decide on the point change alone, without the significance test')
    .option('--strict', 'fail when a cell is present on one side only')
    .option('--allow-empty', 'pass when the two results share no cell (default: exit 2, "no cells in common")')
    .option('--json', 'print the whole report as JSON on stdout')
    .option('--markdown', 'print markdown for $GITHUB_STEP_SUMMARY or a PR comment')
    .addOption(new Option('--format <format>', `deprecated: --json or --markdown (${FORMATS.join(', ')})`).hideHelp())
    .addHelpText(
      'after',
      `
A change counts as a regression when it is beyond the rule's tolerance and, when both
sides have requests.csv, significant: the bootstrap confidence interval of the change
excludes 0. Default rules (no compare: section, no --rule): latency_ms.p50 +10%,
latency_ms.p95 +10%, ttft_ms.p95 +10%, output_tokens_per_s -10%, error_rate +0.01,
completion_tokens_mean +10%. In GitHub Actions:
  llm-sweep compare baseline/ results/ --markdown | tee -a "$GITHUB_STEP_SUMMARY"
Within one sweep of several targets (docs/targets.md), gate the candidate on production:
  llm-sweep compare results/x/ --by target=production`,
    )
    .action(action(compareCommand));
}

function numberFlag(name: string, text: string, ok: (n: number) => boolean, what: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || !ok(n)) throw new UserError(`--${name} ${text}: expected ${what}`);
  return n;
}

/** The output asked for: --json or --markdown, or the deprecated --format. */
function outputOf(flags: CompareFlags): (typeof FORMATS)[number] {
  if (flags.json && flags.markdown) throw new UserError('--json and --markdown: give one of them');
  if (flags.format === undefined) return flags.json ? 'json' : flags.markdown ? 'markdown' : 'table';
  if (!(FORMATS as readonly string[]).includes(flags.format)) {
    throw new UserError(`--format ${flags.format}: expected one of ${FORMATS.join(', ')} (or use --json, --markdown)`);
  }
  if (flags.format !== 'table') process.stderr.write(`warning: --format ${flags.format} is deprecated; use --${flags.format}\n`);
  return flags.format as (typeof FORMATS)[number];
}

function compareCommand(baselinePath: string, currentPath: string | undefined, flags: CompareFlags): number {
  const output = outputOf(flags);
  const confidence = numberFlag('confidence', flags.confidence, (n) => n > 0 && n < 1, 'a level between 0 and 1, e.g. 0.95');
  const resamples = numberFlag('resamples', flags.resamples, (n) => Number.isInteger(n) && n >= 100, 'a whole number of at least 100');
  const seed = numberFlag('seed', flags.seed, Number.isInteger, 'a whole number');
  if (flags.by !== undefined && currentPath !== undefined) {
    throw new UserError(`--by ${flags.by} compares within one result; give one results folder (got ${baselinePath} and ${currentPath})`);
  }
  if (flags.by === undefined && currentPath === undefined) {
    throw new UserError(`compare needs a baseline and a current result, or one result with --by target (e.g. llm-sweep compare ${baselinePath} --by target)`);
  }
  const baseline = loadResult(baselinePath);
  const current = currentPath !== undefined ? loadResult(currentPath) : baseline;
  for (const w of new Set([...baseline.warnings, ...current.warnings])) process.stderr.write(`warning: ${w}\n`);
  const defaults = defaultRulesFor([...baseline.cells, ...current.cells].map((c) => c.summary as unknown as Record<string, unknown>));
  const rules = resolveRules(flags.rule ?? [], specRules(flags.spec, current, baseline), flags.spec ?? 'run.json spec', defaults);
  const opts = { rules, confidence, resamples, seed, test: flags.test, strict: Boolean(flags.strict) };
  const color = colorEnabled(process.stdout);
  if (flags.by === undefined) {
    const report = compareResults(baseline, current, opts);
    if (report.cells.length === 0 && !flags.allowEmpty) {
      // A gate that compared nothing must not pass: a renamed axis or a changed value would
      // otherwise turn every later regression into "no regressions".
      throw new UserError(
        [
          `no cells in common between ${baselinePath} and ${currentPath}: nothing was compared`,
          ...explainNoOverlap(baseline, current).map((l) => `  ${l}`),
          'compare results of the same grid, or pass --allow-empty to accept an empty comparison',
        ].join('\n'),
      );
    }
    if (output === 'json') process.stdout.write(serializeCompareJson(report));
    else if (output === 'markdown') process.stdout.write(formatCompareMarkdown(report));
    else process.stdout.write(`${formatCompareTable(report, color)}\n`);
    return report.passed ? EXIT.ok : EXIT.failed;
  }
  const by = parseBy(flags.by, baseline);
  const base = sliceBy(baseline, by.axis, by.baseline);
  const reports = by.values.map((value) => ({ value, report: compareResults(base, sliceBy(baseline, by.axis, value), opts) }));
  const empty = reports.filter((r) => r.report.cells.length === 0);
  if (empty.length > 0 && !flags.allowEmpty) {
    // The same rule within one result: a slice that shares no cell with the baseline compared nothing.
    throw new UserError(
      `--by ${flags.by}: ${empty.map((r) => `${by.axis} ${r.value}`).join(', ')} ran no cell with the same other parameters as ${by.axis} ${by.baseline}: nothing was compared; ` +
        'run both at the same values, or pass --allow-empty to accept an empty comparison',
    );
  }
  const passed = reports.every((r) => r.report.passed);
  if (output === 'json') {
    process.stdout.write(`${JSON.stringify({ by: by.axis, baseline: by.baseline, passed, reports }, null, 2)}\n`);
  } else {
    const parts = reports.map(({ value, report }) => {
      const title = `${by.axis} ${value} vs ${by.baseline}`;
      return output === 'markdown' ? `## ${title}\n\n${formatCompareMarkdown(report)}` : `${title}\n${formatCompareTable(report, color)}\n`;
    });
    process.stdout.write(parts.join('\n'));
  }
  return passed ? EXIT.ok : EXIT.failed;
}

function specRules(specFile: string | undefined, current: LoadedResult, baseline: LoadedResult): Record<string, string> | undefined {
  if (specFile) return loadSpec(specFile).spec.compare ?? {};
  const fromRun = (r: LoadedResult) => (r.run?.spec as { compare?: Record<string, string> } | undefined)?.compare;
  return fromRun(current) ?? fromRun(baseline);
}
