/**
 * What the per-vendor fake servers share: a server rooted at / (native APIs hang off the
 * server root, not /v1), a replay of a token stream on absolute deadlines, and the scripted
 * behaviours the integration tests ask for by prompt text:
 *   a prompt containing FAIL  -> the vendor's documented HTTP error body
 *   a prompt containing BREAK -> an error event inside a 200 stream (or a 5xx when not streamed)
 */
import type { ServerResponse } from 'node:http';
import { sleep, startFakeServer, type FakeServer, type FakeServerOptions, type Handler, type SeenRequest } from './fake-openai.js';

export interface WireServer extends FakeServer {
  /** http://127.0.0.1:port (no /v1). */
  root: string;
}

export async function startWireServer(handler: Handler, opts: FakeServerOptions = {}): Promise<WireServer> {
  const s = await startFakeServer(handler, opts);
  return Object.assign(s, { root: s.baseUrl.replace(/\/v1$/, '') });
}

/** What a fake answers: the same tokens and counts whether streamed or not. */
export interface TokenScript {
  /** Delay before the first token, ms. */
  ttftMs: number;
  /** Delay between tokens, ms. */
  itlMs: number;
  tokens: string[];
  promptTokens: number;
  /** Defaults to each vendor's "ran out of tokens" reason. */
  finishReason?: string;
}

export const DEFAULT_SCRIPT: TokenScript = { ttftMs: 80, itlMs: 20, tokens: ['Hel', 'lo', ' there', '!'], promptTokens: 7 };

export interface Frames {
  /** Written at once (role/start events). */
  head: string[];
  /** One per token, at ttft + i * itl. */
  tokens: string[];
  /** Written after the last token (finish, usage, end marker). */
  tail: string[];
}

/**
 * Replays frames with relative delays: on a loaded machine the timeline stretches, but every
 * gap is at least what the script says, so lower bounds on TTFT and latency always hold.
 */
export async function play(res: ServerResponse, contentType: string, frames: Frames, s: TokenScript, tailMs = 10): Promise<void> {
  res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-cache' });
  for (const f of frames.head) res.write(f);
  for (let i = 0; i < frames.tokens.length; i++) {
    await sleep(i === 0 ? s.ttftMs : s.itlMs);
    res.write(frames.tokens[i]);
  }
  // The tail comes a little later, so a latency taken at the tail (not at the last token) shows.
  await sleep(tailMs);
  for (const f of frames.tail) res.write(f);
  res.end();
}

/** Answers once after the whole generation time. */
export async function answerLater(res: ServerResponse, s: TokenScript, body: unknown, headers: Record<string, string> = {}): Promise<void> {
  await sleep(s.ttftMs + (s.tokens.length - 1) * s.itlMs);
  sendJson(res, 200, body, headers);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** An SSE frame; `event` adds the `event:` line named vendors use. */
export function sse(data: unknown, event?: string): string {
  return `${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
}

export function ndjson(data: unknown): string {
  return `${JSON.stringify(data)}\n`;
}

/** Which scripted behaviour a request asks for, by its prompt text. */
export function modeOf(req: SeenRequest): 'ok' | 'fail' | 'break' {
  const text = JSON.stringify(req.body);
  return text.includes('FAIL') ? 'fail' : text.includes('BREAK') ? 'break' : 'ok';
}
