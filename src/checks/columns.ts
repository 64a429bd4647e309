/**
 * Checks that read a dataset `column` need that column in the prompts: found before the run,
 * so a typo (`expeted`) is an exit-2 problem at the check, not a run whose every answer fails.
 */
import { nearest } from '../spec/suggest.js';
import type { CheckSpec } from './schema.js';
import type { CheckProblem, PromptVars } from './types.js';

/** What a column check needs of a prompt. */
export interface PromptRow {
  /** The row's dataset fields; undefined for a prompt without any (an inline string). */
  vars?: PromptVars;
  /** Where it came from, e.g. `data.jsonl:3`. */
  origin: string;
}

export function columnProblems(specs: readonly CheckSpec[], prompts: readonly PromptRow[]): CheckProblem[] {
  const problems: CheckProblem[] = [];
  const known = [...new Set(prompts.flatMap((p) => Object.keys(p.vars ?? {})))];
  specs.forEach((spec, index) => {
    const column = (spec as { column?: string }).column;
    if (column === undefined) return;
    const lacking = prompts.filter((p) => p.vars?.[column] === undefined || p.vars[column] === null);
    if (lacking.length === 0) return;
    if (lacking.length === prompts.length) {
      const guess = nearest(column, known);
      const have = known.length > 0 ? `the prompts have: ${known.join(', ')}` : 'the prompts have no dataset columns (give them in a .jsonl/.csv file, or vars: on an inline prompt)';
      problems.push({
        index,
        path: ['column'],
        message: `no prompt has a column '${column}'${guess ? ` — did you mean '${guess}'?` : ''} (${have})`,
      });
      return;
    }
    problems.push({
      index,
      path: ['column'],
      message: `column '${column}' is missing in ${lacking.length} of ${prompts.length} prompts (first: ${lacking[0].origin}); every prompt needs a value for it`,
    });
  });
  return problems;
}
