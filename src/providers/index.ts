/**
 * Every provider by its spec name: the one place a provider is registered. Adding one is
 * its file (target schema, parameter table, URL convention, build and decode) and one
 * entry here; the spec's target union, validation and the docs follow from the map.
 */
import { anthropic } from './anthropic.js';
import { azureOpenai } from './azure-openai.js';
import { httpTemplate } from './http-template.js';
import { ollama } from './ollama.js';
import { openaiChat, openaiCompletions } from './openai.js';
import { tgi } from './tgi.js';
import { triton } from './triton.js';
import { tritonGrpc } from './triton-grpc.js';
import type { AnyProvider } from './types.js';

/** A map whose every entry is the provider of its own key (a compile error otherwise). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each entry keeps its own target type
function registry<M extends { [K in keyof M]: AnyProvider<K & string, any> }>(map: M): M {
  return map;
}

export const PROVIDER_MAP = registry({
  'openai-chat': openaiChat,
  'openai-completions': openaiCompletions,
  'azure-openai': azureOpenai,
  anthropic,
  tgi,
  triton,
  'triton-grpc': tritonGrpc,
  ollama,
  http: httpTemplate,
});

/** The spec's `provider:` values. */
export type ProviderKind = keyof typeof PROVIDER_MAP;
export const PROVIDERS = Object.keys(PROVIDER_MAP) as ProviderKind[];

/** The target of one provider (its schema's output), and of any. */
export type TargetOf<K extends ProviderKind> = (typeof PROVIDER_MAP)[K] extends AnyProvider<K, infer T> ? T : never;
export type Target = { [K in ProviderKind]: TargetOf<K> }[ProviderKind];

/** The provider named in a file (run.json): undefined for a name this version does not know. */
export function providerFor(kind: string | undefined): AnyProvider | undefined {
  return Object.hasOwn(PROVIDER_MAP, kind ?? '') ? (PROVIDER_MAP[kind as ProviderKind] as unknown as AnyProvider) : undefined;
}

/** The provider for a target, bound to the target's own wire settings (http, triton). */
export function providerForTarget(target: Target): AnyProvider {
  const p = PROVIDER_MAP[target.provider] as unknown as AnyProvider;
  return (p.transport !== 'grpc' && p.configure?.(target)) || p;
}
