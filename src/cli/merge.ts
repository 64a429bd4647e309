import type { Command } from 'commander';
import { mergeShards, readShard, writeMerged } from '../results/merge.js';
import { terminalWidth } from '../ui/text-table.js';
import { colorEnabled, paint } from '../ui/color.js';
import { formatSummaryTable } from '../ui/summary-table.js';
import { formatThresholdFailures } from '../ui/threshold-lines.js';
import { action, EXIT } from './common.js';

interface MergeFlags {
  out: string;
  allowPartial?: boolean;
  quiet?: boolean;
  json?: boolean;
}

export function registerMerge(program: Command): void {
  program
    .command('merge')
    .description('merge shard results (run --shard k/n) into one result, as if the sweep had run whole')
    .argument('<dirs...>', 'results folders of the shards')
    .requiredOption('--out <dir>', 'folder for the merged result (new)')
    .option('--allow-partial', 'write the result even when cells are missing or a shard did not finish')
    .option('-q, --quiet', 'no progress lines on stderr; errors and the result are still shown')
    .option('--json', 'print the merged summary as JSON on stdout instead of the table')
    .addHelpText(
      'after',
      `
The inputs must come from the same spec (run.json spec_hash) and hold each planned cell
once. requests.csv is concatenated in plan order; summary.csv, run.json and the threshold
checks are rebuilt from the rows. Exit 1 when a threshold fails, as \`run\` would.`,
    )
    .action(action(mergeCommand));
}

function mergeCommand(dirs: string[], flags: MergeFlags): number {
  const inputs = dirs.map(readShard);
  const merged = mergeShards(inputs, { allowPartial: flags.allowPartial });
  writeMerged(flags.out, merged, inputs);
  const color = colorEnabled(process.stderr);
  for (const w of merged.warnings) process.stderr.write(`warning: ${w}\n`);
  if (merged.missing.length > 0) {
    process.stderr.write(`${paint('partial', 'yellow', color)}: ${merged.missing.length} planned cell(s) missing: ${merged.missing.join('  ')}\n`);
  }
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ out: flags.out, missing: merged.missing, cells: merged.summaries, thresholds: merged.thresholds }, null, 2)}\n`);
  } else if (merged.summaries.length > 0) {
    process.stdout.write(`${formatSummaryTable(merged.summaries, merged.axes, { color: colorEnabled(process.stdout), width: terminalWidth(process.stdout) })}\n`);
  }
  if (!flags.quiet) {
    process.stderr.write(
      `merged ${inputs.length} result(s): ${merged.summaries.length} cells, ${merged.records.length} requests -> ${flags.out}\n`,
    );
  }
  const failed = merged.thresholds.some((t) => t.status === 'fail');
  if (failed) process.stderr.write(formatThresholdFailures(merged.thresholds, color));
  return failed ? EXIT.failed : EXIT.ok;
}
