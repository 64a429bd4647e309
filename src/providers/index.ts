import type { ProviderKind } from '../spec/schema.js';
import { openaiChat, openaiCompletions } from './openai.js';
import type { Provider } from './types.js';

/** Every provider by its spec name. */
export const PROVIDER_MAP = {
  'openai-chat': openaiChat,
  'openai-completions': openaiCompletions,
} satisfies Partial<Record<ProviderKind, Provider>>;

export function providerFor(kind: ProviderKind): Provider | undefined {
  return (PROVIDER_MAP as Partial<Record<ProviderKind, Provider>>)[kind];
}
