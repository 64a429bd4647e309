/**
 * Error events that real servers send inside a 200 stream, as SSE frames, with where each
 * shape comes from. Each one is what a fake writes as the first event of a stream (before
 * any content) or after some content.
 */
import { readWireText } from './wire-fixtures.js';

/** @dwmkerr/mock-llm's rate limit on a streamed request (test/fixtures/wire/README.md). */
export const RATE_LIMITED = 'data: {"error":{"message":"Rate limit reached","code":"rate_limit_exceeded"}}\n\n';

/** OpenAI's transient failure, as its API reference shows the error object. */
export const OPENAI_SERVER_ERROR =
  'data: {"error":{"message":"The server had an error while processing your request. Sorry about that!","type":"server_error","param":null,"code":null}}\n\n';

/** llama.cpp's error object (numeric code, as in the recorded too-long.json) while the model loads. */
export const LLAMA_LOADING = 'data: {"error":{"code":503,"message":"Loading model","type":"unavailable_error"}}\n\n';

/** llama.cpp's recorded context overflow (too-long.json), as a stream event: 400, never retried. */
export const LLAMA_TOO_LONG = `data: ${readWireText('llama-server-2026-08/too-long.json').trim()}\n\n`;

/** Anthropic's documented overloaded error event (streaming guide: "Error events"). */
export const ANTHROPIC_OVERLOADED = 'event: error\ndata: {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}\n\n';

/** TGI's ErrorResponse inside /generate_stream for a full queue (HTTP 429 when not streaming). */
export const TGI_OVERLOADED = 'data:{"error":"Model is overloaded","error_type":"overloaded"}\n\n';
