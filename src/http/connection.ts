/**
 * The connection lifecycle of the keep-alive pool (used by client.ts): when a pooled
 * socket may be reused and for how long, what a request's connection setup cost, and
 * whether a failure was the keep-alive race.
 *
 * Real servers close connections that they announced as reusable: llama.cpp's server closes
 * every connection right after a streamed response although it sends `Keep-Alive:
 * timeout=5`. A request written to such a socket fails with a reset before any byte of an
 * answer arrives. That is the keep-alive race (browsers and undici handle it the same
 * way): the request is sent again at once on a new connection, and it is neither a retry
 * nor an error. The pool also learns from it: once a server has closed a connection right
 * after a kind of response (streamed or sized), sockets are no longer kept after that kind.
 */
import type http from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type net from 'node:net';
import type tls from 'node:tls';
import { performance } from 'node:perf_hooks';

/** What one response said about its connection. */
export interface ResponseConnection {
  /** The server said it closes the connection: `Connection: close`, or HTTP/1.0 without keep-alive. */
  closes: boolean;
  /** The idle time the server allows, ms, from `Keep-Alive: timeout=N`; undefined when not said. */
  keepAliveMs?: number;
  /** The body had no Content-Length (chunked, or up to the close): a streamed response. */
  streamed: boolean;
}

export function readResponseConnection(httpVersion: string, headers: IncomingHttpHeaders): ResponseConnection {
  const connection = String(headers.connection ?? '').toLowerCase();
  const closes = /\bclose\b/.test(connection) || (httpVersion === '1.0' && !/\bkeep-alive\b/.test(connection));
  const hint = /(?:^|[\s,])timeout=(\d+)/i.exec(String(headers['keep-alive'] ?? ''))?.[1];
  const out: ResponseConnection = { closes, streamed: headers['content-length'] === undefined };
  if (hint !== undefined) out.keepAliveMs = Number(hint) * 1000;
  return out;
}

/** Kinds of response after which a server was seen to close the connection it had left open. */
export type Learned = ReadonlySet<'streamed' | 'sized'>;

/** A socket must idle this much less than the server's announced keep-alive time, ms. */
export const KEEP_ALIVE_MARGIN_MS = 1000;

/**
 * How long a socket may wait in the pool after this response, ms; 0 means close it now.
 * `poolIdleMs` is our own cap.
 */
export function idleBudget(conn: ResponseConnection | undefined, learned: Learned, poolIdleMs: number): number {
  if (!conn) return poolIdleMs;
  if (conn.closes) return 0;
  if (learned.has(conn.streamed ? 'streamed' : 'sized')) return 0;
  if (conn.keepAliveMs === undefined) return poolIdleMs;
  return Math.max(0, Math.min(poolIdleMs, conn.keepAliveMs - KEEP_ALIVE_MARGIN_MS));
}

/** Error codes of a connection that the server closed or reset under a request. */
const CLOSED_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

/** A race is learned only when the server closed a socket this soon after its last answer, ms. */
const LEARN_WITHIN_MS = 500;

/** What the pool knows of one socket. */
interface SocketRecord {
  /** performance.now() when the connection was opened. */
  openedAt: number;
  /** performance.now() when it was connected (TLS done for https). */
  connectedAt?: number;
  /** What the last response on it said. */
  last?: ResponseConnection;
  /** performance.now() when it last went back to the pool. */
  freedAt?: number;
  /** Requests that have used it. */
  requests: number;
}

/** One attempt's connection, as seen when the request got its socket. */
export interface AttemptConnection {
  socket: net.Socket;
  /** The socket had served an earlier request. */
  reused: boolean;
  /** socket.bytesRead when the attempt got the socket: any change is a byte of the answer. */
  bytesAtStart: number;
}

export interface Pool {
  http: http.Agent;
  https: http.Agent;
  /** Call when a request gets its socket. */
  attach(req: http.ClientRequest, socket: net.Socket): AttemptConnection;
  /** Call when a response's headers arrive. */
  onResponse(socket: net.Socket, res: http.IncomingMessage): void;
  /** Connection setup of the attempt, ms: 0 on a reused socket; undefined until connected. */
  connectMs(conn: AttemptConnection | undefined): number | undefined;
  /**
   * True when the failure is the keep-alive race: a reused socket that closed or reset
   * before any byte of an answer. Learns from it.
   */
  isRace(conn: AttemptConnection | undefined, error: { code?: string; cause?: unknown }): boolean;
  /**
   * Closes the agent's idle sockets, so that the next request opens a new connection (after
   * a race our view of which idle sockets are alive is stale). A client talks to one
   * target, so these are all sockets to the server that raced.
   */
  dropIdle(agent: http.Agent): void;
  /** The kinds of response after which this server closes connections, as learned so far. */
  learned: Learned;
  destroy(): void;
}

export interface PoolOptions {
  /** Idle sockets kept per origin: the cell's concurrency. */
  maxFreeSockets: number;
  connectTimeoutMs: number;
  /** Our own cap on a socket's idle time in the pool, ms. */
  idleMs: number;
  /** Passed to socket.setKeepAlive (TCP keep-alive probes), ms. */
  keepAliveMsecs: number;
  http: typeof http;
  https: typeof import('node:https');
}

export function createPool(opts: PoolOptions): Pool {
  const records = new WeakMap<net.Socket, SocketRecord>();
  const learned = new Set<'streamed' | 'sized'>();
  const agentOpts = {
    keepAlive: true,
    keepAliveMsecs: opts.keepAliveMsecs,
    // The runner caps requests in flight; a cap here too would queue requests in the agent
    // while closed sockets still count (until their 'close'), and Node hands a queued
    // request the next socket that frees without asking keepSocketAlive.
    maxSockets: Infinity,
    maxFreeSockets: Math.min(opts.maxFreeSockets, 1024),
    timeout: opts.idleMs,
  };
  const manage = <A extends http.Agent>(agent: A, secure: boolean): A => {
    type ConnectFn = (o: net.NetConnectOpts & tls.ConnectionOptions, cb?: (e: Error | null, s: net.Socket) => void) => net.Socket;
    const a = agent as unknown as { createConnection: ConnectFn };
    const create = a.createConnection.bind(agent);
    a.createConnection = (options, cb) => {
      const openedAt = performance.now();
      const socket = create(options, cb);
      const record: SocketRecord = { openedAt, requests: 0 };
      records.set(socket, record);
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        const err = new Error(`connect timeout after ${opts.connectTimeoutMs} ms`) as NodeJS.ErrnoException;
        err.code = 'ECONNECTTIMEOUT';
        socket.destroy(err);
      }, opts.connectTimeoutMs);
      socket.once(secure ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        record.connectedAt = performance.now();
      });
      socket.once('close', () => clearTimeout(timer));
      return socket;
    };
    // Node's own policy first (TCP keep-alive, unref, its reading of the Keep-Alive hint),
    // then ours on top: never keep what the server said or showed it will close.
    // Typed as void in @types/node; Node's docs and code return whether to keep the socket.
    const keep = agent.keepSocketAlive.bind(agent) as unknown as (socket: net.Socket) => boolean;
    agent.keepSocketAlive = (socket: net.Socket): boolean => {
      const record = records.get(socket);
      const budget = idleBudget(record?.last, learned, opts.idleMs);
      if (budget <= 0 || !keep(socket)) return false;
      if (socket.timeout === undefined || socket.timeout === 0 || budget < socket.timeout) socket.setTimeout(budget);
      if (record) record.freedAt = performance.now();
      return true;
    };
    return agent;
  };
  const httpAgent = manage(new opts.http.Agent(agentOpts), false);
  const httpsAgent = manage(new opts.https.Agent(agentOpts), true);
  return {
    http: httpAgent,
    https: httpsAgent,
    learned,
    attach(_req, socket) {
      // Counted here, not req.reusedSocket: Node leaves that false when the agent hands a
      // freed socket straight to a queued request.
      const record = records.get(socket);
      const reused = record ? record.requests > 0 : true;
      if (record) record.requests += 1;
      return { socket, reused, bytesAtStart: socket.bytesRead };
    },
    onResponse(socket, res) {
      const record = records.get(socket);
      if (record) record.last = readResponseConnection(res.httpVersion, res.headers);
    },
    connectMs(conn) {
      if (!conn) return undefined;
      if (conn.reused) return 0;
      const record = records.get(conn.socket);
      return record?.connectedAt !== undefined ? record.connectedAt - record.openedAt : undefined;
    },
    isRace(conn, error) {
      if (!conn?.reused || conn.socket.bytesRead !== conn.bytesAtStart) return false;
      const code = (error.cause as { code?: string } | undefined)?.code ?? error.code;
      if (code === undefined || !CLOSED_CODES.has(code)) return false;
      const record = records.get(conn.socket);
      if (record?.last && record.freedAt !== undefined && performance.now() - record.freedAt < LEARN_WITHIN_MS) {
        learned.add(record.last.streamed ? 'streamed' : 'sized');
      }
      return true;
    },
    dropIdle(agent) {
      // Destroyed sockets leave the free list on 'close', later; Agent.addRequest skips
      // destroyed ones at the front, and with all of them destroyed none is picked.
      for (const idle of Object.values(agent.freeSockets)) for (const s of idle ?? []) s.destroy();
    },
    destroy() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
