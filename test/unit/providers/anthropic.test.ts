import { describe, expect, it } from 'vitest';
import { anthropic } from '../../../src/providers/anthropic.js';
import { buildCtx, decodeWire, target } from './decode.js';

// The stream from https://docs.anthropic.com/en/docs/build-with-claude/streaming ("Basic streaming request").
const BASIC = `event: message_start
data: {"type": "message_start", "message": {"id": "msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY", "type": "message", "role": "assistant", "content": [], "model": "claude-opus-4-1-20250805", "stop_reason": null, "stop_sequence": null, "usage": {"input_tokens": 25, "output_tokens": 1}}}

event: content_block_start
data: {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}

event: ping
data: {"type": "ping"}

event: content_block_delta
data: {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hello"}}

event: content_block_delta
data: {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "!"}}

event: content_block_stop
data: {"type": "content_block_stop", "index": 0}

event: message_delta
data: {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence":null}, "usage": {"output_tokens": 15}}

event: message_stop
data: {"type": "message_stop"}

`;

// Extended thinking: a thinking block (thinking_delta, then signature_delta) before the text block.
const THINKING = `event: message_start
data: {"type": "message_start", "message": {"id": "msg_01", "type": "message", "role": "assistant", "content": [], "model": "claude-sonnet-4-5", "stop_reason": null, "stop_sequence": null, "usage": {"input_tokens": 10, "cache_read_input_tokens": 90, "output_tokens": 1}}}

event: content_block_start
data: {"type": "content_block_start", "index": 0, "content_block": {"type": "thinking", "thinking": ""}}

event: content_block_delta
data: {"type": "content_block_delta", "index": 0, "delta": {"type": "thinking_delta", "thinking": "Let me think."}}

event: content_block_delta
data: {"type": "content_block_delta", "index": 0, "delta": {"type": "signature_delta", "signature": "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds"}}

event: content_block_stop
data: {"type": "content_block_stop", "index": 0}

event: content_block_start
data: {"type": "content_block_start", "index": 1, "content_block": {"type": "text", "text": ""}}

event: content_block_delta
data: {"type": "content_block_delta", "index": 1, "delta": {"type": "text_delta", "text": "42"}}

event: content_block_stop
data: {"type": "content_block_stop", "index": 1}

event: message_delta
data: {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": null}, "usage": {"output_tokens": 30}}

event: message_stop
data: {"type": "message_stop"}

`;

describe('anthropic stream decoder', () => {
  it('reads the documented basic stream: text, input and output usage, stop reason, end', () => {
    expect(decodeWire(anthropic, BASIC)).toEqual({
      text: 'Hello!',
      reasoning: '',
      pieces: ['Hello', '!'],
      usage: { prompt_tokens: 25, completion_tokens: 15 },
      finishReason: 'end_turn',
      done: true,
    });
  });

  it('counts thinking as reasoning (TTFT), skips signatures, adds cached prompt tokens', () => {
    const d = decodeWire(anthropic, THINKING);
    expect(d.pieces).toEqual(['Let me think.', '42']);
    expect(d.reasoning).toBe('Let me think.');
    expect(d.text).toBe('42');
    expect(d.usage).toEqual({ prompt_tokens: 100, completion_tokens: 30 });
  });

  it('turns an error event into an error; tool input JSON is output text', () => {
    const err = decodeWire(
      anthropic,
      'event: error\ndata: {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}\n\n',
    );
    expect(err.error).toBe('Overloaded');
    const tool = decodeWire(
      anthropic,
      'event: content_block_delta\ndata: {"type": "content_block_delta","index": 1,"delta": {"type": "input_json_delta","partial_json": "{\\"location\\": \\"San Fra"}}\n\n',
    );
    expect(tool.text).toBe('{"location": "San Fra');
  });

  it('ignores unknown event types (the API adds new ones)', () => {
    expect(decodeWire(anthropic, 'event: shiny_new\ndata: {"type": "shiny_new"}\n\n')).toMatchObject({ text: '', done: false });
  });
});

describe('anthropic answers and requests', () => {
  it('reads a non-streamed message', () => {
    expect(
      anthropic.parseResponse({
        content: [
          { type: 'thinking', thinking: 'hmm', signature: 'x' },
          { type: 'text', text: 'Hi!' },
        ],
        stop_reason: 'end_turn',
        usage: { input_tokens: 12, output_tokens: 6 },
      }),
    ).toEqual({ text: 'Hi!', reasoning: 'hmm', finishReason: 'end_turn', usage: { prompt_tokens: 12, completion_tokens: 6 } });
    expect(() => anthropic.parseResponse({ type: 'error' })).toThrow(/no content/);
  });

  it('builds POST /v1/messages with the key, the version, system apart and mapped params', () => {
    const t = target({ provider: 'anthropic', api_key: 'k', anthropic_version: '2024-01-01', headers: { 'anthropic-beta': 'x' } });
    const req = anthropic.build(
      buildCtx(t, { model: 'm', max_completion_tokens: 5, stop: 'END', user: 'u1' }, {
        stream: false,
        prompt: { messages: [{ role: 'system', content: 'S' }, { role: 'user', content: 'Q' }] },
      }),
    );
    expect(req.url).toBe('http://127.0.0.1:9/v1/messages');
    expect(req.headers).toEqual({ 'x-api-key': 'k', 'anthropic-version': '2024-01-01', 'anthropic-beta': 'x' });
    expect(req.body).toEqual({
      system: 'S',
      messages: [{ role: 'user', content: 'Q' }],
      model: 'm',
      max_tokens: 5,
      stop_sequences: ['END'],
      metadata: { user_id: 'u1' },
      stream: false,
    });
  });

  it('checks params: unknown fields, and model and max_tokens required', () => {
    const t = target({ provider: 'anthropic' });
    expect(anthropic.checkParams!(['model', 'max_tokens', 'temperature', 'top_k'], t)).toEqual([]);
    const problems = anthropic.checkParams!(['seed', 'temperatur'], t).map((p) => [p.key, p.message]);
    expect(problems).toEqual([
      ['seed', "provider 'anthropic' has no field for 'seed'; the Messages API has no seed (sampling is not reproducible) (see docs/providers.md)"],
      ['temperatur', "provider 'anthropic' has no field for 'temperatur'; did you mean 'temperature'? (see docs/providers.md)"],
      [undefined, "provider 'anthropic' needs 'model' in params or the matrix: the Messages API requires it"],
      [undefined, "provider 'anthropic' needs 'max_tokens' in params or the matrix: the Messages API requires it"],
    ]);
  });
});
