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
 * more loops than requests in flight: a worker with no share would only cost a thread. A
 * server on this machine (`serverHere`: a loopback base_url) runs on the same cores, so auto
 * leaves it one: on 2 cores, 2 worker threads beside a loopback server measured worse than one
 * loop at every count of streams (bench/results.md, "Fidelity at hundreds of streams").
 */
export function workersFor(setting: WorkersSetting, concurrency: number, cores = availableParallelism(), serverHere = false): number {
  if (setting !== 'auto') return Math.max(1, Math.min(setting, concurrency));
  // An open loop without a cap: how many will be in flight depends on the server; say N.
  if (!Number.isFinite(concurrency)) return 1;
  const free = serverHere ? cores - 1 : cores;
  return Math.max(1, Math.min(free, Math.ceil(concurrency / STREAMS_PER_WORKER)));
}

/** True when `url` names this machine: localhost, 127.0.0.0/8 (IPv4-mapped too), ::1, or 0.0.0.0, which connects here. */
export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  // URL has already normalised the address: 127.1 and 2130706433 read 127.0.0.1, [::ffff:127.0.0.1] reads ::ffff:7f00:1.
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || host === '0.0.0.0' || /^127\.\d+\.\d+\.\d+$/.test(host) || /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(host);
}
