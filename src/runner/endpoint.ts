/**
 * The endpoints a run talks to: each target's base_url as is, or — for `base_url: builtin`
 * — the bundled simulator started as a child process on a free loopback port, one per
 * builtin target with that target's own latency and fault settings (its gRPC port too, for
 * a gRPC provider, whose base URL it then is).
 */
import { isAbsolute, resolve } from 'node:path';
import { usedTargets } from '../plan/targets.js';
import type { Plan } from '../plan/types.js';
import { providerFor } from '../providers/index.js';
import type { Target } from '../spec/schema.js';
import { isBuiltinName } from '../tokenizers/builtin.js';

export interface Endpoint {
  baseUrl: string;
  /** Where `metrics: auto` looks when it is not beside baseUrl: the simulator's HTTP side for a gRPC provider. */
  metricsBaseUrl?: string;
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
  const grpc = providerFor(target.provider)?.transport === 'grpc';
  const sim = await startBuiltinSimulator({ ...target.simulator, ...(path !== undefined ? { tokenizer: path } : {}) }, grpc ? { grpcPort: 0 } : {});
  if (grpc && sim.grpcUrl) return { baseUrl: sim.grpcUrl, metricsBaseUrl: sim.baseUrl, stop: () => sim.stop() };
  // A provider whose base_url is the server root (triton) gets the simulator's root, not its /v1.
  if (providerFor(target.provider)?.baseUrl === 'root') return { baseUrl: sim.baseUrl.replace(/\/v1$/, ''), metricsBaseUrl: sim.baseUrl, stop: () => sim.stop() };
  return { baseUrl: sim.baseUrl, stop: () => sim.stop() };
}

export interface Endpoints {
  /** Where each target's requests go, by target name (only the targets the plan's cells use). */
  baseUrls: Record<string, string>;
  /** Where `metrics: auto` looks for a target, when not beside its base URL (Endpoint.metricsBaseUrl). */
  metricsBaseUrls: Record<string, string>;
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
  const metricsBaseUrls = Object.fromEntries(names.flatMap((n, i) => (started[i].metricsBaseUrl ? [[n, started[i].metricsBaseUrl]] : [])));
  return { baseUrls, metricsBaseUrls, baseUrl: started[0]?.baseUrl ?? '', stop };
}
