/**
 * A fake llama.cpp server (llama-server, upstream of 2026-08) that replays the bytes it
 * really sent, from test/fixtures/wire/llama-server-2026-08/: streamed, the role chunk at
 * once (`content: null`), each content chunk at ttft + i * itl, then the finish chunk, the
 * usage chunk (`choices: []`, `prompt_tokens_details`, `timings`) when include_usage was
 * asked, and `[DONE]`; not streamed, chat.json. By default it treats connections as
 * llama-server does: closed right after every streamed response, despite its
 * `Keep-Alive: timeout=5` header.
 */
import type { ServerResponse } from 'node:http';
import type { ConnectionOptions } from './conn-behaviour.js';
import { sleep, type Handler } from './fake-openai.js';
import { startWireServer, type WireServer } from './fake-wire.js';
import { readWireText } from './wire-fixtures.js';

const DIR = 'llama-server-2026-08';

/** The recording's SSE events, each with its blank line, and where the content chunks are. */
interface Recording {
  head: string[];
  tokens: string[];
  tail: string[];
}

function split(file: string): Recording {
  const events = readWireText(`${DIR}/${file}`)
    .split('\n\n')
    .filter((e) => e.trim() !== '')
    .map((e) => `${e}\n\n`);
  const isContent = (e: string) => {
    const data = e.replace(/^data: /, '').trim();
    if (data === '[DONE]') return false;
    const content = (JSON.parse(data) as { choices?: { delta?: { content?: string | null } }[] }).choices?.[0]?.delta?.content;
    return typeof content === 'string' && content !== '';
  };
  const first = events.findIndex(isContent);
  const last = events.length - 1 - [...events].reverse().findIndex(isContent);
  return { head: events.slice(0, first), tokens: events.slice(first, last + 1), tail: events.slice(last + 1) };
}

/** What the recordings hold: 8 content chunks; usage 70 prompt / 8 completion tokens. */
export const LLAMA_RECORDED = {
  completionTokens: 8,
  promptTokens: 70,
  /** From the usage chunk's timings (ms) and prompt_tokens_details. */
  timings: { prompt_ms: 1.327, predicted_ms: 1.159, cache_n: 0 },
  cachedTokens: 0,
  /** The non-streamed answer's (chat.json). */
  chat: { prompt_ms: 0.168, predicted_ms: 0.565, cached: 69 },
  /** The no-usage stream's timings (in its finish chunk). */
  noUsage: { prompt_ms: 0.211, predicted_ms: 0.886, cache_n: 69 },
} as const;

export interface LlamaScript {
  /** Delay before the first content chunk, ms. */
  ttftMs: number;
  /** Delay between content chunks, ms. */
  itlMs: number;
}

const STREAM_HEADERS = { server: 'llama.cpp', 'access-control-allow-origin': '', 'x-accel-buffering': 'no', 'content-type': 'text/event-stream' };

/**
 * Replays the recorded stream. With `error`, the stream breaks after `errorAfter` content
 * chunks (0: the error is the first event, before any content) with that SSE frame.
 */
export async function replayStream(
  res: ServerResponse,
  s: LlamaScript,
  includeUsage: boolean,
  error?: { frame: string; errorAfter: number },
): Promise<void> {
  const rec = split(includeUsage ? 'chat-stream.sse' : 'chat-stream-no-usage.sse');
  res.writeHead(200, STREAM_HEADERS);
  if (error?.errorAfter === 0) {
    res.end(error.frame);
    return;
  }
  for (const e of rec.head) res.write(e);
  for (let i = 0; i < rec.tokens.length; i++) {
    await sleep(i === 0 ? s.ttftMs : s.itlMs);
    res.write(rec.tokens[i]);
    if (error && i + 1 === error.errorAfter) {
      res.end(error.frame);
      return;
    }
  }
  for (const e of rec.tail) res.write(e);
  res.end();
}

/**
 * Answers as llama-server does. `error(n)` may break the n-th request (0-based) with an
 * error frame, before any content or after some.
 */
export function llamaHandler(s: LlamaScript, error?: (n: number) => { frame: string; errorAfter: number } | undefined): Handler {
  const chat = readWireText(`${DIR}/chat.json`);
  return async (req, res) => {
    if (req.url !== '/v1/chat/completions') {
      res.writeHead(404, { 'content-type': 'application/json; charset=utf-8' });
      res.end('{"error":{"code":404,"message":"File Not Found","type":"not_found_error"}}');
      return;
    }
    if (req.body.stream === true) {
      const opts = req.body.stream_options as { include_usage?: boolean } | undefined;
      return replayStream(res, s, opts?.include_usage === true, error?.(req.n));
    }
    await sleep(s.ttftMs + 7 * s.itlMs);
    res.writeHead(200, { server: 'llama.cpp', 'access-control-allow-origin': '', 'content-type': 'application/json; charset=utf-8' });
    res.end(chat);
  };
}

/** A llama-server-like fake; `connection` defaults to close-after-stream. */
export function startLlamaServer(
  s: LlamaScript,
  connection: ConnectionOptions = { behaviour: 'close-after-stream' },
  handler: Handler = llamaHandler(s),
): Promise<WireServer> {
  return startWireServer(handler, { connection });
}
