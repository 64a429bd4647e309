/**
 * The targets of a run as the runner talks to them: each with the URL its requests go to
 * (the spawned simulator's for base_url: builtin), its provider bound to its settings, and
 * its own transports (HTTP or gRPC, as its provider speaks) with their own endpoint memory
 * (a server that rejects stream_options, a model's metadata, is remembered for that server
 * only). The runner looks up a cell's with `live.get(cell.target)`.
 */
import type { Plan } from '../plan/types.js';
import { usedTargets } from '../plan/targets.js';
import { providerForTarget } from '../providers/index.js';
import type { AnyProvider } from '../providers/types.js';
import type { Target } from '../spec/schema.js';
import type { EndpointMemory } from './exchange.js';
import { transportsFor, type OpenTransport } from './transport.js';

export interface LiveTarget {
  name: string;
  /** The spec's target with `base_url` set to where requests go. */
  target: Target;
  provider: AnyProvider;
  /** Opens a cell's transport to this target (connections sized to the cell's concurrency). */
  open: OpenTransport;
  /** What HTTP requests learnt about the endpoint so far (worker threads report back into it). */
  memory: EndpointMemory;
  /** Where `metrics: auto` looks when not beside base_url (a builtin gRPC target: the simulator's HTTP side). */
  metricsBaseUrl?: string;
  /** Some request of this target succeeded (an unreachable target is fatal only before that). */
  reached: boolean;
}

/** Where a run's targets are (SweepOptions, from startEndpoints), by target name or for a single target. */
export interface TargetUrls {
  baseUrl?: string;
  baseUrls?: Record<string, string>;
  metricsBaseUrl?: string;
  metricsBaseUrls?: Record<string, string>;
}

/**
 * The plan's used targets with their URLs: `baseUrls[name]`, else `baseUrl` when the plan
 * has one target, else the spec's base_url (which must not be builtin: start it first).
 * `scrub` removes secrets from server text before it is cut into error messages.
 */
export function liveTargets(plan: Pick<Plan, 'targets' | 'cells'>, urls: TargetUrls, scrub?: (text: string) => string): Map<string, LiveTarget> {
  const names = usedTargets(plan);
  const single = Object.keys(plan.targets).length === 1 || names.length === 1;
  const out = new Map<string, LiveTarget>();
  for (const name of names) {
    const spec = plan.targets[name];
    const url = urls.baseUrls?.[name] ?? (single ? urls.baseUrl : undefined) ?? spec.base_url;
    if (url === 'builtin') {
      throw new Error(`runSweep: target ${name} has base_url builtin; start it first (startEndpoints(plan)) and pass its URL in baseUrls`);
    }
    const target = { ...spec, base_url: url } as Target;
    const provider = providerForTarget(target);
    const metricsBaseUrl = urls.metricsBaseUrls?.[name] ?? (single ? urls.metricsBaseUrl : undefined);
    const memory: EndpointMemory = { askUsage: true };
    out.set(name, { name, target, provider, open: transportsFor(provider, target, scrub, memory), memory, metricsBaseUrl, reached: false });
  }
  return out;
}

/** The URL of each used target, for run.json. */
export function targetUrls(live: ReadonlyMap<string, LiveTarget>): Record<string, string> {
  return Object.fromEntries([...live].map(([name, t]) => [name, t.target.base_url]));
}
