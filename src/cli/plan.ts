import type { Command } from 'commander';
import { estimatePlanCost } from '../cost/plan-estimate.js';
import type { Cell, Plan } from '../plan/types.js';
import { planCellTotals } from '../plan/workloads/plan-workload.js';
import type { LoadedSpec } from '../spec/load.js';
import { colorEnabled } from '../ui/color.js';
import { formatPlan, formatWarnings, planJson } from '../ui/plan-table.js';
import { action, checkPlanSize, collect, loadPrepared, targetOptions, type SpecFlags } from './common.js';

interface PlanFlags extends SpecFlags {
  json?: boolean;
  yes?: boolean;
}

export function registerPlan(program: Command): void {
  const cmd = program
    .command('plan')
    .description('expand the spec into cells and print them with request counts (and, with pricing, estimated tokens and cost); sends nothing')
    .argument('<spec>', 'sweep spec (YAML)')
    .option('--set <key=value>', 'override a spec value by dotted path (repeatable), e.g. --set matrix.temperature=[0,1]', collect)
    .option('--shard <k/n>', 'only the cells of shard k of n (1-based), e.g. --shard 2/4');
  targetOptions(cmd)
    .option('--json', 'print the plan as JSON on stdout')
    .option('--yes', 'allow a plan of more than 10,000 cells')
    .action(
      action(async (file: string, flags: PlanFlags) => {
        const { loaded, plan, warnings } = await loadPrepared(file, flags);
        checkPlanSize(plan, flags.yes);
        process.stderr.write(formatWarnings(warnings, colorEnabled(process.stderr)));
        if (flags.json) {
          const estimate = estimatePlanCost(loaded.spec, plan);
          const totals = (c: Cell) => planCellTotals(loaded, plan, c);
          process.stdout.write(`${JSON.stringify({ ...(planJson(plan, estimate, totals) as object), warnings }, null, 2)}\n`);
        } else process.stdout.write(`${planText(loaded, plan, file)}\n`);
      }),
    );
}

/** The plan table as `plan` and `run --dry-run` print it: with pricing, the estimate too. */
export function planText(loaded: LoadedSpec, plan: Plan, file: string): string {
  const estimate = estimatePlanCost(loaded.spec, plan);
  const totals = (c: Cell) => planCellTotals(loaded, plan, c);
  return formatPlan(plan, { color: colorEnabled(process.stdout), source: file, estimate, currency: loaded.spec.pricing?.currency, totals });
}
