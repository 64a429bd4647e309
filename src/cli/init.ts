import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../errors.js';
import { STARTERS } from '../spec/starters.js';
import { action, EXIT } from './common.js';

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('write two commented starter specs: one for the bundled simulator, one for an OpenAI-compatible server')
    .argument('[dir]', 'folder to write them into', '.')
    .option('--force', 'overwrite files that exist')
    .action(action(initCommand));
}

function initCommand(dir: string, flags: { force?: boolean }): number {
  const paths = STARTERS.map((s) => join(dir, s.file));
  const taken = paths.filter((p) => existsSync(p));
  if (taken.length > 0 && !flags.force) {
    throw new UserError(`${taken.join(', ')} already exist${taken.length === 1 ? 's' : ''}; choose another folder, or pass --force to overwrite`);
  }
  mkdirSync(dir, { recursive: true });
  STARTERS.forEach((s, i) => writeFileSync(paths[i], s.text));
  const shown = (p: string) => relative(process.cwd(), p) || p;
  const lines = STARTERS.map((s, i) => `  ${shown(paths[i]).padEnd(Math.max(...paths.map((p) => shown(p).length)))}  ${s.about}`);
  process.stdout.write(
    `wrote\n${lines.join('\n')}\nnext:\n  llm-sweep run ${shown(paths[0])}\n  llm-sweep validate ${shown(paths[1])}\n`,
  );
  return EXIT.ok;
}
