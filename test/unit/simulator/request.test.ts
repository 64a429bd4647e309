import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_TOKENS, parseRequest, parseTritonRequest, RequestError } from '../../../src/simulator/request.js';
import type { OpenAIEndpoint } from '../../../src/simulator/wire.js';

const chat = { model: 'm', messages: [{ role: 'user', content: 'hello' }] };

function errorOf(endpoint: OpenAIEndpoint, body: unknown) {
  try {
    parseRequest(endpoint, typeof body === 'string' ? body : JSON.stringify(body));
  } catch (e) {
    if (e instanceof RequestError) return { status: e.status, ...e.body.error };
    throw e;
  }
  throw new Error('expected a RequestError');
}

describe('parseRequest: OpenAI-style 400 errors', () => {
  it.each([
    ['bad JSON', '{"model": ', null, null, /could not parse the JSON body/],
    ['a non-object body', [1], null, 'invalid_type', /expected an object, but got an array/],
    ['missing model', { messages: chat.messages }, 'model', 'missing_required_parameter', /Missing required parameter: 'model'/],
    ['a numeric model', { ...chat, model: 3 }, 'model', 'invalid_type', /'model': expected a string, but got an integer/],
    ['missing messages', { model: 'm' }, 'messages', 'missing_required_parameter', /'messages'/],
    ['messages not an array', { model: 'm', messages: 'hi' }, 'messages', 'invalid_type', /expected an array/],
    ['empty messages', { model: 'm', messages: [] }, 'messages', 'empty_array', /empty array/],
    ['a bad role', { model: 'm', messages: [{ role: 'robot', content: 'x' }] }, 'messages[0].role', 'invalid_value', /'robot'/],
    ['numeric content', { model: 'm', messages: [{ role: 'user', content: 5 }] }, 'messages[0].content', 'invalid_type', /string or array/],
    ['max_tokens as a string', { ...chat, max_tokens: '5' }, 'max_tokens', 'invalid_type', /expected an integer, but got a string/],
    ['max_tokens 0', { ...chat, max_tokens: 0 }, 'max_tokens', 'integer_below_min_value', />= 1/],
    ['huge max_tokens', { ...chat, max_tokens: 10 ** 6 }, 'max_tokens', 'invalid_value', /too large/],
    ['temperature 3', { ...chat, temperature: 3 }, 'temperature', 'decimal_above_max_value', /<= 2/],
    ['temperature as a string', { ...chat, temperature: 'hot' }, 'temperature', 'invalid_type', /a number/],
    ['n = 2', { ...chat, n: 2 }, 'n', 'invalid_value', /one choice/],
    ['five stop strings', { ...chat, stop: ['a', 'b', 'c', 'd', 'e'] }, 'stop', 'array_above_max_length', /maximum length 4/],
    ['a numeric stop', { ...chat, stop: 1 }, 'stop', 'invalid_type', /string or array of strings/],
    ['stream as a string', { ...chat, stream: 'yes' }, 'stream', 'invalid_type', /a boolean/],
    ['stream_options without stream', { ...chat, stream_options: { include_usage: true } }, 'stream_options', 'invalid_value', /only allowed when 'stream'/],
  ])('rejects %s', (_, body, param, code, message) => {
    const e = errorOf('chat', body);
    expect(e).toMatchObject({ status: 400, type: 'invalid_request_error', param, code });
    expect(e.message).toMatch(message);
  });

  it('rejects a bad completions prompt', () => {
    expect(errorOf('completions', { model: 'm' })).toMatchObject({ param: 'prompt', code: 'missing_required_parameter' });
    expect(errorOf('completions', { model: 'm', prompt: { text: 'x' } })).toMatchObject({ param: 'prompt', code: 'invalid_type' });
    expect(errorOf('completions', { model: 'm', prompt: ['a', 'b'] })).toMatchObject({ param: 'prompt', code: 'invalid_value' });
  });
});

describe('parseRequest: normalized request', () => {
  it('fills OpenAI defaults', () => {
    expect(parseRequest('chat', JSON.stringify(chat))).toEqual({
      endpoint: 'chat',
      model: 'm',
      prompt: 'hello',
      texts: ['hello'],
      promptIds: undefined,
      promptTokens: 2,
      maxTokens: DEFAULT_MAX_TOKENS,
      temperature: 1,
      seed: undefined,
      stop: [],
      stream: false,
      includeUsage: false,
      ignoreEos: false,
      minTokens: 0,
    });
  });

  it('counts prompt tokens as ceil(chars / 4) over all message text, parts included', () => {
    const r = parseRequest(
      'chat',
      JSON.stringify({
        model: 'm',
        messages: [
          { role: 'system', content: 'You are terse.' }, // 14 chars
          { role: 'user', content: [{ type: 'text', text: 'What is KV?' }, { type: 'image_url', image_url: { url: 'x' } }] }, // 11
          { role: 'assistant', content: null },
        ],
      }),
    );
    expect(r.promptTokens).toBe(Math.ceil(25 / 4));
    expect(r.prompt).toBe('You are terse.\nWhat is KV?');
  });

  it('prefers max_completion_tokens over max_tokens and reads the rest', () => {
    const r = parseRequest(
      'chat',
      JSON.stringify({ ...chat, max_tokens: 5, max_completion_tokens: 9, temperature: 0, seed: 3, stop: 'x', stream: true, stream_options: { include_usage: true }, top_p: 0.9 }),
    );
    expect(r).toMatchObject({ maxTokens: 9, temperature: 0, seed: 3, stop: ['x'], stream: true, includeUsage: true });
  });

  it('reads completions prompts: a string, one-element list, token ids', () => {
    expect(parseRequest('completions', '{"model":"m","prompt":"abcdefgh"}')).toMatchObject({ prompt: 'abcdefgh', promptTokens: 2 });
    expect(parseRequest('completions', '{"model":"m","prompt":["abcde"]}')).toMatchObject({ promptTokens: 2 });
    expect(parseRequest('completions', '{"model":"m","prompt":[1,2,3]}')).toMatchObject({ promptTokens: 3 });
    expect(parseRequest('completions', '{"model":"m","prompt":[[1,2]]}')).toMatchObject({ promptTokens: 2 });
  });
});

describe("a Triton generate request, read as the completion it asks for", () => {
  const route = { model: 'llama', stream: true };
  it('takes the prompt from text_input, parameters from `parameters` or top-level inputs, the stream from the route', () => {
    const r = parseTritonRequest(JSON.stringify({ text_input: 'Once upon a time', temperature: 0.5, parameters: { max_tokens: 9, seed: 3, stream: false, return_num_output_tokens: true } }), route);
    expect(r).toMatchObject({ endpoint: 'triton', model: 'llama', prompt: 'Once upon a time', maxTokens: 9, temperature: 0.5, seed: 3, stream: true, includeUsage: false });
    expect(r.returns).toEqual({ finishReason: false, inputTokens: false, outputTokens: true });
    expect(parseTritonRequest(JSON.stringify({ text_input: 'x', max_new_tokens: 4 }), { model: 'm', stream: false })).toMatchObject({ maxTokens: 4, stream: false });
  });

  it('refuses a request without text_input, or with parameters that are not an object, as the OpenAI routes refuse theirs', () => {
    const err = (body: unknown) => {
      try {
        parseTritonRequest(JSON.stringify(body), route);
      } catch (e) {
        if (e instanceof RequestError) return { status: e.status, param: e.body.error.param };
      }
      return undefined;
    };
    expect(err({ parameters: {} })).toEqual({ status: 400, param: 'text_input' });
    expect(err({ text_input: 7 })).toEqual({ status: 400, param: 'text_input' });
    expect(err({ text_input: 'x', parameters: [1] })).toEqual({ status: 400, param: 'parameters' });
    expect(err({ text_input: 'x', parameters: { max_tokens: 'ten' } })).toEqual({ status: 400, param: 'max_tokens' });
  });
});
