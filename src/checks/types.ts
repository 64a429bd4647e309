/**
 * checks/: quality checks on answers. The spec's `checks:` list (schema.ts) is compiled once
 * per run (compile.ts): static values are checked there (a regex that does not compile, a
 * JSON Schema ajv rejects), so a bad check is a validate-time problem, not a run-time one.
 * Each compiled check then runs on every successful answer (run.ts) and gives a verdict;
 * a check that throws on an odd answer is a failed verdict with the reason, never a crash.
 * One file per kind of check in kinds/, registered in kinds/index.ts. Nothing here does
 * I/O except reading a `schema_file`, and nothing prints.
 */

/** What a check looks at: one successful answer. */
export interface Answer {
  /** The answer text (the content the server streamed or returned). */
  text: string;
  /** Reasoning/thinking text the server sent apart from the content, if any. */
  reasoning?: string;
  /** The server's finish reason (stop, length, ...), if it sent one. */
  finishReason?: string;
}

/** The prompt's dataset fields (a JSONL object's keys, a CSV row's columns), by name. */
export type PromptVars = Readonly<Record<string, unknown>>;

/** One check's verdict on one answer. */
export interface Verdict {
  /** The check's name (its `name`, or one made from its type and value). */
  name: string;
  pass: boolean;
  /** Why it failed (or what it measured), short and on one line; undefined for a plain pass. */
  reason?: string;
  /** A measured score, for checks that have one (similar: 0 to 1). */
  score?: number;
}

/** What a kind's test function returns: the verdict without the name. */
export interface Outcome {
  pass: boolean;
  reason?: string;
  score?: number;
}

/**
 * A kind's test for one answer. `text` is the part the check looks at (answer, reasoning or
 * both); `expected` is the check's value for this prompt (its `value`, or the prompt's
 * `column`), undefined for kinds that take none.
 */
export type CheckTest = (text: string, expected: string | undefined, answer: Answer) => Outcome;

/** A check ready to run. */
export interface CompiledCheck {
  name: string;
  type: string;
  /** The dataset column the check reads its value from, if any. */
  column?: string;
  run(answer: Answer, vars: PromptVars): Verdict;
}

/** A problem with a check as written, found before the run. */
export interface CheckProblem {
  /** Index in the `checks:` list. */
  index: number;
  /** Path inside that entry of the key at fault (e.g. ['pattern']); [] for the entry itself. */
  path: (string | number)[];
  message: string;
}

/** What compiling needs from outside. */
export interface CompileContext {
  /** Folder that relative `schema_file` paths resolve against (the spec's folder). */
  dir: string;
  /** Tokens in a text, for `unit: tokens` (default: the built-in o200k estimate). */
  countTokens?: (text: string) => number;
}

/** Thrown by a kind's compile step for a value that cannot work; becomes a CheckProblem. */
export class CheckSpecError extends Error {
  constructor(
    readonly path: (string | number)[],
    message: string,
  ) {
    super(message);
    this.name = 'CheckSpecError';
  }
}
