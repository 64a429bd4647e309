import { describe, expect, it } from 'vitest';
import { AZURE_API_VERSION, azureOpenai } from '../../../src/providers/azure-openai.js';
import { buildCtx, decodeWire, target } from './decode.js';

describe('azure-openai', () => {
  it('builds the deployment URL from the model, with api-key and the api-version; no model in the body', () => {
    const t = target({ provider: 'azure-openai', base_url: 'https://res.openai.azure.com/', api_key: 'k' });
    const req = azureOpenai.build(buildCtx(t, { model: 'gpt-4o mini', temperature: 0 }));
    expect(req.url).toBe(`https://res.openai.azure.com/openai/deployments/gpt-4o%20mini/chat/completions?api-version=${AZURE_API_VERSION}`);
    expect(req.headers).toEqual({ 'api-key': 'k' });
    expect(req.body).toEqual({
      messages: [{ role: 'user', content: 'Hi' }],
      temperature: 0,
      stream: true,
      stream_options: { include_usage: true },
    });
    const t2 = target({ provider: 'azure-openai', base_url: 'https://res.openai.azure.com/openai', api_version: '2025-01-01-preview' });
    expect(azureOpenai.build(buildCtx(t2, { model: 'd' }, { stream: false })).url).toBe(
      'https://res.openai.azure.com/openai/deployments/d/chat/completions?api-version=2025-01-01-preview',
    );
  });

  it("decodes Azure's stream: the prompt_filter_results chunk with no choices carries nothing", () => {
    const wire = [
      '{"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":[{"prompt_index":0,"content_filter_results":{}}]}',
      '{"choices":[{"content_filter_results":{},"delta":{"content":"","role":"assistant"},"finish_reason":null,"index":0}],"object":"chat.completion.chunk"}',
      '{"choices":[{"content_filter_results":{"hate":{"filtered":false,"severity":"safe"}},"delta":{"content":"Hi"},"finish_reason":null,"index":0}],"object":"chat.completion.chunk"}',
      '{"choices":[{"content_filter_results":{},"delta":{},"finish_reason":"stop","index":0}],"object":"chat.completion.chunk"}',
      '[DONE]',
    ]
      .map((d) => `data: ${d}\n\n`)
      .join('');
    expect(decodeWire(azureOpenai, wire)).toMatchObject({ text: 'Hi', pieces: ['Hi'], finishReason: 'stop', done: true });
  });

  it('needs a model (the deployment)', () => {
    const t = target({ provider: 'azure-openai' });
    expect(azureOpenai.checkParams!(['model', 'presence_penalty'], t)).toEqual([]);
    expect(azureOpenai.checkParams!(['temperature'], t)[0].message).toMatch(/needs 'model'.*deployment/);
  });
});
