/**
 * Per-check counts over a run, and a few failed answers per check as examples for the report
 * ("failed checks grouped by check, with example answers"). Examples are bounded in number
 * and length, so the tally stays small however many answers fail; they are the only answer
 * text kept past the request (and only for failures).
 */
import { z } from 'zod';
import type { CompiledCheck, Verdict } from './types.js';

/** Where an answer came from: the row key of requests.csv. */
export interface AnswerKey {
  cell: string;
  prompt_id: number;
  repeat: number;
}

const failureExampleSchema = z
  .object({
    cell: z.string().describe('Cell id.'),
    prompt_id: z.number().describe('Prompt of the answer.'),
    repeat: z.number().describe('Repeat of the answer.'),
    reason: z.string().optional().describe('Why the check failed.'),
    answer: z.string().describe('The answer text, cut to 500 characters.'),
  })
  .describe('One failed answer, as an example.');
export type FailureExample = z.output<typeof failureExampleSchema>;

export const checkTallySchema = z
  .object({
    name: z.string().describe('The check, as in responses.jsonl and the report.'),
    type: z.string().describe('Its type (contains, regex, ...).'),
    total: z.number().describe('Answers this check ran on.'),
    passed: z.number().describe('Of those, answers that passed it.'),
    examples: z.array(failureExampleSchema).describe('Up to 5 failed answers, spread over cells.'),
  })
  .describe('One check over the run.');
export type CheckTally = z.output<typeof checkTallySchema>;

export interface TallyOptions {
  /** Examples kept per check (default 5). */
  maxExamples?: number;
  /** Characters of each example answer kept (default 500). */
  maxAnswerChars?: number;
}

export interface Tally {
  add(key: AnswerKey, verdicts: readonly Verdict[], answerText: string): void;
  result(): CheckTally[];
}

/** `previous`: the tally of an interrupted run being resumed, carried on (matched by check name). */
export function createTally(checks: readonly CompiledCheck[], opts: TallyOptions = {}, previous: readonly CheckTally[] = []): Tally {
  const maxExamples = opts.maxExamples ?? 5;
  const maxChars = opts.maxAnswerChars ?? 500;
  const before = new Map(previous.map((t) => [t.name, t]));
  const tallies: CheckTally[] = checks.map((c) => {
    const p = before.get(c.name);
    return { name: c.name, type: c.type, total: p?.total ?? 0, passed: p?.passed ?? 0, examples: p ? p.examples.slice(0, maxExamples) : [] };
  });
  // Cells that already gave an example, per check: later failures of another cell go first.
  const cellsSeen = tallies.map((t) => new Set(t.examples.map((e) => e.cell)));
  return {
    add(key, verdicts, answerText) {
      verdicts.forEach((v, i) => {
        const t = tallies[i];
        t.total++;
        if (v.pass) {
          t.passed++;
          return;
        }
        const seen = cellsSeen[i];
        // Field by field: `key` may be a whole record, of which the example keeps the row key.
        const example: FailureExample = { cell: key.cell, prompt_id: key.prompt_id, repeat: key.repeat, reason: v.reason, answer: cut(answerText, maxChars) };
        if (t.examples.length < maxExamples) {
          t.examples.push(example);
          seen.add(key.cell);
        } else if (!seen.has(key.cell)) {
          // Full: replace an example from a cell that has more than one, so cells are spread.
          const counts = new Map<string, number>();
          for (const e of t.examples) counts.set(e.cell, (counts.get(e.cell) ?? 0) + 1);
          const j = t.examples.findLastIndex((e) => (counts.get(e.cell) ?? 0) > 1);
          if (j >= 0) {
            t.examples[j] = example;
            seen.add(key.cell);
          }
        }
      });
    },
    result: () => tallies,
  };
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * The tallies of several shards as one (`llm-sweep merge`): counts added by check name,
 * examples pooled, one per cell first, up to `maxExamples`. Undefined when no shard has any.
 */
export function mergeTallies(parts: readonly (readonly CheckTally[] | undefined)[], maxExamples = 5): CheckTally[] | undefined {
  const byName = new Map<string, CheckTally>();
  for (const part of parts) {
    for (const t of part ?? []) {
      const m = byName.get(t.name);
      if (!m) byName.set(t.name, { ...t, examples: [...t.examples] });
      else {
        m.total += t.total;
        m.passed += t.passed;
        m.examples.push(...t.examples);
      }
    }
  }
  if (byName.size === 0) return undefined;
  for (const t of byName.values()) {
    const seen = new Set<string>();
    const firsts = t.examples.filter((e) => !seen.has(e.cell) && seen.add(e.cell));
    const rest = t.examples.filter((e) => !firsts.includes(e));
    t.examples = [...firsts, ...rest].slice(0, maxExamples);
  }
  return [...byName.values()];
}
