import type { Command } from 'commander';
import { specJsonSchema } from '../spec/json-schema.js';
import { action } from './common.js';

export function registerSchema(program: Command): void {
  program
    .command('schema')
    .description('print the JSON Schema of the spec, for editor completion')
    .action(
      action(() => {
        process.stdout.write(`${JSON.stringify(specJsonSchema(), null, 2)}\n`);
      }),
    );
}
