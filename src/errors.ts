/**
 * Errors that carry an exit code. A `UserError` is the user's to fix (bad spec, flag or
 * file): the CLI prints its message without a stack and exits 2. A `RunError` means the run
 * could not proceed (endpoint unreachable, bad credentials): exit 3. Anything else is a bug
 * and prints a stack under --debug.
 */

export class UserError extends Error {
  readonly exitCode = 2;
  /** Every problem found, one per line, already formatted as `file:line:col: message`. */
  readonly problems: string[];
  constructor(message: string, problems?: string[]) {
    super(message);
    this.name = 'UserError';
    this.problems = problems ?? [message];
  }
}

export class RunError extends Error {
  readonly exitCode = 3;
  constructor(message: string) {
    super(message);
    this.name = 'RunError';
  }
}
