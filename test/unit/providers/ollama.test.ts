import { describe, expect, it } from 'vitest';
import { ollama } from '../../../src/providers/ollama.js';
import { buildCtx, decodeWire, target } from './decode.js';

// /api/chat streamed, as in https://github.com/ollama/ollama/blob/main/docs/api.md (compact, one object per line).
const CHAT = [
  { model: 'llama3.2', created_at: '2023-08-04T08:52:19.385406455-07:00', message: { role: 'assistant', content: 'The', images: null }, done: false },
  { model: 'llama3.2', created_at: '2023-08-04T08:52:19.5Z', message: { role: 'assistant', content: ' sky' }, done: false },
  {
    model: 'llama3.2',
    created_at: '2023-08-04T19:22:45.499127Z',
    message: { role: 'assistant', content: '' },
    done_reason: 'stop',
    done: true,
    total_duration: 4883583458,
    load_duration: 1334875,
    prompt_eval_count: 26,
    prompt_eval_duration: 342546000,
    eval_count: 282,
    eval_duration: 4535599000,
  },
]
  .map((o) => JSON.stringify(o))
  .join('\n');

describe('ollama stream decoder', () => {
  it('reads NDJSON chat lines; counts and ns durations (as ms) from the final object', () => {
    const d = decodeWire(ollama, `${CHAT}\n`);
    expect(d).toMatchObject({ text: 'The sky', pieces: ['The', ' sky'], finishReason: 'stop', done: true });
    expect(d.usage).toEqual({ prompt_tokens: 26, completion_tokens: 282 });
    expect(d.serverTimings).toEqual({
      total_duration_ms: 4883.583458,
      load_duration_ms: 1.334875,
      prompt_eval_duration_ms: 342.546,
      eval_duration_ms: 4535.599,
      eval_tokens_per_s: (282 * 1e9) / 4535599000,
      prompt_eval_tokens_per_s: (26 * 1e9) / 342546000,
    });
  });

  it('reads /api/generate lines (response), thinking as reasoning, and a last line without a newline', () => {
    const lines = [
      { model: 'qwen3', response: '', thinking: 'Hmm', done: false },
      { model: 'qwen3', response: 'Blue', done: false },
      { model: 'qwen3', response: '', done: true, done_reason: 'length', eval_count: 2, prompt_eval_count: 5 },
    ].map((o) => JSON.stringify(o));
    const d = decodeWire(ollama, lines.join('\n'));
    expect(d).toMatchObject({ text: 'Blue', reasoning: 'Hmm', pieces: ['Hmm', 'Blue'], finishReason: 'length', done: true });
  });

  it('an error line is an error', () => {
    expect(decodeWire(ollama, '{"error":"an error was encountered while running the model: unexpected EOF"}\n').error).toBe(
      'an error was encountered while running the model: unexpected EOF',
    );
  });
});

describe('ollama answers and requests', () => {
  it('reads a non-streamed answer of either endpoint', () => {
    const c = ollama.parseResponse({
      model: 'llama3.2',
      message: { role: 'assistant', content: 'Hello! How are you today?' },
      done: true,
      prompt_eval_count: 26,
      eval_count: 298,
      eval_duration: 4799921000,
    });
    expect(c).toMatchObject({ text: 'Hello! How are you today?', usage: { prompt_tokens: 26, completion_tokens: 298 } });
    expect(c.serverTimings).toMatchObject({ eval_duration_ms: 4799.921 });
    expect(ollama.parseResponse({ response: 'The sky is blue.', done: true, done_reason: 'stop' })).toMatchObject({
      text: 'The sky is blue.',
      finishReason: 'stop',
    });
  });

  it('maps params into options (max_tokens -> num_predict, repetition_penalty -> repeat_penalty); options objects merge', () => {
    const req = ollama.build(
      buildCtx(target({ provider: 'ollama' }), {
        model: 'llama3.2',
        max_tokens: 64,
        repetition_penalty: 1.1,
        stop: 'END',
        options: { num_ctx: 4096 },
        format: 'json',
      }),
    );
    expect(req.url).toBe('http://127.0.0.1:9/api/chat');
    expect(req.body).toEqual({
      messages: [{ role: 'user', content: 'Hi' }],
      model: 'llama3.2',
      format: 'json',
      options: { num_predict: 64, repeat_penalty: 1.1, stop: ['END'], num_ctx: 4096 },
      stream: true,
    });
  });

  it('checks params per endpoint', () => {
    const chat = target({ provider: 'ollama' });
    const generate = target({ provider: 'ollama', ollama: { api: 'generate' } });
    expect(ollama.checkParams!(['model', 'max_tokens', 'num_ctx', 'min_p'], chat)).toEqual([]);
    expect(ollama.checkParams!(['model', 'system'], generate)).toEqual([]);
    expect(ollama.checkParams!(['model', 'system', 'logit_bias'], chat).map((p) => p.key)).toEqual(['system', 'logit_bias']);
    expect(ollama.checkParams!(['temperature'], chat).map((p) => p.message)).toEqual([
      "provider 'ollama' needs 'model' in params or the matrix: Ollama requires it (e.g. llama3.2)",
    ]);
  });
});
