/** The real CLI against a fake Triton generate extension (test/helpers/fake-triton.ts). */
import { describe, expect, it } from 'vitest';
import { tritonHandler } from '../helpers/fake-triton.js';
import { DEFAULT_SCRIPT } from '../helpers/fake-wire.js';
import { expectRows, providerSpec, runOk, useServers } from '../helpers/provider-suite.js';

const serve = useServers();

const fail = { status: 400, error: "HTTP 400: Request for unknown model: 'nope' is not found" };
const breakHttp = { status: 500, error: 'HTTP 500: CUDA out of memory' };

describe('provider triton', () => {
  it('vLLM backend: text_output events, finish reason and token counts when asked, errors', async () => {
    const s = await serve(tritonHandler(DEFAULT_SCRIPT));
    const r = await runOk(
      providerSpec({
        provider: 'triton',
        baseUrl: s.root,
        params: '{ model: vllm_model, max_tokens: 8, return_finish_reason: true, return_num_input_tokens: true, return_num_output_tokens: true }',
      }),
    );
    expectRows(r.rows, DEFAULT_SCRIPT, {
      finishReason: 'length',
      promptTokens: 7,
      completionTokens: 4,
      fail,
      breakStream: 'CUDA out of memory',
      breakHttp,
    });
    expect(s.seen[0].url).toBe('/v2/models/vllm_model/generate_stream');
    expect(s.seen[0].body).toEqual({
      text_input: 'Say hello.',
      parameters: { max_tokens: 8, return_finish_reason: true, return_num_input_tokens: true, return_num_output_tokens: true, stream: true },
    });
    expect(s.seen.find((x) => x.url === '/v2/models/vllm_model/generate')!.body.parameters).toMatchObject({ stream: false });
  });

  it('ensemble with its own field names and top-level inputs; no counts, so tokens are estimated', async () => {
    const s = await serve(tritonHandler(DEFAULT_SCRIPT, { input: 'prompt', output: 'completion' }));
    const r = await runOk(
      providerSpec({
        provider: 'triton',
        baseUrl: s.root,
        target: '  triton: { text_input: prompt, text_output: completion, params_in: body }',
        params: '{ model: ensemble, max_tokens: 8 }',
        prompts: '["Say hello."]',
        matrix: '  stream: [true, false]',
      }),
    );
    expect(r.rows).toHaveLength(2);
    for (const x of r.rows) {
      // Hello there! -> 3 tokens by the estimator; no finish reason without return_finish_reason.
      expect(x).toMatchObject({ status: 'ok', tokens_source: 'estimate', completion_tokens: 3 });
      expect(x.finish_reason).toBeUndefined();
    }
    expect(r.rows.find((x) => x.params.stream === true)!.ttft_ms).toBeGreaterThanOrEqual(79);
    expect(s.seen[0].body).toEqual({ prompt: 'Say hello.', max_tokens: 8, stream: true });
  });

  it('base_url: builtin: the bundled simulator answers the generate extension, streamed and not, with its counts when asked', async () => {
    const r = await runOk(
      providerSpec({
        provider: 'triton',
        baseUrl: 'builtin',
        target: '  simulator: { ttft_ms: 60, itl_ms: 5, jitter: 0, stop_probability: 0 }',
        params: '{ model: sim-7b, max_tokens: 6, return_finish_reason: true, return_num_input_tokens: true, return_num_output_tokens: true }',
        prompts: '["Once upon a time"]',
      }),
    );
    expect(r.rows).toHaveLength(2);
    for (const x of r.rows) expect(x).toMatchObject({ status: 'ok', tokens_source: 'usage', prompt_tokens: 4, completion_tokens: 6, finish_reason: 'length' });
    // TTFT is the simulator's 60 ms, not the first byte of the response (its headers go out at once).
    expect(r.rows.find((x) => x.params.stream === true)!.ttft_ms).toBeGreaterThanOrEqual(59);
  });
});
