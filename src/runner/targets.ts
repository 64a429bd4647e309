/**
 * The targets of a run as the runner talks to them: each with the URL its requests go to
 * (the spawned simulator's for base_url: builtin), its provider bound to its settings, and
 * its own endpoint memory (a server that rejects stream_options is remembered for that
 * server only). The runner looks up a cell's with `live.get(cell.target)`.
 */
import type { Plan } from '../plan/types.js';
import { usedTargets } from '../plan/targets.js';
import { providerForTarget } from '../providers/index.js';
import type { Provider } from '../providers/types.js';
import type { Target } from '../spec/schema.js';
import type { EndpointMemory } from './exchange.js';

export interface LiveTarget {
  name: string;
  /** The spec's target with `base_url` set to where requests go. */
  target: Target;
  provider: Provider;
  memory: EndpointMemory;
  /** Some request of this target succeeded (an unreachable target is fatal only before that). */
  reached: boolean;
}

/**
 * The plan's used targets with their URLs: `baseUrls[name]`, else `baseUrl` when the plan
 * has one target, else the spec's base_url (which must not be builtin: start it first).
 */
export function liveTargets(plan: Pick<Plan, 'targets' | 'cells'>, urls: { baseUrl?: string; baseUrls?: Record<string, string> }): Map<string, LiveTarget> {
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
    out.set(name, { name, target, provider: providerForTarget(target), memory: { askUsage: true }, reached: false });
  }
  return out;
}

/** The URL of each used target, for run.json. */
export function targetUrls(live: ReadonlyMap<string, LiveTarget>): Record<string, string> {
  return Object.fromEntries([...live].map(([name, t]) => [name, t.target.base_url]));
}
