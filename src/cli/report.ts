import { resolve } from 'node:path';
import type { Command } from 'commander';
import { rebuildReport } from '../results/rebuild.js';
import { action, boundHeapGrowth, EXIT } from './common.js';

interface ReportFlags {
  out?: string;
  json?: boolean;
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('rebuild report.html and summary.csv of a results folder from its requests.csv')
    .argument('<results-dir>', 'a folder written by `llm-sweep run`')
    .option('--out <dir>', 'write report.html and summary.csv into this folder instead of <results-dir>')
    .option('--json', 'print the paths written as JSON on stdout')
    .action(action(reportCommand));
}

function reportCommand(dirArg: string, flags: ReportFlags): number {
  const dir = resolve(dirArg);
  boundHeapGrowth();
  let written;
  if (flags.out && /\.html?$/i.test(flags.out)) {
    // Before --out meant a folder everywhere, report took a file; still accepted.
    process.stderr.write(`warning: --out ${flags.out}: a file for --out is deprecated; give a folder (report.html and summary.csv go there)\n`);
    written = rebuildReport(dir, dir, resolve(flags.out));
  } else {
    written = rebuildReport(dir, flags.out ? resolve(flags.out) : dir);
  }
  if (flags.json) process.stdout.write(`${JSON.stringify(written, null, 2)}\n`);
  else process.stdout.write(`${written.report}\n`);
  return EXIT.ok;
}
