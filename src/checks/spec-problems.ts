/**
 * Load-time problems of the spec's `checks:` (and of `budget:` without `pricing:`), as
 * `file:line:col: message`: what compiling finds (a regex that does not compile, a JSON
 * Schema ajv refuses, value and column both or neither) and a column no prompt has. Each
 * entry is read on its own, so one malformed entry (zod reports it) does not hide the
 * problems of the others.
 */
import type { Prompt } from '../plan/types.js';
import type { YamlSource } from '../spec/yaml-source.js';
import { columnProblems } from './columns.js';
import { compileChecks } from './compile.js';
import { checkSchema, type CheckSpec } from './schema.js';

export function checkSpecProblems(raw: Record<string, unknown>, source: YamlSource, prompts: readonly Prompt[], dir: string): string[] {
  const problems: string[] = [];
  if (raw.budget !== undefined && raw.budget !== null && (raw.pricing === undefined || raw.pricing === null)) {
    problems.push(`${source.locate(['budget'], 'key')}: a budget needs prices: add a pricing: section (see docs/cost.md)`);
  }
  if (!Array.isArray(raw.checks)) return problems;
  const specs: CheckSpec[] = [];
  const index: number[] = [];
  raw.checks.forEach((entry: unknown, i) => {
    const parsed = checkSchema.safeParse(entry);
    if (parsed.success) {
      specs.push(parsed.data);
      index.push(i);
    }
  });
  const compiled = compileChecks(specs, { dir });
  const bad = new Set(compiled.problems.map((p) => p.index));
  const found = [...compiled.problems, ...columnProblems(specs, prompts).filter((p) => !bad.has(p.index))];
  for (const p of found) {
    problems.push(`${source.locate(['checks', index[p.index], ...p.path])}: checks[${index[p.index]}]: ${p.message}`);
  }
  return problems;
}
