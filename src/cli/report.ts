import { writeFileSync, renameSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { serializeSummaryCsv } from '../results/summary-csv.js';
import { checkResultsDir, readRunJson, writeReport } from '../results/exporters/report-html.js';
import { action, EXIT } from './common.js';

interface ReportFlags {
  out?: string;
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('rebuild report.html and summary.csv of a results folder from its requests.csv')
    .argument('<results-dir>', 'a folder written by `llm-sweep run`')
    .option('--out <file>', 'write the report here instead of <results-dir>/report.html')
    .action(action(reportCommand));
}

function reportCommand(dirArg: string, flags: ReportFlags): number {
  const dir = resolve(dirArg);
  checkResultsDir(dir);
  const run = readRunJson(dir);
  const written = writeReport(dir, run, { out: flags.out ? resolve(flags.out) : undefined });
  const summaryPath = join(dir, 'summary.csv');
  writeFileSync(`${summaryPath}.tmp`, serializeSummaryCsv(written.cells, written.axes));
  renameSync(`${summaryPath}.tmp`, summaryPath);
  process.stdout.write(`${written.path}\n`);
  return EXIT.ok;
}
