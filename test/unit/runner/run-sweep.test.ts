import { describe, expect, it } from 'vitest';
import { workerStartProblem } from '../../../src/runner/run-sweep.js';
import { WorkerStartError } from '../../../src/runner/worker-pool.js';

const emfile = new WorkerStartError(Object.assign(new Error("EMFILE: too many open files, open 'zod/v4/index.js'"), { code: 'EMFILE' }));

describe('worker threads that cannot start', () => {
  it('auto: the cell falls back to one loop, with a warning that names the cause and the fix', () => {
    expect(workerStartProblem('auto', 2, 'c=400', emfile)).toEqual({
      warning: "cell c=400: 2 worker threads could not start (EMFILE: too many open files, open 'zod/v4/index.js'); it runs on one event loop (raise the open-file limit (ulimit -n), or set workers: 1 to skip the attempt)",
    });
  });

  it('a number the user gave: the run stops with the cause and the fix, not an internal error', () => {
    expect(workerStartProblem(2, 2, 'c=400', emfile)).toEqual({
      fatal: "2 worker threads could not start (EMFILE: too many open files, open 'zod/v4/index.js'); raise the open-file limit (ulimit -n), or run with --workers 1",
    });
    expect(workerStartProblem(4, 4, 'c=8', new WorkerStartError(new Error('worker thread 1 exited (code 1)')))).toEqual({
      fatal: '4 worker threads could not start (worker thread 1 exited (code 1)); run with --workers 1',
    });
  });
});
