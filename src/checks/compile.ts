/**
 * Compiling the `checks:` list once per run: defaults names, makes them unique, checks what
 * can be checked before any answer exists, and wraps each kind's test so that a throw on an
 * odd answer becomes a failed verdict with the reason.
 */
import { KINDS } from './kinds/index.js';
import type { CheckKind } from './kinds/kind.js';
import type { CheckSpec } from './schema.js';
import { CheckSpecError, type Answer, type CheckProblem, type CheckTest, type CompileContext, type CompiledCheck, type PromptVars, type Verdict } from './types.js';

export interface CompileResult {
  checks: CompiledCheck[];
  /** Problems with the list as written; `checks` leaves out the entries they concern. */
  problems: CheckProblem[];
}

export function compileChecks(specs: readonly CheckSpec[], ctx: CompileContext): CompileResult {
  const checks: CompiledCheck[] = [];
  const problems: CheckProblem[] = [];
  const taken = new Map<string, number>();
  specs.forEach((spec, index) => {
    const kind = KINDS[spec.type] as CheckKind;
    const given = spec as { value?: unknown; column?: string; name?: string };
    if (kind.perPrompt && (given.value === undefined) === (given.column === undefined)) {
      problems.push({
        index,
        path: given.value === undefined ? [] : ['column'],
        message: `give ${spec.type} a value (the same for every prompt) or a column (a dataset column, per prompt), one of the two`,
      });
      return;
    }
    let test: CheckTest;
    try {
      test = kind.compile(spec, ctx);
    } catch (e) {
      if (!(e instanceof CheckSpecError)) throw e;
      problems.push({ index, path: e.path, message: e.message });
      return;
    }
    let name = spec.name ?? kind.label(spec);
    const seen = taken.get(name) ?? 0;
    if (seen > 0 && spec.name !== undefined) {
      problems.push({ index, path: ['name'], message: `two checks are named '${name}'; give each its own name` });
      return;
    }
    taken.set(name, seen + 1);
    if (seen > 0) name = `${name} #${seen + 1}`;
    checks.push(compiled(name, spec, kind.perPrompt ? given.column : undefined, kind.perPrompt, test));
  });
  return { checks, problems };
}

function compiled(name: string, spec: CheckSpec, column: string | undefined, perPrompt: boolean, test: CheckTest): CompiledCheck {
  const fixed = perPrompt && column === undefined ? (spec as { value?: string }).value : undefined;
  const read = READERS[spec.in];
  return {
    name,
    type: spec.type,
    column,
    run(answer: Answer, vars: PromptVars): Verdict {
      let expected = fixed;
      if (column !== undefined) {
        expected = columnText(vars[column]);
        if (expected === undefined) return { name, pass: false, reason: `the prompt has no value in column '${column}'` };
      }
      try {
        const o = test(read(answer), expected, answer);
        return { name, pass: o.pass, reason: o.reason, score: o.score };
      } catch (e) {
        return { name, pass: false, reason: `check could not run: ${e instanceof Error ? e.message : String(e)}` };
      }
    },
  };
}

const READERS: Record<CheckSpec['in'], (a: Answer) => string> = {
  answer: (a) => a.text,
  reasoning: (a) => a.reasoning ?? '',
  both: (a) => (a.reasoning ? `${a.reasoning}\n${a.text}` : a.text),
};

/** A dataset value as check text: strings as they are, numbers and booleans printed, objects as JSON. */
function columnText(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}
