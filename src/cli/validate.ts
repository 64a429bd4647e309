import type { Command } from 'commander';
import { planTotals } from '../plan/build.js';
import { colorEnabled } from '../ui/color.js';
import { formatInt } from '../ui/format.js';
import { formatWarnings, workloadLabel } from '../ui/plan-table.js';
import { action, collect, loadPrepared, type SpecFlags } from './common.js';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check a spec and its prompt files; print every problem as file:line:col (exit 2 if any)')
    .argument('<spec>', 'sweep spec (YAML)')
    .option('--set <key=value>', 'override a spec value by dotted path (repeatable)', collect)
    .option('--json', 'print the verdict and the plan totals as JSON on stdout (problems still go to stderr, exit 2)')
    .action(
      action(async (file: string, flags: SpecFlags & { json?: boolean }) => {
        const { plan, warnings } = await loadPrepared(file, flags);
        process.stderr.write(formatWarnings(warnings, colorEnabled(process.stderr)));
        const t = planTotals(plan);
        if (flags.json) {
          const totals = { cells: t.cells, prompts: plan.prompts.length, requests: t.requests ?? null, ...(plan.workload ? { workload: workloadLabel(plan.workload) } : {}) };
          process.stdout.write(`${JSON.stringify({ file, ok: true, ...totals, warnings }, null, 2)}\n`);
          return;
        }
        const s = (n: number) => (n === 1 ? '' : 's');
        const prompts = plan.workload ? workloadLabel(plan.workload) : `${formatInt(plan.prompts.length)} prompt${s(plan.prompts.length)}`;
        process.stdout.write(
          `${file}: ok — ${formatInt(t.cells)} cell${s(t.cells)}, ${prompts}` +
            `${t.requests !== undefined ? `, ${formatInt(t.requests)} request${s(t.requests)}` : ''}` +
            `${warnings.length > 0 ? `, ${warnings.length} warning${s(warnings.length)}` : ''}\n`,
        );
      }),
    );
}
