/**
 * Azure OpenAI, deployment URL form:
 *   POST {base}/openai/deployments/{deployment}/chat/completions?api-version={api_version}
 * with the key in an `api-key` header. The cell's `model` names the deployment and is not
 * sent in the body; everything else is OpenAI chat, so the stream and the answer are read by
 * the openai-chat provider (Azure's extra first chunk, with `choices: []` and
 * prompt_filter_results, carries no text and is skipped).
 * Reference: https://learn.microsoft.com/en-us/azure/ai-services/openai/reference#chat-completions
 */
import { z } from 'zod';
import { targetSchemaFor } from '../spec/target.js';
import { buildChat, openaiChat } from './openai.js';
import { joinUrl, requireKey } from './shared.js';
import type { BuildContext, Provider, ProviderRequest } from './types.js';

/** The latest GA data-plane version at the time of writing; it accepts stream_options. */
export const AZURE_API_VERSION = '2024-10-21';

export const azureOpenaiTarget = targetSchemaFor('azure-openai', 'An Azure OpenAI deployment (/openai/deployments/{model}/chat/completions).', {
  api_version: z.string().optional().describe(`azure-openai: the api-version query parameter (default ${AZURE_API_VERSION}).`),
});
type AzureTarget = z.output<typeof azureOpenaiTarget>;

function build(ctx: BuildContext<AzureTarget>): ProviderRequest {
  // Without the key, the OpenAI builder adds no Bearer header; Azure wants `api-key`.
  const req = buildChat({ ...ctx, target: { ...ctx.target, api_key: undefined } });
  const body = req.body as Record<string, unknown>;
  const deployment = String(body.model ?? '');
  delete body.model;
  const base = ctx.target.base_url.replace(/\/+$/, '').replace(/\/openai$/, '');
  const version = encodeURIComponent(ctx.target.api_version ?? AZURE_API_VERSION);
  const headers: Record<string, string> = {};
  if (ctx.target.api_key) headers['api-key'] = ctx.target.api_key;
  return {
    url: joinUrl(base, `/openai/deployments/${encodeURIComponent(deployment)}/chat/completions?api-version=${version}`),
    headers: { ...headers, ...ctx.target.headers },
    body,
  };
}

export const azureOpenai: Provider<'azure-openai', AzureTarget> = {
  ...openaiChat,
  kind: 'azure-openai',
  target: azureOpenaiTarget,
  // The resource root, with or without /openai: neither convention to check.
  baseUrl: undefined,
  paths: ['/chat/completions'],
  simulator: false,
  configure: undefined,
  build,
  checkParams: (keys) => requireKey('azure-openai', keys, 'model', 'it names the deployment in the URL'),
};
