import type { Command } from 'commander';
import { resultsJsonSchema } from '../results/schema.js';
import { specJsonSchema } from '../spec/json-schema.js';
import { action } from './common.js';

export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description('print the JSON Schema of the spec, for editor completion')
    .option('--results', 'print the JSON Schema of a results folder instead (run.json, a row of requests.csv and of summary.csv)')
    .action(
      action((flags: { results?: boolean }) => {
        process.stdout.write(`${JSON.stringify(flags.results ? resultsJsonSchema() : specJsonSchema(), null, 2)}\n`);
      }),
    );
}
