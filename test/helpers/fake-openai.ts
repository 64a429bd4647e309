/**
 * Small OpenAI-compatible fake servers on 127.0.0.1 with exactly known behaviour, for what
 * the simulator cannot do (scripted failures per attempt, odd wire formats). The stream
 * layout follows OpenAI's chat streaming reference:
 * https://platform.openai.com/docs/api-reference/chat/streaming
 */
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { applyConnectionBehaviour, type ConnectionOptions, type ConnectionStats } from './conn-behaviour.js';

export interface SeenRequest {
  n: number;
  url: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

export type Handler = (req: SeenRequest, res: ServerResponse) => void | Promise<void>;

export interface FakeServer {
  /** http://127.0.0.1:port/v1 */
  baseUrl: string;
  seen: SeenRequest[];
  /** Connections accepted and requests dropped (see conn-behaviour.ts). */
  stats: ConnectionStats;
  close(): Promise<void>;
}

export interface FakeServerOptions {
  /** How the server treats connections (default: Node's keep-alive). */
  connection?: ConnectionOptions;
  /** Serve HTTPS with this key and certificate (PEM). */
  tls?: { key: string; cert: string };
}

export async function startFakeServer(handler: Handler, opts: FakeServerOptions = {}): Promise<FakeServer> {
  const seen: SeenRequest[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const stats: ConnectionStats = { connections: 0, closed: 0, dropped: 0 };
  // Assigned right below, once the server exists (it installs its own listeners).
  let admit: (req: IncomingMessage, res: ServerResponse) => boolean = () => true;
  const listener: RequestListener = (req, res) => {
    if (!admit(req, res)) return;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      } catch {
        body = {};
      }
      const s: SeenRequest = { n: seen.length, url: req.url ?? '', headers: req.headers, body };
      seen.push(s);
      void Promise.resolve(handler(s, res)).catch((e: unknown) => {
        res.destroy(e as Error);
      });
    });
  };
  const server = opts.tls ? createTlsServer(opts.tls, listener) : createServer(listener);
  admit = applyConnectionBehaviour(server, opts.connection ?? { behaviour: 'keep-alive' }, stats, Boolean(opts.tls));
  server.on('connection', (s) => {
    s.setNoDelay(true);
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}/v1`,
    seen,
    stats,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface StreamScript {
  /** Delay before the first content chunk, ms. */
  ttftMs: number;
  /** Delay between content chunks, ms. */
  itlMs: number;
  /** Content pieces, one chunk each. */
  tokens: string[];
  /** Send a role-only chunk first (OpenAI does; llama.cpp does not). */
  role?: boolean;
  /** Usage chunk: 'separate' (OpenAI, choices: []), 'final' (llama.cpp, with finish_reason), 'none'. */
  usage?: 'separate' | 'final' | 'none';
  promptTokens?: number;
  finishReason?: string;
  /** Delay after the last content chunk before the usage chunk and [DONE], ms. */
  tailMs?: number;
}

function chunk(delta: Record<string, unknown>, finish: string | null, extra: Record<string, unknown> = {}): string {
  return `data: ${JSON.stringify({
    id: 'chatcmpl-fake',
    object: 'chat.completion.chunk',
    created: 1700000000,
    model: 'fake',
    choices: [{ index: 0, delta, finish_reason: finish }],
    ...extra,
  })}\n\n`;
}

export async function streamChat(res: ServerResponse, s: StreamScript, wantUsage: boolean): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  if (s.role !== false) res.write(chunk({ role: 'assistant', content: '' }, null));
  const usage = {
    prompt_tokens: s.promptTokens ?? 10,
    completion_tokens: s.tokens.length,
    total_tokens: (s.promptTokens ?? 10) + s.tokens.length,
  };
  for (let i = 0; i < s.tokens.length; i++) {
    // Each gap at least its nominal length: a late timer delays what follows rather than
    // squeezing the next gap, so tests can bound ITL from below on a loaded machine.
    await sleep(i === 0 ? s.ttftMs : s.itlMs);
    const last = i === s.tokens.length - 1;
    const finish = last && s.usage !== 'separate' ? (s.finishReason ?? 'length') : null;
    const extra = last && s.usage === 'final' ? { usage } : {};
    res.write(chunk({ content: s.tokens[i] }, finish, extra));
  }
  if (s.tailMs) await sleep(s.tailMs);
  if (s.usage === 'separate' || s.usage === undefined) {
    res.write(chunk({}, s.finishReason ?? 'length'));
    if (wantUsage) {
      res.write(`data: ${JSON.stringify({ id: 'chatcmpl-fake', object: 'chat.completion.chunk', choices: [], usage })}\n\n`);
    }
  }
  res.write('data: [DONE]\n\n');
  res.end();
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

export function openaiError(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  json(res, status, { error: { message, type: 'invalid_request_error', code: null } }, headers);
}
