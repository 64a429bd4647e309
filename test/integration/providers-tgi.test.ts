/** The real CLI against a fake TGI server, native /generate and /generate_stream (test/helpers/fake-tgi.ts). */
import { describe, expect, it } from 'vitest';
import { tgiHandler } from '../helpers/fake-tgi.js';
import { DEFAULT_SCRIPT } from '../helpers/fake-wire.js';
import { expectRows, providerSpec, runOk, useServers } from '../helpers/provider-suite.js';

const serve = useServers();

const fail = {
  status: 422,
  error:
    'HTTP 422: Input validation error: `inputs` tokens + `max_new_tokens` must be <= 4096. Given: 4000 `inputs` tokens and 200 `max_new_tokens`',
};
const breaks = 'Request failed during generation: Server error: CUDA out of memory';

describe('provider tgi', () => {
  it('streams and not: token events, details with counts, the special EOS token left out, errors', async () => {
    const script = { ...DEFAULT_SCRIPT, finishReason: 'eos_token' };
    const s = await serve(tgiHandler(script));
    const r = await runOk(
      providerSpec({ provider: 'tgi', baseUrl: s.root, params: '{ max_tokens: 8, temperature: 0, stop: "\\n\\n" }' }),
    );
    const common = { finishReason: 'eos_token', fail, breakStream: breaks, breakHttp: { status: 424, error: `HTTP 424: ${breaks}` } };
    // generated_tokens counts the EOS token; /generate's input length comes from its x-prompt-tokens header.
    expectRows(r.rows, script, { ...common, promptTokens: 7, completionTokens: 5 });
    expect(s.seen[0].url).toBe('/generate_stream');
    expect(s.seen[0].body).toEqual({
      inputs: 'Say hello.',
      parameters: { max_new_tokens: 8, do_sample: false, stop: ['\n\n'], details: true },
    });
    expect(s.seen.find((x) => x.url === '/generate')).toBeDefined();
  });
});
