import type { Command } from 'commander';
import { planTotals } from '../plan/build.js';
import { action, collect, loadFromFlags, type SpecFlags } from './common.js';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check a spec and its prompt files; print every problem as file:line:col')
    .argument('<spec>', 'sweep spec (YAML)')
    .option('--set <key=value>', 'override a spec value by dotted path (repeatable)', collect)
    .action(
      action((file: string, flags: SpecFlags) => {
        const { plan } = loadFromFlags(file, flags);
        const t = planTotals(plan);
        process.stdout.write(
          `${file}: ok — ${t.cells} cell${t.cells === 1 ? '' : 's'}, ${plan.prompts.length} prompt${plan.prompts.length === 1 ? '' : 's'}` +
            `${t.requests !== undefined ? `, ${t.requests} requests` : ''}\n`,
        );
      }),
    );
}
