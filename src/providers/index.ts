import type { ProviderKind, Target } from '../spec/schema.js';
import { anthropic } from './anthropic.js';
import { azureOpenai } from './azure-openai.js';
import { httpTemplate } from './http-template.js';
import { ollama } from './ollama.js';
import { openaiChat, openaiCompletions } from './openai.js';
import { tgi } from './tgi.js';
import { triton } from './triton.js';
import type { Provider } from './types.js';

/** Every provider by its spec name. */
export const PROVIDER_MAP = {
  'openai-chat': openaiChat,
  'openai-completions': openaiCompletions,
  'azure-openai': azureOpenai,
  anthropic,
  tgi,
  triton,
  ollama,
  http: httpTemplate,
} satisfies Record<ProviderKind, Provider>;

export function providerFor(kind: ProviderKind): Provider;
/** A provider named in a file (run.json): undefined for a name this version does not know. */
export function providerFor(kind: string | undefined): Provider | undefined;
export function providerFor(kind: string | undefined): Provider | undefined {
  return Object.hasOwn(PROVIDER_MAP, kind ?? '') ? PROVIDER_MAP[kind as ProviderKind] : undefined;
}

/** The provider for a target, bound to the target's own wire settings (http, triton). */
export function providerForTarget(target: Target): Provider {
  const p: Provider = PROVIDER_MAP[target.provider];
  return p.configure?.(target) ?? p;
}
