import type { Command } from 'commander';
import { UserError } from '../errors.js';
import { planTotals } from '../plan/build.js';
import { colorEnabled } from '../ui/color.js';
import { formatInt } from '../ui/format.js';
import { formatWarnings, workloadLabel } from '../ui/plan-table.js';
import { action, collect, loadFromFlags, loadPrepared, targetOptions, type SpecFlags } from './common.js';

export function registerValidate(program: Command): void {
  const cmd = program
    .command('validate')
    .description('check a spec and its prompt files; print every problem as file:line:col (exit 2 if any)')
    .argument('<spec>', 'sweep spec (YAML)')
    .option('--set <key=value>', 'override a spec value by dotted path (repeatable)', collect);
  targetOptions(cmd)
    .option('--json', 'print the verdict and the plan totals as JSON on stdout (problems still go to stderr, exit 2)')
    .addHelpText('after', '\nWithout --env, the spec is checked as is and then with each of its environments.')
    .action(
      action(async (file: string, flags: SpecFlags & { json?: boolean }) => {
        const { loaded, plan, warnings } = await loadPrepared(file, flags);
        const environments = flags.env === undefined ? (loaded.environments ?? []) : [];
        checkEnvironments(file, flags, environments);
        process.stderr.write(formatWarnings(warnings, colorEnabled(process.stderr)));
        const t = planTotals(plan);
        if (flags.json) {
          const totals = { cells: t.cells, prompts: plan.prompts.length, requests: t.requests ?? null, ...(plan.workload ? { workload: workloadLabel(plan.workload) } : {}) };
          const envs = environments.length > 0 ? { environments } : {};
          process.stdout.write(`${JSON.stringify({ file, ok: true, ...totals, ...envs, warnings }, null, 2)}
`);
          return;
        }
        const s = (n: number) => (n === 1 ? '' : 's');
        const prompts = plan.workload ? workloadLabel(plan.workload) : `${formatInt(plan.prompts.length)} prompt${s(plan.prompts.length)}`;
        process.stdout.write(
          `${file}: ok — ${formatInt(t.cells)} cell${s(t.cells)}, ${prompts}` +
            `${t.requests !== undefined ? `, ${formatInt(t.requests)} request${s(t.requests)}` : ''}` +
            `${environments.length > 0 ? `, environment${s(environments.length)} ${environments.join(', ')} ok` : ''}` +
            `${warnings.length > 0 ? `, ${warnings.length} warning${s(warnings.length)}` : ''}\n`,
        );
      }),
    );
}

/** The spec with each of its environments merged over it must validate too: one spec serves them all. */
function checkEnvironments(file: string, flags: SpecFlags, names: readonly string[]): void {
  const problems: string[] = [];
  for (const env of names) {
    try {
      loadFromFlags(file, { ...flags, env });
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      problems.push(...e.problems.map((p) => `${p} (with --env ${env})`));
    }
  }
  if (problems.length > 0) throw new UserError(problems.join('\n'), problems);
}
