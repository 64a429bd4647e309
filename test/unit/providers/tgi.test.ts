import { describe, expect, it } from 'vitest';
import { tgi } from '../../../src/providers/tgi.js';
import { buildCtx, decodeWire, target } from './decode.js';

// /generate_stream as TGI writes it (no space after `data:`), ending with the special EOS
// token; https://huggingface.co/docs/text-generation-inference/conceptual/streaming
const STREAM = [
  'data:{"index":1,"token":{"id":7446,"text":" Deep","logprob":-0.23,"special":false},"generated_text":null,"details":null}',
  'data:{"index":2,"token":{"id":6509,"text":" learning","logprob":-0.01,"special":false},"generated_text":null,"details":null}',
  'data:{"index":3,"token":{"id":2,"text":"</s>","logprob":-0.3,"special":true},"generated_text":" Deep learning","details":{"finish_reason":"eos_token","generated_tokens":3,"seed":null,"input_length":6}}',
]
  .map((l) => `${l}\n\n`)
  .join('');

describe('tgi stream decoder', () => {
  it('reads token events, leaves the special token out, takes counts and the finish reason from details', () => {
    expect(decodeWire(tgi, STREAM)).toEqual({
      text: ' Deep learning',
      reasoning: '',
      pieces: [' Deep', ' learning'],
      usage: { completion_tokens: 3, prompt_tokens: 6 },
      finishReason: 'eos_token',
      done: true,
    });
  });

  it('older TGI without input_length: no prompt count (estimated later)', () => {
    const d = decodeWire(
      tgi,
      'data:{"token":{"id":1,"text":"a","logprob":0,"special":false},"generated_text":"a","details":{"finish_reason":"length","generated_tokens":1,"seed":42}}\n\n',
    );
    expect(d.usage).toEqual({ completion_tokens: 1 });
    expect(d.finishReason).toBe('length');
  });

  it('an error object in the stream is an error', () => {
    expect(decodeWire(tgi, 'data:{"error":"Request failed during generation: Server error: OOM","error_type":"generation"}\n\n').error).toBe(
      'Request failed during generation: Server error: OOM',
    );
  });
});

describe('tgi answers and requests', () => {
  it('reads /generate (and the compat list of one)', () => {
    const body = {
      generated_text: 'Deep learning is',
      details: { finish_reason: 'length', generated_tokens: 3, seed: null, prefill: [{}, {}], tokens: [] },
    };
    const want = { text: 'Deep learning is', finishReason: 'length', usage: { completion_tokens: 3, prompt_tokens: 2 } };
    expect(tgi.parseResponse(body)).toEqual(want);
    expect(tgi.parseResponse([body])).toEqual(want);
    expect(() => tgi.parseResponse({ error: 'x' })).toThrow(/generated_text/);
  });

  it('maps params into parameters: max_tokens -> max_new_tokens, temperature 0 -> greedy, stop -> list; always details', () => {
    const t = target({ provider: 'tgi', api_key: 'hf_x' });
    const streamed = tgi.build(buildCtx(t, { max_tokens: 16, temperature: 0, stop: '###', seed: 3 }));
    expect(streamed.url).toBe('http://127.0.0.1:9/generate_stream');
    expect(streamed.headers).toEqual({ authorization: 'Bearer hf_x' });
    expect(streamed.body).toEqual({ inputs: 'Hi', parameters: { max_new_tokens: 16, do_sample: false, stop: ['###'], seed: 3, details: true } });
    const whole = tgi.build(buildCtx(t, { temperature: 0.7 }, { stream: false }));
    expect(whole.url).toBe('http://127.0.0.1:9/generate');
    expect(whole.body).toEqual({ inputs: 'Hi', parameters: { temperature: 0.7, details: true } });
  });

  it('checks params: presence_penalty and model have no field', () => {
    const t = target({ provider: 'tgi' });
    expect(tgi.checkParams!(['max_tokens', 'temperature', 'top_p', 'repetition_penalty'], t)).toEqual([]);
    expect(tgi.checkParams!(['presence_penalty', 'model'], t).map((p) => p.message)).toEqual([
      "provider 'tgi' has no field for 'presence_penalty'; TGI has frequency_penalty and repetition_penalty, but no presence_penalty (see docs/providers.md)",
      "provider 'tgi' has no field for 'model'; a TGI server serves one model and /generate has no model field; drop it, or use openai-chat with base_url {base}/v1 (see docs/providers.md)",
    ]);
  });
});
