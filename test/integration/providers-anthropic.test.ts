/** The real CLI against a fake Anthropic Messages API (test/helpers/fake-anthropic.ts). */
import { describe, expect, it } from 'vitest';
import { anthropicHandler } from '../helpers/fake-anthropic.js';
import { DEFAULT_SCRIPT } from '../helpers/fake-wire.js';
import { expectRows, providerSpec, runOk, useServers } from '../helpers/provider-suite.js';

const serve = useServers();

describe('provider anthropic', () => {
  it('streams and not: TTFT at the first text_delta, usage from message_start and message_delta, errors', async () => {
    const s = await serve(anthropicHandler(DEFAULT_SCRIPT));
    const r = await runOk(
      providerSpec({
        provider: 'anthropic',
        baseUrl: s.root,
        target: '  api_key: ${TEST_ANTHROPIC_KEY}',
        params: '{ model: claude-sonnet-4-5, max_tokens: 8, stop: "END" }',
        prompts: `[{ messages: [{ role: system, content: "Be brief." }, { role: user, content: "Say hello." }] }, "FAIL on purpose", "BREAK mid-stream"]`,
      }),
      { TEST_ANTHROPIC_KEY: 'sk-ant-test-123' },
    );
    expectRows(r.rows, DEFAULT_SCRIPT, {
      finishReason: 'max_tokens',
      promptTokens: 7,
      completionTokens: 4,
      fail: { status: 400, error: 'HTTP 400: prompt is too long: 210000 tokens > 200000 maximum' },
      breakStream: 'Overloaded',
      breakHttp: { status: 529, error: 'HTTP 529: Overloaded' },
    });
    const first = s.seen[0];
    expect(first.url).toBe('/v1/messages');
    expect(first.headers['x-api-key']).toBe('sk-ant-test-123');
    expect(first.headers['anthropic-version']).toBe('2023-06-01');
    expect(first.headers.authorization).toBeUndefined();
    expect(first.body).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 8,
      stop_sequences: ['END'],
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'Say hello.' }],
      stream: true,
    });
  });
});
