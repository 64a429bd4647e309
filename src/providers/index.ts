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

export function providerFor(kind: ProviderKind): Provider {
  return PROVIDER_MAP[kind];
}

/** The provider for a target, bound to the target's own wire settings (http, triton). */
export function providerForTarget(target: Target): Provider {
  const p = providerFor(target.provider);
  return p.configure?.(target) ?? p;
}
