/**
 * The endpoint a run talks to: the spec's base_url as is, or — for `base_url: builtin` —
 * the bundled simulator started as a child process on a free loopback port (its gRPC port
 * too, for a gRPC provider, whose base URL it then is).
 */
import { providerFor } from '../providers/index.js';
import type { Target } from '../spec/schema.js';

export interface Endpoint {
  baseUrl: string;
  /** Where `metrics: auto` looks when it is not beside baseUrl: the simulator's HTTP side for a gRPC provider. */
  metricsBaseUrl?: string;
  stop(): Promise<void>;
}

export async function startEndpoint(target: Target): Promise<Endpoint> {
  if (target.base_url !== 'builtin') return { baseUrl: target.base_url, stop: async () => {} };
  const { startBuiltinSimulator } = await import('../simulator/spawn.js');
  const grpc = providerFor(target.provider)?.transport === 'grpc';
  const sim = await startBuiltinSimulator(target.simulator ?? {}, grpc ? { grpcPort: 0 } : {});
  if (grpc && sim.grpcUrl) return { baseUrl: sim.grpcUrl, metricsBaseUrl: sim.baseUrl, stop: () => sim.stop() };
  return { baseUrl: sim.baseUrl, stop: () => sim.stop() };
}
