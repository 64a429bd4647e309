/** Running the compiled checks on one answer, and counting the verdicts. */
import type { Answer, CompiledCheck, PromptVars, Verdict } from './types.js';

/** Every check's verdict on one answer, in the order of the `checks:` list. */
export function runChecks(checks: readonly CompiledCheck[], answer: Answer, vars: PromptVars): Verdict[] {
  const out: Verdict[] = new Array(checks.length);
  for (let i = 0; i < checks.length; i++) out[i] = checks[i].run(answer, vars);
  return out;
}

/** Verdicts that passed. */
export function countPassed(verdicts: readonly Verdict[]): number {
  let n = 0;
  for (const v of verdicts) if (v.pass) n++;
  return n;
}
