/**
 * The endpoint a run talks to: the spec's base_url as is, or — for `base_url: builtin` —
 * the bundled simulator started as a child process on a free loopback port.
 */
import { isAbsolute, resolve } from 'node:path';
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
