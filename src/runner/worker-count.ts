/**
 * How many event loops run a cell's exchanges (`workers:` in the spec). `auto` gives each
 * worker at most STREAMS_PER_WORKER streams, on at most the cores this process may use;
 * one loop means no worker thread at all (the single-loop path). An open loop without a
 * concurrency cap has no known number in flight: auto keeps one loop there.
 */
import { availableParallelism } from 'node:os';
import type { Spec } from '../spec/schema.js';

/**
 * Streams one event loop holds while its timestamps stay within ~1 ms of the truth, with
 * the server sending a token every 10 ms per stream (bench/results.md, "Fidelity"): past it a
 * loop's own work is what it measures.
 */
export const STREAMS_PER_WORKER = 256;

/** The spec's `workers:` setting. */
export type WorkersSetting = Spec['workers'];

/**
 * Event loops for a cell with `concurrency` requests in flight; 1 = this thread alone. Never
 * more loops than requests in flight: a worker with no share would only cost a thread.
 */
export function workersFor(setting: WorkersSetting, concurrency: number, cores = availableParallelism()): number {
  if (setting !== 'auto') return Math.max(1, Math.min(setting, concurrency));
  // An open loop without a cap: how many will be in flight depends on the server; say N.
  if (!Number.isFinite(concurrency)) return 1;
  return Math.max(1, Math.min(cores, Math.ceil(concurrency / STREAMS_PER_WORKER)));
}
