/**
 * What servers report about a request themselves, read from their real shapes: llama.cpp's
 * recordings (timings, prompt_tokens_details, cache_n), Ollama's documented final object
 * (durations in ns), TGI's timing headers, Anthropic's cache counts. Empty where a server
 * sends nothing.
 */
import { describe, expect, it } from 'vitest';
import { anthropic } from '../../../src/providers/anthropic.js';
import { ollama } from '../../../src/providers/ollama.js';
import { openaiChat } from '../../../src/providers/openai.js';
import { tgi } from '../../../src/providers/tgi.js';
import { readWire, readWireText } from '../../helpers/wire-fixtures.js';
import { decodeWire } from './decode.js';

describe('llama.cpp (recorded)', () => {
  it('2026-08 stream: role chunk first, usage in its own choices: [] chunk with prompt_tokens_details and timings', () => {
    const d = decodeWire(openaiChat, readWire('llama-server-2026-08/chat-stream.sse'));
    expect(d).toMatchObject({ text: '2 server get would+u not%', finishReason: 'length', done: true });
    expect(d.pieces).toHaveLength(8);
    expect(d.usage).toEqual({ prompt_tokens: 70, completion_tokens: 8, total_tokens: 78 });
    expect(d.server).toEqual({ prefill_ms: 1.327, decode_ms: 1.159, cached_tokens: 0 });
  });

  it('2026-08 stream without usage: timings (and cache_n) still come, in the finish chunk', () => {
    const d = decodeWire(openaiChat, readWire('llama-server-2026-08/chat-stream-no-usage.sse'));
    expect(d.usage).toBeUndefined();
    expect(d.server).toEqual({ prefill_ms: 0.211, decode_ms: 0.886, cached_tokens: 69 });
  });

  it('2026-08 non-streamed: cached_tokens from usage.prompt_tokens_details', () => {
    const c = openaiChat.parseResponse(JSON.parse(readWireText('llama-server-2026-08/chat.json')));
    expect(c.server).toEqual({ prefill_ms: 0.168, decode_ms: 0.565, cached_tokens: 69 });
  });

  it('b4747: timings without any cache count', () => {
    expect(decodeWire(openaiChat, readWire('llama-server/chat-stream.sse')).server).toEqual({ prefill_ms: 1.773, decode_ms: 1.69 });
    expect(openaiChat.parseResponse(JSON.parse(readWireText('llama-server/chat.json'))).server).toEqual({ prefill_ms: 0.382, decode_ms: 1.514 });
  });

  it('a server that reports nothing (mock-llm) leaves it empty', () => {
    expect(decodeWire(openaiChat, readWire('mock-llm/chat-stream.sse')).server).toBeUndefined();
  });
});

// Ollama's documented final object (docs.ollama.com/api/usage): durations in nanoseconds.
const OLLAMA_FINAL = {
  model: 'gemma3',
  created_at: '2025-10-17T23:14:07.414671Z',
  response: 'Hello! How can I help you today?',
  done: true,
  done_reason: 'stop',
  total_duration: 174560334,
  load_duration: 101397084,
  prompt_eval_count: 11,
  prompt_eval_duration: 13074791,
  eval_count: 18,
  eval_duration: 52479709,
};
const OLLAMA_REPORT = { queue_ms: 101.397084, prefill_ms: 13.074791, decode_ms: 52.479709, total_ms: 174.560334 };

describe('Ollama', () => {
  it('the final object: load (before the prompt), prompt eval, eval and total, in ms', () => {
    expect(ollama.parseResponse(OLLAMA_FINAL).server).toEqual(OLLAMA_REPORT);
    const stream = `${JSON.stringify({ model: 'gemma3', response: 'Hello!', done: false })}\n${JSON.stringify({ ...OLLAMA_FINAL, response: '' })}\n`;
    expect(decodeWire(ollama, stream).server).toEqual(OLLAMA_REPORT);
  });
});

// TGI's /generate headers: integer ms (x-compute-time is seconds, not read).
const TGI_HEADERS = {
  'x-compute-type': 'gpu+optimized',
  'x-compute-time': '0.868',
  'x-compute-characters': '23',
  'x-total-time': '868',
  'x-validation-time': '1',
  'x-queue-time': '12',
  'x-inference-time': '855',
  'x-time-per-token': '42',
  'x-prompt-tokens': '6',
  'x-generated-tokens': '20',
};

describe('TGI', () => {
  const body = { generated_text: ' Deep learning', details: { finish_reason: 'length', generated_tokens: 20, seed: null, prefill: [], tokens: [] } };

  it('/generate: queue and total from the headers, the raw timings kept, the prompt length from x-prompt-tokens', () => {
    const c = tgi.parseResponse(body, TGI_HEADERS);
    expect(c.server).toEqual({ queue_ms: 12, total_ms: 868 });
    expect(c.serverTimings).toEqual({ validation_time_ms: 1, queue_time_ms: 12, inference_time_ms: 855, time_per_token_ms: 42, total_time_ms: 868 });
    expect(c.usage).toEqual({ completion_tokens: 20, prompt_tokens: 6 });
  });

  it('/generate_stream sends no timing headers: nothing reported', () => {
    const wire = 'data:{"index":1,"token":{"id":1,"text":"a","logprob":0,"special":false},"generated_text":"a","details":{"finish_reason":"length","generated_tokens":1,"seed":null,"input_length":2}}\n\n';
    expect(decodeWire(tgi, wire, { 'x-compute-type': 'gpu+optimized', 'x-compute-characters': '5' }).server).toBeUndefined();
  });
});

describe('Anthropic', () => {
  it('cache_read_input_tokens is cached_tokens, streamed and not', () => {
    const start = `event: message_start\ndata: ${JSON.stringify({ type: 'message_start', message: { usage: { input_tokens: 10, cache_read_input_tokens: 90, output_tokens: 1 } } })}\n\n`;
    expect(decodeWire(anthropic, start).server).toEqual({ cached_tokens: 90 });
    const body = { content: [{ type: 'text', text: 'hi' }], stop_reason: 'end_turn', usage: { input_tokens: 5, cache_read_input_tokens: 7, output_tokens: 2 } };
    expect(anthropic.parseResponse(body).server).toEqual({ cached_tokens: 7 });
    expect(anthropic.parseResponse({ ...body, usage: { input_tokens: 5, output_tokens: 2 } }).server).toBeUndefined();
  });
});
