/** The real CLI with the templated http provider against a made-up gateway (test/helpers/fake-gateway.ts). */
import { describe, expect, it } from 'vitest';
import { gatewayHandler } from '../helpers/fake-gateway.js';
import { DEFAULT_SCRIPT } from '../helpers/fake-wire.js';
import { expectRows, providerSpec, runOk, useServers, type SpecParts } from '../helpers/provider-suite.js';

const serve = useServers();

const gateway = () => serve(gatewayHandler(DEFAULT_SCRIPT));

const paths = `    paths:
      text: [delta.text, output.text]
      finish_reason: stop
      prompt_tokens: usage.in
      completion_tokens: usage.out
      error: failure.msg`;

/** A spec for the gateway: `http` holds the lines of target.http before its paths. */
function gatewaySpec(root: string, http: string, rest: Partial<SpecParts>): string {
  return providerSpec({ provider: 'http', baseUrl: root, target: `  http:\n${http}\n${paths}`, ...rest });
}

const expected = {
  finishReason: 'max_len',
  promptTokens: 7,
  completionTokens: 4,
  fail: { status: 400, error: 'HTTP 400: input too long for this tier' },
  breakStream: 'backend went away',
  breakHttp: { status: 500, error: 'HTTP 500: backend unavailable' },
};

describe('provider http (templated)', () => {
  it('SSE with a done marker: body template, paths to text, finish reason, counts and errors', async () => {
    const s = await gateway();
    const r = await runOk(
      gatewaySpec(
        s.root,
        `    path: /infer
    body: { input: "{{prompt}}", max_len: "{{param.max_tokens}}", temp: "{{param.temperature}}", stream: "{{stream}}", tag: "sweep-{{param.max_tokens}}" }
    stream: sse
    done_marker: "[DONE]"`,
        { params: '{ max_tokens: 8, temperature: 0.5 }' },
      ),
    );
    expectRows(r.rows, DEFAULT_SCRIPT, expected);
    expect(s.seen[0].url).toBe('/infer');
    expect(s.seen[0].body).toEqual({ input: 'Say hello.', max_len: 8, temp: 0.5, stream: true, tag: 'sweep-8' });
  });

  it('NDJSON with a JSON-text body template', async () => {
    const s = await gateway();
    const r = await runOk(
      gatewaySpec(
        s.root,
        `    path: /infer-lines
    body: '{"input": {{prompt}}, "max_len": {{param.max_tokens}}, "stream": {{stream}}}'
    stream: ndjson`,
        { params: '{ max_tokens: 8 }' },
      ),
    );
    expectRows(r.rows, DEFAULT_SCRIPT, expected);
    expect(s.seen[0].body).toEqual({ input: 'Say hello.', max_len: 8, stream: true });
  });

  it('stream: none reads one JSON answer even in cells that would stream', async () => {
    const s = await gateway();
    const r = await runOk(
      gatewaySpec(
        s.root,
        `    path: /infer
    body: { input: "{{prompt}}", stream: "{{stream}}", extra: "{{params}}" }
    stream: none`,
        { params: '{ max_tokens: 8 }', prompts: '["Say hello."]', matrix: '  stream: [true]' },
      ),
    );
    expect(r.rows[0]).toMatchObject({ status: 'ok', completion_tokens: 4, finish_reason: 'max_len', tokens_source: 'usage' });
    expect(r.rows[0].ttft_ms).toBeUndefined();
    expect(s.seen[0].body).toEqual({ input: 'Say hello.', stream: false, extra: { max_tokens: 8 } });
  });
});
