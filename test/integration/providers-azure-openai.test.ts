/** The real CLI against a fake Azure OpenAI resource (test/helpers/fake-azure.ts). */
import { describe, expect, it } from 'vitest';
import { azureHandler } from '../helpers/fake-azure.js';
import { DEFAULT_SCRIPT } from '../helpers/fake-wire.js';
import { expectRows, providerSpec, runOk, useServers } from '../helpers/provider-suite.js';

const serve = useServers();

describe('provider azure-openai', () => {
  it('deployment URL, api-key header, model not in the body; stream with Azure quirks; errors', async () => {
    const s = await serve(azureHandler(DEFAULT_SCRIPT, ['gpt-4o-mini', 'gpt-4o']));
    const r = await runOk(
      providerSpec({
        provider: 'azure-openai',
        baseUrl: s.root,
        target: '  api_key: ${TEST_AZURE_KEY}\n  api_version: 2024-10-21',
        params: '{ model: gpt-4o-mini, max_tokens: 8 }',
      }),
      { TEST_AZURE_KEY: 'azure-key-123' },
    );
    expectRows(r.rows, DEFAULT_SCRIPT, {
      finishReason: 'length',
      promptTokens: 7,
      completionTokens: 4,
      fail: { status: 400, error: "HTTP 400: The response was filtered due to the prompt triggering Azure OpenAI's content management policy." },
      breakStream: 'The server had an error while processing your request.',
      breakHttp: { status: 500, error: 'HTTP 500: The server had an error processing your request.' },
    });
    const first = s.seen[0];
    expect(first.url).toBe('/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21');
    expect(first.headers['api-key']).toBe('azure-key-123');
    expect(first.headers.authorization).toBeUndefined();
    expect(first.body).toEqual({
      messages: [{ role: 'user', content: 'Say hello.' }],
      max_tokens: 8,
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('the model axis selects the deployment; an unknown one is a 404 row', async () => {
    const s = await serve(azureHandler(DEFAULT_SCRIPT, ['gpt-4o']));
    const r = await runOk(
      providerSpec({
        provider: 'azure-openai',
        baseUrl: s.root,
        params: '{ max_tokens: 8 }',
        prompts: '["Say hello."]',
        matrix: '  model: [gpt-4o, missing-deployment]',
      }),
    );
    expect(r.rows.map((x) => [x.params.model, x.status, x.http_status])).toEqual([
      ['gpt-4o', 'ok', 200],
      ['missing-deployment', 'error', 404],
    ]);
    expect(r.rows[1].error).toMatch(/^HTTP 404: The API deployment for this resource does not exist/);
  });
});
