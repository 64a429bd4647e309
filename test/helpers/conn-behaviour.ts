/**
 * How real servers treat connections, for the fake servers (startFakeServer's `connection`
 * option). Node's own server keeps connections alive politely; real LLM servers do not:
 *   close-after-stream  llama.cpp's server (test/fixtures/wire/llama-server-2026-08/
 *                       connection-close.txt): `Keep-Alive: timeout=5, max=100` on every
 *                       response, yet the connection is closed right after each streamed one
 *                       (a request that arrives on it meanwhile is dropped unanswered)
 *   close-idle          idle connections closed after `idleMs` (1 s), while the headers
 *                       promise `Keep-Alive: timeout=5`
 *   connection-close    `Connection: close` on every response, then closed
 *   http10              answers as HTTP/1.0 (no keep-alive, streams end at the close)
 *   reset-reused        resets the first request on every reused connection: the
 *                       keep-alive race, every time
 */
import { STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export type ConnectionBehaviour = 'keep-alive' | 'close-after-stream' | 'close-idle' | 'connection-close' | 'http10' | 'reset-reused';

export interface ConnectionOptions {
  behaviour: ConnectionBehaviour;
  /** close-after-stream: how long after the stream's end the server closes, ms (llama-server: a few). */
  closeDelayMs?: number;
  /** close-idle: idle time before the server closes, ms. */
  idleMs?: number;
  /** close-after-stream and close-idle: the Keep-Alive header sent (default llama-server's). */
  keepAlive?: string;
}

export interface ConnectionStats {
  /** TCP connections accepted. */
  connections: number;
  /** Connections closed (by either side). */
  closed: number;
  /** Requests the server dropped unanswered (it had closed, or was closing, their connection). */
  dropped: number;
}

/** What llama-server says on every response, streamed or not. */
const LLAMA_KEEP_ALIVE = 'timeout=5, max=100';

interface SocketState {
  requests: number;
  closing: boolean;
  idle?: NodeJS.Timeout;
}

/**
 * Installs the behaviour on `server`. Returns a gate for each request: false when the
 * request was dropped (the handler must not run).
 */
export function applyConnectionBehaviour(
  server: Server,
  opts: ConnectionOptions,
  stats: ConnectionStats,
  secure = false,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const states = new WeakMap<Socket, SocketState>();
  // An HTTPS server's requests come on the TLS socket, not the TCP one under it.
  server.on(secure ? 'secureConnection' : 'connection', (s: Socket) => {
    stats.connections += 1;
    states.set(s, { requests: 0, closing: false });
    s.once('close', () => (stats.closed += 1));
  });
  // close-idle: our own timer below, and no truthful Keep-Alive header from Node.
  if (opts.behaviour === 'close-idle') server.keepAliveTimeout = 0;
  return (req, res) => {
    const socket = req.socket;
    const st = states.get(socket) ?? { requests: 0, closing: false };
    clearTimeout(st.idle);
    if (st.closing || (opts.behaviour === 'reset-reused' && st.requests > 0)) {
      stats.dropped += 1;
      // A TCP reset, as the kernel sends when a socket closes with unread data; a TLS socket
      // cannot send one, so it just closes (the client sees a hang-up instead).
      if (secure) socket.destroy();
      else socket.resetAndDestroy();
      return false;
    }
    st.requests += 1;
    switch (opts.behaviour) {
      case 'close-after-stream':
        res.setHeader('Connection', 'keep-alive');
        res.setHeader('Keep-Alive', opts.keepAlive ?? LLAMA_KEEP_ALIVE);
        res.once('finish', () => {
          if (!/event-stream|ndjson/.test(String(res.getHeader('content-type') ?? ''))) return;
          st.closing = true;
          setTimeout(() => socket.destroy(), opts.closeDelayMs ?? 5);
        });
        break;
      case 'close-idle':
        res.setHeader('Connection', 'keep-alive');
        res.setHeader('Keep-Alive', opts.keepAlive ?? LLAMA_KEEP_ALIVE);
        res.once('finish', () => {
          st.idle = setTimeout(() => socket.destroy(), opts.idleMs ?? 1000);
        });
        break;
      case 'connection-close':
        res.setHeader('Connection', 'close');
        break;
      case 'http10':
        answerAsHttp10(res, socket);
        break;
      default:
        break;
    }
    return true;
  };
}

/**
 * Makes `res` write an HTTP/1.0 response straight to the socket (Node's ServerResponse
 * always says HTTP/1.1): a body with Content-Length when it is written in one piece,
 * otherwise delimited by closing the connection; closed after every response.
 */
function answerAsHttp10(res: ServerResponse, socket: Socket): void {
  let status = 200;
  const headers: Record<string, string> = {};
  let headSent = false;
  const head = (length?: number) => {
    if (headSent) return;
    headSent = true;
    if (length !== undefined) headers['content-length'] = String(length);
    const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    socket.write(`HTTP/1.0 ${status} ${STATUS_CODES[status] ?? ''}\r\n${lines}\r\n`);
  };
  const raw = res as unknown as Record<string, unknown>;
  Object.defineProperty(res, 'headersSent', { get: () => headSent });
  raw.setHeader = (k: string, v: unknown) => {
    headers[k.toLowerCase()] = String(v);
    return res;
  };
  raw.writeHead = (s: number, h: Record<string, string> = {}) => {
    status = s;
    for (const [k, v] of Object.entries(h)) headers[k.toLowerCase()] = String(v);
    return res;
  };
  raw.flushHeaders = () => head();
  raw.write = (chunk: string | Uint8Array) => {
    head();
    return socket.write(chunk);
  };
  raw.end = (chunk?: string | Uint8Array) => {
    if (chunk !== undefined && !headSent) head(Buffer.byteLength(chunk));
    else head();
    if (chunk !== undefined) socket.write(chunk);
    socket.end();
    return res;
  };
}
