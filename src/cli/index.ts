/**
 * cli/: the commander program. The only room that reads argv, prints final output and
 * chooses exit codes. One file per command.
 */
import { Command, CommanderError } from 'commander';
import { VERSION } from '../version.js';
import { EXIT, setDebug } from './common.js';
import { registerCompare } from './compare.js';
import { registerInit } from './init.js';
import { registerMerge } from './merge.js';
import { registerPlan } from './plan.js';
import { registerReport } from './report.js';
import { registerRun } from './run.js';
import { registerSchema } from './schema.js';
import { registerSimulate } from './simulate.js';
import { registerValidate } from './validate.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('llm-sweep')
    .description('Benchmark LLM inference endpoints over a grid of parameters and load settings.')
    .version(VERSION, '-V, --version')
    .option('--debug', 'print stack traces for errors')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ sortSubcommands: false })
    .hook('preAction', (cmd) => setDebug(Boolean(cmd.opts().debug)))
    .exitOverride();
  registerInit(program);
  registerRun(program);
  registerPlan(program);
  registerValidate(program);
  registerReport(program);
  registerSchema(program);
  registerCompare(program);
  registerMerge(program);
  registerSimulate(program);
  program.addHelpText(
    'after',
    `
Exit codes: 0 ok, 1 threshold failed or regression, 2 invalid input, 3 run could not
proceed, 4 internal error, 130 interrupted.
Start with \`llm-sweep init\`: two commented starter specs. Docs: docs/spec.md (the spec
format), docs/workloads.md (prompts by token count, datasets, sessions, traces), docs/search.md
(capacity search), README.md (quick start); all ship in the package's docs/ and README.md.`,
  );
  return program;
}

async function main(): Promise<void> {
  // `llm-sweep ... | head` closes stdout early; that is not an error.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
  const program = buildProgram();
  try {
    await program.parseAsync(process.argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit 0; bad flags are usage errors.
      process.exitCode = e.exitCode === 0 ? EXIT.ok : EXIT.usage;
      return;
    }
    throw e;
  }
}

await main();
