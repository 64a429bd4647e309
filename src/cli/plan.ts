import type { Command } from 'commander';
import { colorEnabled } from '../ui/color.js';
import { formatPlan, formatWarnings, planJson } from '../ui/plan-table.js';
import type { Cell } from '../plan/types.js';
import { planCellTotals } from '../plan/workloads/plan-workload.js';
import { action, checkPlanSize, collect, loadPrepared, type SpecFlags } from './common.js';

interface PlanFlags extends SpecFlags {
  json?: boolean;
  yes?: boolean;
}

export function registerPlan(program: Command): void {
  program
    .command('plan')
    .description('expand the spec into cells and print them with request counts; sends nothing')
    .argument('<spec>', 'sweep spec (YAML)')
    .option('--set <key=value>', 'override a spec value by dotted path (repeatable), e.g. --set matrix.temperature=[0,1]', collect)
    .option('--shard <k/n>', 'only the cells of shard k of n (1-based), e.g. --shard 2/4')
    .option('--json', 'print the plan as JSON on stdout')
    .option('--yes', 'allow a plan of more than 10,000 cells')
    .action(
      action(async (file: string, flags: PlanFlags) => {
        const { loaded, plan, warnings } = await loadPrepared(file, flags);
        checkPlanSize(plan, flags.yes);
        process.stderr.write(formatWarnings(warnings, colorEnabled(process.stderr)));
        const totals = (c: Cell) => planCellTotals(loaded, plan, c);
        if (flags.json) process.stdout.write(`${JSON.stringify({ ...(planJson(plan, totals) as object), warnings }, null, 2)}\n`);
        else process.stdout.write(`${formatPlan(plan, { color: colorEnabled(process.stdout), source: file, totals })}\n`);
      }),
    );
}
