/**
 * Per-check counts over a run, and a few failed answers per check as examples for the report
 * ("failed checks grouped by check, with example answers"). Examples are bounded in number
 * and length, so the tally stays small however many answers fail; they are the only answer
 * text kept past the request (and only for failures).
 */
import type { CompiledCheck, Verdict } from './types.js';

/** Where an answer came from: the row key of requests.csv. */
export interface AnswerKey {
  cell: string;
  prompt_id: number;
  repeat: number;
}

export interface FailureExample extends AnswerKey {
  reason?: string;
  /** The text the check read, cut to `maxAnswerChars`. */
  answer: string;
}

export interface CheckTally {
  name: string;
  type: string;
  /** Answers this check ran on. */
  total: number;
  passed: number;
  /** Up to maxExamples failures, at most one per cell until every cell had its turn. */
  examples: FailureExample[];
}

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

export function createTally(checks: readonly CompiledCheck[], opts: TallyOptions = {}): Tally {
  const maxExamples = opts.maxExamples ?? 5;
  const maxChars = opts.maxAnswerChars ?? 500;
  const tallies: CheckTally[] = checks.map((c) => ({ name: c.name, type: c.type, total: 0, passed: 0, examples: [] }));
  // Cells that already gave an example, per check: later failures of another cell go first.
  const cellsSeen = checks.map(() => new Set<string>());
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
        const example: FailureExample = { ...key, reason: v.reason, answer: cut(answerText, maxChars) };
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
