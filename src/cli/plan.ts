import type { Command } from 'commander';
import { colorEnabled } from '../ui/color.js';
import { formatPlan, planJson } from '../ui/plan-table.js';
import { action, checkPlanSize, collect, loadFromFlags, type SpecFlags } from './common.js';

interface PlanFlags extends SpecFlags {
  json?: boolean;
  yes?: boolean;
}

export function registerPlan(program: Command): void {
  program
    .command('plan')
    .description('expand the spec into cells and print them with request counts; sends nothing')
    .argument('<spec>', 'sweep spec (YAML)')
    .option('--set <key=value>', 'override a spec value by dotted path (repeatable)', collect)
    .option('--shard <k/n>', 'only the cells of shard k of n')
    .option('--json', 'print the plan as JSON on stdout')
    .option('--yes', 'allow a plan of more than 10,000 cells')
    .action(
      action((file: string, flags: PlanFlags) => {
        const { plan } = loadFromFlags(file, flags);
        checkPlanSize(plan, flags.yes);
        if (flags.json) process.stdout.write(`${JSON.stringify(planJson(plan), null, 2)}\n`);
        else process.stdout.write(`${formatPlan(plan, { color: colorEnabled(process.stdout), source: file })}\n`);
      }),
    );
}
