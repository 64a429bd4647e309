/**
 * The real CLI against fakes that send an error event inside a 200 stream, in the shapes
 * real servers use (test/helpers/stream-errors.ts), on the recorded llama-server stream: one
 * before any content is retried like the HTTP status it names; one after content is one
 * error row, never retried.
 */
import { describe, expect, it } from 'vitest';
import { anthropicHandler } from '../helpers/fake-anthropic.js';
import type { Handler } from '../helpers/fake-openai.js';
import { LLAMA_RECORDED, llamaHandler } from '../helpers/fake-llama.js';
import { tgiHandler } from '../helpers/fake-tgi.js';
import { DEFAULT_SCRIPT } from '../helpers/fake-wire.js';
import { runOk, useServers } from '../helpers/provider-suite.js';
import { ANTHROPIC_OVERLOADED, LLAMA_LOADING, LLAMA_TOO_LONG, RATE_LIMITED, TGI_OVERLOADED } from '../helpers/stream-errors.js';

const serve = useServers();
const SCRIPT = { ttftMs: 20, itlMs: 5 };

function spec(provider: string, baseUrl: string, params: string, retry = '{ retries: 2, backoff_ms: 10, max_backoff_ms: 20 }'): string {
  return `name: t
target:
  provider: ${provider}
  base_url: ${baseUrl}
  retry: ${retry}
  timeout: { connect_ms: 2000, read_ms: 5000 }
prompts: ["Say hello."]
params: ${params}
requests: 1
`;
}

const llamaSpec = (root: string, retry?: string) => spec('openai-chat', `${root}/v1`, '{ model: tiny.gguf, max_tokens: 8 }', retry);

/** The first request gets a 200 stream whose only event is `frame`; the rest go to `handler`. */
function errorFirstOnce(handler: Handler, contentType: string, frame: string): Handler {
  let n = 0;
  return (req, res) => {
    if (n++ > 0) return handler(req, res);
    res.writeHead(200, { 'content-type': contentType });
    res.end(frame);
  };
}

/** Breaks the first `times` requests with `frame` after `errorAfter` content chunks. */
const breaking = (frame: string, errorAfter: number, times = 1) => (n: number) => (n < times ? { frame, errorAfter } : undefined);

describe('an error event before any content', () => {
  it.each([
    ['rate_limit_exceeded (mock-llm)', RATE_LIMITED],
    ['a numeric code in retry.on (llama.cpp 503 Loading model)', LLAMA_LOADING],
  ])('%s: retried, then the recorded stream succeeds: one ok row, attempts 2', async (_name, frame) => {
    const s = await serve(llamaHandler(SCRIPT, breaking(frame, 0)));
    const r = await runOk(llamaSpec(s.root));
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0]).toMatchObject({ status: 'ok', http_status: 200, attempts: 2, completion_tokens: LLAMA_RECORDED.completionTokens });
    expect(s.seen).toHaveLength(2);
  });

  it('past the retries: one error row, http_status 200, every attempt counted', async () => {
    const s = await serve(llamaHandler(SCRIPT, breaking(RATE_LIMITED, 0, 99)));
    const r = await runOk(llamaSpec(s.root));
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0]).toMatchObject({ status: 'error', http_status: 200, attempts: 3, error: 'stream error: Rate limit reached', error_kind: 'stream' });
  });

  it('a status not in retry.on (the recorded 400 context overflow) is not retried', async () => {
    const s = await serve(llamaHandler(SCRIPT, breaking(LLAMA_TOO_LONG, 0, 99)));
    const r = await runOk(llamaSpec(s.root));
    expect(r.rows[0]).toMatchObject({ status: 'error', http_status: 200, attempts: 1 });
    expect(r.rows[0].error).toMatch(/^stream error: request \(30051 tokens\) exceeds the available context size/);
    expect(s.seen).toHaveLength(1);
  });

  it('retries: 0 means no retry here either', async () => {
    const s = await serve(llamaHandler(SCRIPT, breaking(RATE_LIMITED, 0)));
    const r = await runOk(llamaSpec(s.root, '{ retries: 0 }'));
    expect(r.rows[0]).toMatchObject({ status: 'error', attempts: 1 });
  });

  it('Anthropic overloaded_error (529, in the default retry.on): retried, then ok', async () => {
    const s = await serve(errorFirstOnce(anthropicHandler(DEFAULT_SCRIPT), 'text/event-stream; charset=utf-8', ANTHROPIC_OVERLOADED));
    const r = await runOk(spec('anthropic', s.root, '{ model: claude-x, max_tokens: 8 }', '{ backoff_ms: 10, max_backoff_ms: 20 }'));
    expect(r.rows[0]).toMatchObject({ status: 'ok', attempts: 2, completion_tokens: DEFAULT_SCRIPT.tokens.length });
  });

  it('TGI error_type overloaded (its 429): retried, then ok', async () => {
    const s = await serve(errorFirstOnce(tgiHandler(DEFAULT_SCRIPT), 'text/event-stream', TGI_OVERLOADED));
    const r = await runOk(spec('tgi', s.root, '{ max_tokens: 8 }'));
    expect(r.rows[0]).toMatchObject({ status: 'ok', attempts: 2 });
  });
});

describe('an error event after content', () => {
  it('is one error row, never retried, even with a retryable status', async () => {
    const s = await serve(llamaHandler(SCRIPT, breaking(LLAMA_LOADING, 2, 99)));
    const r = await runOk(llamaSpec(s.root));
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0]).toMatchObject({ status: 'error', http_status: 200, attempts: 1, error: 'stream error: Loading model', error_kind: 'stream' });
    expect(s.seen).toHaveLength(1);
  });
});
