/**
 * The messages between the runner (main thread, worker-pool.ts) and a worker thread
 * (worker-main.ts). Every timestamp a worker sends is already on the main thread's clock:
 * a worker's performance.now() counts from its own timeOrigin, so it adds
 * `own timeOrigin - main timeOrigin` (both ms since the epoch) before posting.
 */
import type { CellSetup, ExchangeAsk, ThreadLoad } from './cell-exchanger.js';
import type { ExchangeResult } from './exchange.js';

/** workerData of a worker thread. */
export interface WorkerInit {
  setup: CellSetup;
  /** The main thread's performance.timeOrigin, ms since the epoch. */
  mainTimeOrigin: number;
}

export type ToWorker =
  /** Send `ask` (request i of the cell's prompts, or a prompt as data); `askUsage` is what the run knows of the endpoint now. */
  | { type: 'send'; id: number; ask: ExchangeAsk; askUsage: boolean }
  /** Cut every request in flight and every later one (the run's grace period ended). */
  | { type: 'abort' }
  /** Close the sockets and report the loop's load. */
  | { type: 'close' };

export type FromWorker =
  | { type: 'ready' }
  /** The thread could not open the cell's transport (the server refused what it accepted before the cell). */
  | { type: 'unready'; message: string }
  | { type: 'result'; id: number; result: ExchangeResult; askUsage: boolean }
  /** The exchange threw: a bug in us, rethrown on the main thread. */
  | { type: 'bug'; id: number; message: string; stack?: string }
  | { type: 'closed'; load: ThreadLoad };

/** The timestamps of `r` moved by `shift` ms (in place; returns r). */
export function shiftTimes(r: ExchangeResult, shift: number): ExchangeResult {
  r.sentAt += shift;
  r.endAt += shift;
  if (r.firstTokenAt !== undefined) r.firstTokenAt += shift;
  return r;
}
