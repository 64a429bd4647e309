import type { Command } from 'commander';
import { planTotals } from '../plan/build.js';
import { colorEnabled } from '../ui/color.js';
import { formatInt } from '../ui/format.js';
import { formatWarnings } from '../ui/plan-table.js';
import { action, collect, loadFromFlags, type SpecFlags } from './common.js';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check a spec and its prompt files; print every problem as file:line:col (exit 2 if any)')
    .argument('<spec>', 'sweep spec (YAML)')
    .option('--set <key=value>', 'override a spec value by dotted path (repeatable)', collect)
    .option('--json', 'print the verdict and the plan totals as JSON on stdout (problems still go to stderr, exit 2)')
    .action(
      action((file: string, flags: SpecFlags & { json?: boolean }) => {
        const { loaded, plan } = loadFromFlags(file, flags);
        const warnings = [...(loaded.warnings ?? []), ...(plan.warnings ?? [])];
        process.stderr.write(formatWarnings(warnings, colorEnabled(process.stderr)));
        const t = planTotals(plan);
        if (flags.json) {
          const totals = { cells: t.cells, prompts: plan.prompts.length, requests: t.requests ?? null };
          process.stdout.write(`${JSON.stringify({ file, ok: true, ...totals, warnings }, null, 2)}\n`);
          return;
        }
        const s = (n: number) => (n === 1 ? '' : 's');
        process.stdout.write(
          `${file}: ok — ${formatInt(t.cells)} cell${s(t.cells)}, ${formatInt(plan.prompts.length)} prompt${s(plan.prompts.length)}` +
            `${t.requests !== undefined ? `, ${formatInt(t.requests)} request${s(t.requests)}` : ''}` +
            `${warnings.length > 0 ? `, ${warnings.length} warning${s(warnings.length)}` : ''}\n`,
        );
      }),
    );
}
