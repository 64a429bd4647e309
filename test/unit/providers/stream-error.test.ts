import { describe, expect, it } from 'vitest';
import { anthropic } from '../../../src/providers/anthropic.js';
import { ollama } from '../../../src/providers/ollama.js';
import { openaiChat } from '../../../src/providers/openai.js';
import { errorStatus } from '../../../src/providers/stream-error.js';
import { tgi } from '../../../src/providers/tgi.js';
import {
  ANTHROPIC_OVERLOADED,
  LLAMA_LOADING,
  LLAMA_TOO_LONG,
  OPENAI_SERVER_ERROR,
  RATE_LIMITED,
  TGI_OVERLOADED,
} from '../../helpers/stream-errors.js';
import { decodeWire } from './decode.js';

describe('errorStatus', () => {
  it('takes a numeric code or status as it is, and names by the status they stand for', () => {
    expect(errorStatus({ code: 503 })).toBe(503);
    expect(errorStatus({ status: '429' })).toBe(429);
    expect(errorStatus({ code: 'rate_limit_exceeded' })).toBe(429);
    expect(errorStatus({ code: null, type: 'server_error' })).toBe(500);
    expect(errorStatus({ type: 'overloaded_error' })).toBe(529);
    expect(errorStatus({ error_type: 'overloaded' }, { overloaded: 429 })).toBe(429);
  });

  it('says nothing for what names no status', () => {
    expect(errorStatus('Rate limit reached')).toBeUndefined();
    expect(errorStatus({ message: 'boom' })).toBeUndefined();
    expect(errorStatus({ code: 7 })).toBeUndefined();
    expect(errorStatus({ type: 'invalid_request_error' })).toBeUndefined();
  });
});

describe('error events of real servers, through the providers', () => {
  it.each([
    ['mock-llm rate limit', RATE_LIMITED, 'Rate limit reached', 429],
    ['OpenAI server_error', OPENAI_SERVER_ERROR, 'The server had an error while processing your request. Sorry about that!', 500],
    ['llama.cpp loading (numeric code)', LLAMA_LOADING, 'Loading model', 503],
    ['llama.cpp context overflow (recorded)', LLAMA_TOO_LONG, 'request (30051 tokens) exceeds the available context size (1024 tokens), try increasing it', 400],
  ])('openai-chat: %s', (_name, wire, message, status) => {
    expect(decodeWire(openaiChat, wire)).toMatchObject({ error: message, errorStatus: status });
  });

  it('anthropic: event: error with overloaded_error is 529, Anthropic\'s status for it', () => {
    expect(decodeWire(anthropic, ANTHROPIC_OVERLOADED)).toMatchObject({ error: 'Overloaded', errorStatus: 529 });
  });

  it('tgi: error_type overloaded is 429, as TGI answers it unstreamed; generation errors are 424', () => {
    expect(decodeWire(tgi, TGI_OVERLOADED)).toMatchObject({ error: 'Model is overloaded', errorStatus: 429 });
    expect(decodeWire(tgi, 'data:{"error":"Request failed during generation: OOM","error_type":"generation"}\n\n').errorStatus).toBe(424);
  });

  it('ollama: a plain error line names no status', () => {
    expect(decodeWire(ollama, '{"error":"an error was encountered while running the model: unexpected EOF"}\n').errorStatus).toBeUndefined();
  });
});
