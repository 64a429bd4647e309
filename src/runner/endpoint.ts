/**
 * The endpoints a run talks to: each target's base_url as is, or — for `base_url: builtin`
 * — the bundled simulator started as a child process on a free loopback port, one per
 * builtin target with that target's own latency and fault settings.
 */
import { isAbsolute, resolve } from 'node:path';
import { usedTargets } from '../plan/targets.js';
import type { Plan } from '../plan/types.js';
import type { Target } from '../spec/schema.js';
import { isBuiltinName } from '../tokenizers/builtin.js';

export interface Endpoint {
  baseUrl: string;
  stop(): Promise<void>;
}

export interface EndpointOptions {
  /** The spec's folder: a relative `simulator.tokenizer` path resolves against it. */
  dir?: string;
  /**
   * The workload's tokenizer: the simulator counts with it when `simulator.tokenizer` is not
   * set, so prompt_tokens show what the workload meant (o200k for `server`, whose /tokenize it serves).
   */
  tokenizer?: string;
}

export async function startEndpoint(target: Target, opts: EndpointOptions = {}): Promise<Endpoint> {
  if (target.base_url !== 'builtin') return { baseUrl: target.base_url, stop: async () => {} };
  const { startBuiltinSimulator } = await import('../simulator/spawn.js');
  const fallback = opts.tokenizer === 'server' ? 'o200k' : opts.tokenizer;
  const tokenizer = target.simulator?.tokenizer ?? fallback;
  const path = tokenizer === undefined || isBuiltinName(tokenizer) || isAbsolute(tokenizer) ? tokenizer : resolve(opts.dir ?? '.', tokenizer);
  const sim = await startBuiltinSimulator({ ...target.simulator, ...(path !== undefined ? { tokenizer: path } : {}) });
  return { baseUrl: sim.baseUrl, stop: () => sim.stop() };
}

export interface Endpoints {
  /** Where each target's requests go, by target name (only the targets the plan's cells use). */
  baseUrls: Record<string, string>;
  /** The first target's URL (run.json's base_url). */
  baseUrl: string;
  stop(): Promise<void>;
}

/** Starts every target the plan's cells use (simulators in parallel); stops them all again if one fails. */
export async function startEndpoints(plan: Pick<Plan, 'targets' | 'cells'>, opts: EndpointOptions = {}): Promise<Endpoints> {
  const names = usedTargets(plan);
  const settled = await Promise.allSettled(names.map((n) => startEndpoint(plan.targets[n], opts)));
  const started = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const stop = async () => {
    await Promise.all(started.map((e) => e.stop()));
  };
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await stop();
    throw failed.reason;
  }
  const baseUrls = Object.fromEntries(names.map((n, i) => [n, started[i].baseUrl]));
  return { baseUrls, baseUrl: started[0]?.baseUrl ?? '', stop };
}
