import { describe, expect, it } from 'vitest';
import { triton } from '../../../src/providers/triton.js';
import { buildCtx, decodeWire, target } from './decode.js';

// generate_stream from the vLLM backend with return_finish_reason / return_num_*_tokens:
// https://github.com/triton-inference-server/server/blob/main/docs/protocol/extension_generate.md
const STREAM = [
  { model_name: 'vllm_model', model_version: '1', text_output: 'Deep', finish_reason: 'None', num_input_tokens: 5, num_output_tokens: 1 },
  { model_name: 'vllm_model', model_version: '1', text_output: ' learning', finish_reason: 'None', num_input_tokens: 5, num_output_tokens: 2 },
  { model_name: 'vllm_model', model_version: '1', text_output: '', finish_reason: 'length', num_input_tokens: 5, num_output_tokens: 1 },
]
  .map((o) => `data: ${JSON.stringify(o)}\n\n`)
  .join('');

describe('triton stream decoder', () => {
  it('reads text_output events; sums per-response output counts; "None" is no finish reason', () => {
    expect(decodeWire(triton, STREAM)).toEqual({
      text: 'Deep learning',
      reasoning: '',
      pieces: ['Deep', ' learning'],
      usage: { prompt_tokens: 5, completion_tokens: 4 },
      finishReason: 'length',
      done: true,
    });
  });

  it('uses the configured names (ensembles differ) and reads list-valued outputs', () => {
    const p = triton.configure!(target({ provider: 'triton', triton: { text_output: 'OUTPUT_0' } }));
    expect(decodeWire(p, 'data: {"model_name":"ensemble","OUTPUT_0":["Hi"]}\n\n').text).toBe('Hi');
    expect(decodeWire(triton, 'data: {"model_name":"ensemble","OUTPUT_0":["Hi"]}\n\n').text).toBe('');
  });

  it('an error object in the stream is an error', () => {
    expect(decodeWire(triton, 'data: {"error": "in ensemble \'ensemble\', CUDA out of memory"}\n\n').error).toBe(
      "in ensemble 'ensemble', CUDA out of memory",
    );
  });
});

describe('triton answers and requests', () => {
  it('reads /generate, and says which field it missed', () => {
    expect(triton.parseResponse({ model_name: 'mymodel', model_version: '1', text_output: 'model output' })).toEqual({
      text: 'model output',
      usage: undefined,
      finishReason: undefined,
    });
    expect(() => triton.parseResponse({ model_name: 'm', OUTPUT_0: 'x' })).toThrow(/set target.triton.text_output/);
  });

  it('builds the KServe-style URL with the model (and version); params in parameters or at the top level', () => {
    const t = target({ provider: 'triton', triton: { model_version: '2' } });
    const p = triton.configure!(t);
    const req = p.build(buildCtx(t, { model: 'my model', max_tokens: 8 }));
    expect(req.url).toBe('http://127.0.0.1:9/v2/models/my%20model/versions/2/generate_stream');
    expect(req.body).toEqual({ text_input: 'Hi', parameters: { max_tokens: 8, stream: true } });
    const t2 = target({ provider: 'triton', triton: { params_in: 'body', text_input: 'prompt' } });
    const req2 = triton.configure!(t2).build(buildCtx(t2, { model: 'ensemble', max_tokens: 8 }, { stream: false }));
    expect(req2.url).toBe('http://127.0.0.1:9/v2/models/ensemble/generate');
    expect(req2.body).toEqual({ prompt: 'Hi', max_tokens: 8, stream: false });
  });

  it('needs a model; any other input is the model\'s business', () => {
    const t = target({ provider: 'triton' });
    expect(triton.checkParams!(['model', 'bad_words', 'end_id'], t)).toEqual([]);
    expect(triton.checkParams!(['max_tokens'], t)).toHaveLength(1);
  });
});
