/**
 * The only file that talks HTTP (and the only importer of axios): keep-alive agents that
 * keep up to the cell's concurrency of idle sockets (their lifecycle in connection.ts),
 * retries with exponential backoff and full jitter (axios-retry, honouring Retry-After),
 * the keep-alive race re-sent at once on a new connection, a connect timeout and a read
 * (idle) timeout that also covers the silence between stream chunks. Failures come back as
 * `HttpFailure` values with a kind, never as raw axios errors.
 */
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import axios, { AxiosError, type AxiosInstance, type AxiosRequestConfig } from 'axios';
import axiosRetry, { isNetworkError, retryAfter } from 'axios-retry';
import type { ProviderRequest } from '../providers/types.js';
import { arrive, type ChunkSink } from './arrivals.js';
import { createPool, type AttemptConnection, type Pool } from './connection.js';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number;
  /** Statuses to retry, and 'network' for connection errors. */
  on: readonly (number | 'network')[];
  /** Base of the exponential backoff, ms. */
  backoff_ms: number;
  /** Cap of one wait, ms (Retry-After included). */
  max_backoff_ms: number;
}

export interface HttpClientOptions {
  /** Idle sockets kept for reuse: the cell's concurrency (the runner caps requests in flight). */
  concurrency: number;
  connectTimeoutMs: number;
  /** Longest silence allowed before the headers and between body chunks, ms. */
  readTimeoutMs: number;
  retry: RetryPolicy;
  /** Random source for backoff jitter (tests pass a fixed one). */
  random?: () => number;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  /**
   * Reads the body, calling `onChunk` with each piece, the performance.now() of its
   * arrival, and an upper bound of how late that stamp is, ms (the client's own delay,
   * see arrivals.ts). Resolves at the end; rejects with an HttpFailure (`timeout` when the body
   * goes silent longer than the read timeout, `network` when the connection drops,
   * `aborted`). `onChunk` may throw an HttpFailure to stop reading.
   */
  consume(onChunk: (chunk: Buffer, at: number, lateMs: number) => void): Promise<void>;
  /** Attempts made, the successful one included (keep-alive race re-sends are not attempts). */
  attempts: number;
  /** Requests sent again at once on a new connection after the keep-alive race. */
  resends: number;
  /** performance.now() when the successful attempt was sent. */
  sentAt: number;
  /** Connection setup of the successful attempt (DNS, TCP, TLS), ms; 0 on a reused connection. */
  connectMs?: number;
}

export type FailureKind = 'http' | 'timeout' | 'network' | 'aborted';

/** Why no connection could be made at all: the causes that stop a run before anything succeeded. */
export type Unreachable = 'refused' | 'not-found' | 'connect-timeout';

export class HttpFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly attempts: number,
    /** performance.now() of the last attempt's send. */
    readonly sentAt: number,
    readonly status?: number,
    /** First 64 KiB of an error response body. */
    readonly bodyText?: string,
    /** Set when no connection could be made. */
    readonly unreachable?: Unreachable,
  ) {
    super(message);
    this.name = 'HttpFailure';
  }
  /** Connection setup of the last attempt, ms (0 on a reused connection); undefined when none was made. */
  connectMs?: number;
  /** Keep-alive race re-sends, as in HttpResponse. */
  resends = 0;
}

export interface SendOptions {
  signal?: AbortSignal;
  /**
   * Attempts already made for this request (a retry decided by the caller, e.g. after an
   * error event in a 200 stream): counted on, and they use up the same retry budget.
   */
  priorAttempts?: number;
}

export interface HttpClient {
  post(req: ProviderRequest, opts?: SendOptions): Promise<HttpResponse>;
  /** Closes idle keep-alive sockets. */
  close(): void;
}

const MAX_ERROR_BODY = 64 * 1024;

/**
 * Per-request state, carried on the axios config across retries. A class, not a plain
 * object: axios deep-copies plain objects when it merges configs, which would count
 * attempts on a copy.
 */
class AttemptState {
  sentAt = performance.now();
  /** Keep-alive race re-sends so far. */
  resends = 0;
  /** The next send is a re-send after the race: on a new connection, not an attempt. */
  resendNext = false;
  /** The failure being handled is the race (set by the retry condition, read by the delay). */
  raced = false;
  /** The connection of the current attempt, once it has one. */
  conn: AttemptConnection | undefined = undefined;
  /** The current attempt's response headers have arrived. */
  responded = false;
  /** The read clock, set right after construction (its timeout message reads this state). */
  idle!: IdleWatch;
  constructor(public attempts: number) {}
}

/**
 * A safety bound on race re-sends per request. A re-send goes on a new connection, which
 * cannot race, so at most one per attempt happens.
 */
const MAX_RESENDS = 8;

type Config = AxiosRequestConfig & { llmSweep?: AttemptState };

/**
 * An axios transport (a class instance, so axios does not deep-copy it per request) that
 * stamps the send time when Node writes the request to a connected socket (its 'socket'
 * event, or end() on a socket it already has), or at connect for a socket still connecting
 * ('finish' would be later by however busy the loop is), and
 * tells the pool about the request's socket and response.
 */
class SendTimeTransport {
  constructor(
    private readonly state: AttemptState,
    private readonly pool: Pool,
  ) {}
  request(options: http.RequestOptions, callback: (res: http.IncomingMessage) => void): http.ClientRequest {
    const secure = options.protocol === 'https:';
    const mod = secure ? https : http;
    const state = this.state;
    const pool = this.pool;
    state.conn = undefined;
    if (state.resendNext) {
      // Synchronously before the request asks the agent for a socket, so it gets a new one.
      state.resendNext = false;
      pool.dropIdle(secure ? pool.https : pool.http);
    }
    state.responded = false;
    const clientRequest = mod.request(options, callback);
    clientRequest.once('socket', (socket: net.Socket) => {
      state.conn = pool.attach(clientRequest, socket);
    });
    clientRequest.once('response', (res: http.IncomingMessage) => {
      state.responded = true;
      pool.onResponse(res.socket, res);
    });
    const end = clientRequest.end.bind(clientRequest) as (...args: unknown[]) => http.ClientRequest;
    const connected = options.protocol === 'https:' ? 'secureConnect' : 'connect';
    clientRequest.end = ((...args: unknown[]) => {
      state.sentAt = performance.now();
      // The read clock starts once the request can reach the server: while the socket
      // connects only the connect timeout runs (a full listen backlog is a connect timeout).
      const onSocket = (socket: net.Socket) => {
        if (socket.connecting) {
          socket.once(connected, () => {
            state.sentAt = performance.now();
            state.idle.arm();
          });
        } else state.idle.arm();
      };
      if (clientRequest.socket) onSocket(clientRequest.socket);
      else {
        // Node hands even a free keep-alive socket to the request on a later tick and writes
        // the request right after its 'socket' event, not at end(): every microtask queued
        // before that tick runs in between (under load, the next requests of a closed loop
        // being built), so the send is stamped here. Measured at 256 streams: 2-5 ms of false
        // TTFT at end().
        clientRequest.once('socket', (socket: net.Socket) => {
          if (!socket.connecting) state.sentAt = performance.now();
          onSocket(socket);
        });
      }
      return end(...args);
    }) as typeof clientRequest.end;
    return clientRequest;
  }
}

/**
 * No redirects and no size limits. maxContentLength is -1, not Infinity: any limit > -1 makes
 * axios (1.8+) wrap every streamed body in an async generator and Readable.from, a promise and
 * a second stream per chunk. Measured at 256 streams against the simulator: 0.85 of a core
 * for the HTTP client alone instead of 0.66, and chunks coalesced (later stamps, merged ITL gaps).
 */
export const BODY_LIMITS = { maxRedirects: 0, maxBodyLength: Infinity, maxContentLength: -1 } as const;

export function createHttpClient(opts: HttpClientOptions): HttpClient {
  const pool = createPool({
    maxFreeSockets: opts.concurrency,
    connectTimeoutMs: opts.connectTimeoutMs,
    // Our cap on a socket's idle time; a server's Keep-Alive hint can only shorten it.
    idleMs: 60_000,
    // The same delay axios passes to socket.setKeepAlive() on every request: with equal
    // values Node skips the call, with different ones each request costs 8 setsockopt calls
    // (the agent and axios flipping the delay back and forth).
    keepAliveMsecs: 60_000,
    http,
    https,
  });
  const httpAgent = pool.http;
  const httpsAgent = pool.https;
  const instance: AxiosInstance = axios.create({
    httpAgent,
    httpsAgent,
    responseType: 'stream',
    decompress: true,
    ...BODY_LIMITS,
    // Bodies are sent as encoded (a Buffer or a JSON string) and read as a stream: axios'
    // default transforms would only look at them and pass them on, at ~25 us a request.
    transformRequest: [],
    transformResponse: [],
    // The idle watch below is the read timeout; axios' own timeout would cap whole streams.
    timeout: 0,
    validateStatus: (s) => s >= 200 && s < 300,
    transitional: { clarifyTimeoutError: true },
    // Without proxy variables in the environment axios would still look them up (and parse
    // NO_PROXY) on every request; `false` is the same answer, decided once.
    ...(proxyFromEnv() ? {} : { proxy: false as const }),
  });
  slimDefaults(instance);
  instance.interceptors.request.use(
    (config) => {
      const state = (config as Config).llmSweep;
      if (state) {
        if (state.resendNext) state.resends += 1;
        else state.attempts += 1;
        state.sentAt = performance.now();
      }
      return config;
    },
    undefined,
    { synchronous: true },
  );
  const random = opts.random ?? Math.random;
  const stateOf = (error: AxiosError) => (error.config as Config | undefined)?.llmSweep;
  axiosRetry(instance, {
    // The budget is ours (below): race re-sends do not use it, and attempts made before this
    // call (priorAttempts) do.
    retries: Number.MAX_SAFE_INTEGER,
    retryCondition: (error) => {
      const state = stateOf(error);
      if (!state) return false;
      state.raced = pool.isRace(state.conn, error) && state.resends < MAX_RESENDS && !error.config?.signal?.aborted;
      if (state.raced) return true;
      return state.attempts <= opts.retry.retries && shouldRetry(error, opts.retry);
    },
    retryDelay: (_count, error) => {
      const state = stateOf(error);
      return state?.raced ? 0 : backoffDelay(state?.attempts ?? 1, error, opts.retry, random);
    },
    onRetry: (_count, error) => {
      // Let the socket go back to the pool: drain the unread error body.
      drain(error);
      const state = stateOf(error);
      state?.idle.disarm();
      if (state?.raced) state.resendNext = true;
    },
  });

  return {
    async post(req, sendOpts = {}) {
      const controller = new AbortController();
      const state = new AttemptState(sendOpts.priorAttempts ?? 0);
      const idle = new IdleWatch(opts.readTimeoutMs, () => controller.abort(new IdleTimeout(idleMessage(state, opts.readTimeoutMs))));
      state.idle = idle;
      const outer = sendOpts.signal;
      const onOuterAbort = () => controller.abort(new UserAbort());
      if (outer?.aborted) onOuterAbort();
      outer?.addEventListener('abort', onOuterAbort, { once: true });
      const config: Config = {
        // Our own transport so the send time is taken when the request is written to its
        // socket, not when axios starts working on it: in a burst of hundreds of requests
        // the difference is tens of milliseconds of false TTFT.
        transport: new SendTimeTransport(state, pool),
        url: req.url,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...req.headers },
        // A Buffer is a body encoded once and shared by many requests (see runner/body-cache.ts).
        data: Buffer.isBuffer(req.body) ? req.body : JSON.stringify(req.body),
        signal: controller.signal,
        llmSweep: state,
      };
      try {
        const res = await instance.request(config);
        return {
          status: res.status,
          headers: flatHeaders(res.headers as Record<string, unknown>),
          consume: consumer(res.data as Readable, idle, controller.signal, state.conn?.socket, () =>
            outer?.removeEventListener('abort', onOuterAbort),
          ),
          attempts: state.attempts,
          resends: state.resends,
          sentAt: state.sentAt,
          connectMs: pool.connectMs(state.conn),
        };
      } catch (e) {
        idle.disarm();
        outer?.removeEventListener('abort', onOuterAbort);
        const failure = await toFailure(e, state, controller.signal);
        failure.connectMs = pool.connectMs(state.conn);
        failure.resends = state.resends;
        throw failure;
      }
    },
    close() {
      pool.destroy();
    },
  };
}

/**
 * axios deep-copies the plain objects of its defaults into every request's config: twelve
 * header groups, one per method (all empty but `common`), and `env` (the FormData and Blob
 * classes, for forms and data: URLs, which a POST of JSON never uses). Only `common` is kept:
 * the same requests go out, and ~9 KB less garbage per streamed request (bench/results.md).
 */
export function slimDefaults(instance: AxiosInstance): void {
  const defaults = instance.defaults as unknown as Record<string, unknown>;
  defaults.headers = { common: { ...instance.defaults.headers.common } };
  delete defaults.env;
}

/** True when the environment names a proxy axios would use (proxy-from-env's variables). */
function proxyFromEnv(): boolean {
  const env = process.env;
  return ['http_proxy', 'https_proxy', 'all_proxy'].some((k) => Boolean(env[k] || env[k.toUpperCase()]));
}

/** Full jitter (AWS architecture blog): a uniform wait in [0, min(cap, base * 2^n)]. */
export function backoffDelay(
  retryCount: number,
  error: AxiosError | undefined,
  policy: Pick<RetryPolicy, 'backoff_ms' | 'max_backoff_ms'>,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.max_backoff_ms, policy.backoff_ms * 2 ** (retryCount - 1));
  const jittered = random() * ceiling;
  // The server's Retry-After is a floor, not a suggestion; still capped so a broken header
  // cannot park the run for an hour.
  const after = retryAfter(error);
  return Math.min(policy.max_backoff_ms, Math.max(jittered, after));
}

function shouldRetry(error: AxiosError, policy: RetryPolicy): boolean {
  const status = error.response?.status;
  if (status !== undefined) return policy.on.includes(status);
  if (error.code === 'ERR_CANCELED') return false;
  return policy.on.includes('network') && (isNetworkError(error) || isConnectTimeout(error));
}

function isConnectTimeout(error: AxiosError): boolean {
  return (error.cause as { code?: string } | undefined)?.code === 'ECONNECTTIMEOUT' || error.code === 'ECONNECTTIMEOUT';
}

class IdleTimeout extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IdleTimeout';
  }
}

/** What the read timeout saw: no answer at all, headers still arriving, or a silent body. */
function idleMessage(state: AttemptState, ms: number): string {
  if (state.responded) return `no data for ${ms} ms (read timeout)`;
  const conn = state.conn;
  const got = conn ? conn.socket.bytesRead - conn.bytesAtStart : 0;
  if (got > 0) {
    return `response headers still incomplete after ${ms} ms (read timeout; ${got} bytes of them arrived, too slowly)`;
  }
  return `no response within ${ms} ms (read timeout)`;
}

class UserAbort extends Error {
  constructor() {
    super('aborted');
    this.name = 'UserAbort';
  }
}

/**
 * The read timeout: armed at send, disarmed at the end. Bytes only note when they came
 * (`touch`); the one timer checks that when it fires and, if bytes came since, waits out the
 * rest. A stream of 30 tokens/s under a 30 s timeout re-arms nothing, instead of moving a
 * timer per chunk.
 */
class IdleWatch {
  private timer: NodeJS.Timeout | undefined;
  /** performance.now() of the last sign of life. */
  private last = 0;
  constructor(
    private readonly ms: number,
    private readonly onIdle: () => void,
  ) {}
  arm(): void {
    this.last = performance.now();
    if (!this.timer) this.timer = setTimeout(this.check, this.ms);
  }
  /** Bytes arrived at `at` (performance.now()). */
  touch(at: number): void {
    this.last = at;
  }
  disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
  private readonly check = (): void => {
    const quiet = performance.now() - this.last;
    // Timers fire late, never early: a 1 ms margin keeps float noise from re-arming for ~0 ms.
    if (quiet >= this.ms - 1) {
      this.timer = undefined;
      this.onIdle();
    } else this.timer = setTimeout(this.check, this.ms - quiet);
  };
}

/**
 * Why a body stopped before its end: the server's FIN (the socket ended cleanly) or `err`
 * (a reset, ...). Node reports both as ECONNRESET "aborted".
 */
function cutMessage(socket: net.Socket | undefined, err?: NodeJS.ErrnoException): string {
  if (socket?.readableEnded) return 'the server closed the connection before the response was complete (FIN mid-body)';
  return err ? networkMessage(err) : 'connection closed mid-response';
}

function consumer(source: Readable, idle: IdleWatch, signal: AbortSignal, socket: net.Socket | undefined, onClose: () => void) {
  return (onChunk: (chunk: Buffer, at: number, lateMs: number) => void): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (err?: HttpFailure) => {
        if (settled) return;
        settled = true;
        idle.disarm();
        signal.removeEventListener('abort', onAbort);
        onClose();
        if (err) {
          source.destroy();
          reject(err);
        } else resolve();
      };
      // axios also watches the signal and may destroy the body first; whatever fires
      // first, an aborted signal decides the kind.
      const fromSignal = (fallback: HttpFailure): HttpFailure => {
        if (!signal.aborted) return fallback;
        const reason: unknown = signal.reason;
        return reason instanceof IdleTimeout
          ? new HttpFailure('timeout', reason.message, 0, 0)
          : new HttpFailure('aborted', 'aborted', 0, 0);
      };
      const onAbort = () => settle(fromSignal(new HttpFailure('aborted', 'aborted', 0, 0)));
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      idle.arm();
      // Stamped on arrival, handed over after the poll phase (arrivals.ts); the end comes
      // through the same queue, after this response's last chunk.
      const sink: ChunkSink = {
        take(chunk, at, lateMs) {
          if (settled) return;
          if (chunk === null) return settle();
          try {
            onChunk(chunk, at, lateMs);
          } catch (e) {
            settle(e instanceof HttpFailure ? e : new HttpFailure('network', (e as Error).message, 0, 0));
          }
        },
      };
      source.on('data', (chunk: Buffer) => idle.touch(arrive(sink, chunk)));
      source.once('end', () => arrive(sink, null));
      const cut = () => fromSignal(new HttpFailure('network', cutMessage(socket), 0, 0));
      source.once('error', (err: NodeJS.ErrnoException) =>
        settle(fromSignal(new HttpFailure('network', cutMessage(socket, err), 0, 0))),
      );
      // No 'aborted' handler: Node follows it with 'error' (ECONNRESET), which says whether the
      // server reset the connection or closed it (cutMessage); 'aborted' alone cannot.
      source.once('close', () => {
        // 'close' without 'end' is a connection cut mid-body.
        if (!source.readableEnded) settle(cut());
      });
    });
}

async function toFailure(e: unknown, state: AttemptState, signal: AbortSignal): Promise<HttpFailure> {
  const { attempts, sentAt } = state;
  const reason: unknown = signal.aborted ? signal.reason : undefined;
  if (reason instanceof IdleTimeout) return new HttpFailure('timeout', reason.message, attempts, sentAt);
  if (reason instanceof UserAbort) return new HttpFailure('aborted', 'aborted', attempts, sentAt);
  if (e instanceof AxiosError) {
    if (e.response) {
      const bodyText = await readText(e.response.data as Readable | string | undefined);
      const status = e.response.status;
      return new HttpFailure('http', `HTTP ${status}`, attempts, sentAt, status, bodyText);
    }
    if (isConnectTimeout(e)) return new HttpFailure('timeout', 'connect timeout', attempts, sentAt, undefined, undefined, 'connect-timeout');
    const cause = (e.cause as NodeJS.ErrnoException) ?? e;
    return new HttpFailure('network', networkMessage(cause), attempts, sentAt, undefined, undefined, unreachableOf(cause));
  }
  return new HttpFailure('network', (e as Error)?.message ?? String(e), attempts, sentAt);
}

/** The error code of a socket error, or of the first of an aggregate (one per address tried). */
function errorCode(err: NodeJS.ErrnoException | Error): string | undefined {
  return (err as NodeJS.ErrnoException).code ?? (err as { errors?: NodeJS.ErrnoException[] }).errors?.[0]?.code;
}

function unreachableOf(err: NodeJS.ErrnoException | Error): Unreachable | undefined {
  const c = errorCode(err);
  if (c === 'ECONNREFUSED') return 'refused';
  if (c === 'ENOTFOUND') return 'not-found';
  return c === 'ECONNECTTIMEOUT' ? 'connect-timeout' : undefined;
}

/** A socket error in words, with what to do where there is something (the gRPC transport says the same). */
export function networkMessage(err: NodeJS.ErrnoException | Error): string {
  const c = errorCode(err);
  switch (c) {
    case 'ECONNREFUSED':
      return 'connection refused (ECONNREFUSED)';
    case 'ECONNRESET':
      return 'connection reset by the server (ECONNRESET)';
    case 'ENOTFOUND':
      return 'host not found (ENOTFOUND)';
    case 'EPIPE':
      return 'connection closed while sending (EPIPE)';
    case 'ECONNECTTIMEOUT':
      return 'connect timeout';
    case 'EMFILE':
    case 'ENFILE':
      return `too many open files on this machine (${c}); raise the limit (ulimit -n) or lower the concurrency`;
    case 'EADDRNOTAVAIL':
      return 'no local port free for a new connection (EADDRNOTAVAIL); lower the concurrency';
    case 'ETIMEDOUT':
      return 'the connection timed out (ETIMEDOUT)';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `no route to the host (${c})`;
    default: {
      // Node's socket messages end in " - Local (host:port)", often "(undefined:undefined)".
      const text = (err.message || '').replace(/ - Local \([^)]*\)$/, '');
      return c ? `${text || c}${text.includes(c) ? '' : ` (${c})`}` : text || 'network error';
    }
  }
}

async function readText(data: Readable | string | undefined): Promise<string> {
  if (data === undefined || data === null) return '';
  if (typeof data === 'string') return data.slice(0, MAX_ERROR_BODY);
  if (typeof (data as Readable).on !== 'function') return JSON.stringify(data).slice(0, MAX_ERROR_BODY);
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let size = 0;
    const stream = data as Readable;
    // An error body that never ends must not hang the request: give it a second.
    const timer = setTimeout(() => finish(), 1000);
    const finish = () => {
      clearTimeout(timer);
      stream.removeAllListeners('data');
      stream.destroy();
      resolve(Buffer.concat(parts).toString('utf8'));
    };
    stream.on('data', (chunk: Buffer) => {
      if (size < MAX_ERROR_BODY) parts.push(chunk.subarray(0, MAX_ERROR_BODY - size));
      size += chunk.length;
    });
    stream.once('end', finish);
    stream.once('error', finish);
  });
}

function drain(error: AxiosError): void {
  const data = error.response?.data as Readable | undefined;
  if (data && typeof data.resume === 'function') {
    data.on('error', () => {});
    data.resume();
  }
}

function flatHeaders(h: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  return out;
}
