/**
 * The gRPC transport: KServe v2 calls on node:http2, the gRPC framing in wire.ts and the
 * messages of kserve.ts. The guarantees are the HTTP transport's: a connect timeout (TCP,
 * TLS and the HTTP/2 settings exchange), a read (idle) timeout that also covers the silence
 * between streamed responses, an optional deadline (sent as grpc-timeout), retries with
 * exponential backoff and full jitter on the statuses `retry.on` names (see retryStatus),
 * TLS for grpcs://, metadata headers (auth) that appear in no message, HTTP/2 connections
 * sized to a cell's concurrency. A request is stamped when it is handed to its HTTP/2
 * stream, every response chunk when it arrives, before any decoding; protobuf decoding waits
 * for the check phase, so hundreds of streams receiving a token at once are all stamped
 * before any is decoded, and runs one stream per loop turn (turn-queue.ts), so a request
 * started meanwhile reaches the socket in the turn after its stamp. A stream the server refuses before answering (REFUSED_STREAM, a
 * GOAWAY) is sent again at once on a new connection: not a retry, not an attempt.
 * Failures come back as GrpcFailure values, never as exceptions.
 *
 * Why not @grpc/grpc-js here (the test fakes run on it): its layered call
 * stack (resolver, load balancer, retry buffer, filters as promises, a nextTick per message)
 * put 2-3 ms between our send stamp and the bytes on the wire, and more on a loaded loop,
 * against ~0.3 ms for node:http2 alone; at 128 streams the gap was ~15 ms of false TTFT.
 * A benchmark's transport must not add what it measures.
 */
import http2, { type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders, type IncomingHttpStatusHeader } from 'node:http2';
import { performance } from 'node:perf_hooks';
import { backoffDelay, networkMessage, type RetryPolicy, type Unreachable } from '../http/client.js';
import { VERSION } from '../version.js';
import { kserveService, type ModelInferRequest, type ModelInferResponse, type ModelMetadataResponse, type ModelRef, type ModelStreamInferResponse } from './kserve.js';
import { createTurnQueue } from './turn-queue.js';
import { parameterValue } from './tensors.js';
import { frame, MessageReader, parseGrpcUrl, Status, statusFromHttp, statusFromTrailers, statusName, timeoutHeader, type Arrived, type CallStatus, type GrpcAddress } from './wire.js';

export { parseGrpcUrl, statusName, type GrpcAddress };

export interface GrpcClientOptions {
  /** grpc://host:port or grpcs://host:port. */
  url: string;
  /** Requests in flight at once: the channels opened carry this many streams. */
  concurrency: number;
  /** Longest wait for the channel's connection (TCP, TLS, HTTP/2 settings), ms. */
  connectTimeoutMs: number;
  /** Longest silence allowed before the first response and between streamed responses, ms. */
  readTimeoutMs: number;
  retry: RetryPolicy;
  /** Cap of one whole call (the gRPC deadline), ms; none when undefined. */
  deadlineMs?: number;
  /** Metadata sent with every call (auth headers); keys lower-case ASCII. Never logged. */
  metadata?: Record<string, string>;
  /** PEM root certificates for grpcs:// in place of the system's. */
  ca?: Buffer;
  /** Random source for backoff jitter (tests pass a fixed one). */
  random?: () => number;
  /** Streams one HTTP/2 connection carries before another channel is opened; default 100. */
  streamsPerChannel?: number;
}

/**
 * Why a call failed: `status` a non-OK gRPC status from the server, `stream` an
 * error_message inside the stream, `parse` a response the caller could not read,
 * `network` a connection that could not be made or dropped, `timeout` the connect, read or
 * deadline limit, `aborted` the caller's signal.
 */
export type GrpcFailureKind = 'status' | 'stream' | 'parse' | 'network' | 'timeout' | 'aborted';

export interface GrpcFailure {
  kind: GrpcFailureKind;
  /** gRPC status code, when the failure came with one. */
  code?: number;
  /** Its name, e.g. UNAVAILABLE. */
  codeName?: string;
  /** Short text: the server's details, the error_message, or what went wrong. */
  message: string;
  /** True when the connection could not be made in time (a `timeout` retried as 'network'). */
  connect?: boolean;
  /** Set when no connection could be made at all: refused, unknown host, connect timeout. */
  unreachable?: Unreachable;
}

/** What every call reports, failed or not. */
export interface CallInfo {
  /** Attempts made, the last one included (1 = no retry). */
  attempts: number;
  /** performance.now() when the final attempt's request was handed to the connection. */
  sentAt: number;
  /** How long the final attempt waited for its channel to connect, ms; 0 when it was connected. */
  connectMs: number;
  failure?: GrpcFailure;
}

export interface StreamResult extends CallInfo {
  /** Responses that arrived (the final, possibly empty, one included). */
  responses: number;
  /** performance.now() of the last response's arrival (or of the failure). */
  endAt: number;
}

export interface UnaryResult<T> extends CallInfo {
  value?: T;
  /** performance.now() when the response arrived. */
  receivedAt?: number;
}

export interface CallOpts {
  signal?: AbortSignal;
}

/**
 * Receives each streamed response with the performance.now() of its arrival. It may throw
 * to stop the stream: the call ends as a `parse` failure with the error's message.
 */
export type OnResponse = (res: ModelStreamInferResponse, at: number) => void;

export interface GrpcClient {
  /**
   * One request on ModelStreamInfer (Triton's decoupled streaming), with
   * triton_enable_empty_final_response set so the end is always marked. Complete at the
   * response flagged triton_final_response, or when the server ends the stream cleanly
   * after at least one response; an error_message ends it as a `stream` failure. Retried
   * only while no response has arrived.
   */
  stream(req: ModelInferRequest, onResponse: OnResponse, opts?: CallOpts): Promise<StreamResult>;
  /** One request on ModelInfer (not for decoupled models). */
  infer(req: ModelInferRequest, opts?: CallOpts): Promise<UnaryResult<ModelInferResponse>>;
  serverLive(opts?: CallOpts): Promise<UnaryResult<boolean>>;
  modelReady(model: ModelRef, opts?: CallOpts): Promise<UnaryResult<boolean>>;
  modelMetadata(model: ModelRef, opts?: CallOpts): Promise<UnaryResult<ModelMetadataResponse>>;
  /** Closes every channel; calls in flight are cancelled. */
  close(): void;
}

/**
 * The HTTP status a gRPC status stands for (Google's mapping in google/rpc/code.proto), so
 * one `retry.on` list serves both transports: RESOURCE_EXHAUSTED is 429, UNAVAILABLE 503.
 */
export const HTTP_EQUIVALENT: Readonly<Record<number, number>> = {
  [Status.CANCELLED]: 499,
  [Status.UNKNOWN]: 500,
  [Status.INVALID_ARGUMENT]: 400,
  [Status.DEADLINE_EXCEEDED]: 504,
  [Status.NOT_FOUND]: 404,
  [Status.ALREADY_EXISTS]: 409,
  [Status.PERMISSION_DENIED]: 403,
  [Status.RESOURCE_EXHAUSTED]: 429,
  [Status.FAILED_PRECONDITION]: 400,
  [Status.ABORTED]: 409,
  [Status.OUT_OF_RANGE]: 400,
  [Status.UNIMPLEMENTED]: 501,
  [Status.INTERNAL]: 500,
  [Status.UNAVAILABLE]: 503,
  [Status.DATA_LOSS]: 500,
  [Status.UNAUTHENTICATED]: 401,
};

/** True when the policy retries this failure: its HTTP equivalent is in `on`, or it is a network failure and `on` has 'network'. */
export function retryStatus(failure: GrpcFailure, policy: Pick<RetryPolicy, 'on'>): boolean {
  if (failure.kind === 'network' || failure.connect) return policy.on.includes('network');
  if (failure.kind !== 'status' || failure.code === undefined) return false;
  const http = HTTP_EQUIVALENT[failure.code];
  return http !== undefined && policy.on.includes(http);
}

const FINAL = 'triton_final_response';
const MAX_STREAMS = 100;
/** Per-stream and connection receive windows: no flow-control stalls on long answers. */
const WINDOW = 16 * 1024 * 1024;

export function createGrpcClient(opts: GrpcClientOptions): GrpcClient {
  const target = parseGrpcUrl(opts.url);
  if (!target) throw new Error(`not a grpc:// or grpcs:// URL: ${opts.url}`);
  const service = kserveService();
  const requestHeaders = baseHeaders(target, opts.metadata ?? {});
  const random = opts.random ?? Math.random;
  const perChannel = Math.max(1, opts.streamsPerChannel ?? MAX_STREAMS);
  const channels: Channel[] = [];
  let closed = false;
  // Streams' arrived responses are decoded from one queue, one stream per loop turn
  // (turn-queue.ts): a request started by one of them leaves the socket in the next turn.
  const drains = createTurnQueue();

  /** The least busy connection with room for one more stream; a new one when all are full. */
  const pick = (): Channel => {
    let best: Channel | undefined;
    for (const ch of channels) if (ch.inflight < ch.capacity(perChannel) && (!best || ch.inflight < best.inflight)) best = ch;
    if (best) return best;
    const ch = new Channel(target, opts.connectTimeoutMs, opts.ca);
    channels.push(ch);
    return ch;
  };

  /**
   * Runs attempts until one succeeds, fails for good, or the retries are spent. An attempt
   * that already delivered a response is never retried; a refused one is sent again at once.
   */
  async function withRetries<R extends CallInfo>(
    signal: AbortSignal | undefined,
    attempt: (session: ClientHttp2Session, base: CallInfo) => Promise<Attempt<R>>,
    failed: (info: CallInfo) => R,
  ): Promise<R> {
    let attempts = 0;
    let refusals = 0;
    for (;;) {
      attempts++;
      const ch = pick();
      ch.inflight++;
      let outcome: Attempt<R>;
      try {
        const got = closed ? { failure: ABORTED, connectMs: 0 } : await ch.connected(signal);
        const base: CallInfo = { attempts, sentAt: performance.now(), connectMs: got.connectMs };
        outcome = 'session' in got ? await attempt(got.session, base) : { result: failed({ ...base, failure: got.failure }) };
      } finally {
        ch.inflight--;
      }
      const { result } = outcome;
      if (outcome.refused && refusals < MAX_REFUSALS) {
        // The server never saw it (REFUSED_STREAM, or a GOAWAY that left it out): not an attempt.
        refusals++;
        attempts--;
        continue;
      }
      const f = result.failure;
      if (!f || outcome.delivered || f.kind === 'aborted' || attempts > opts.retry.retries || !retryStatus(f, opts.retry)) return result;
      const wait = Math.min(opts.retry.max_backoff_ms, Math.max(backoffDelay(attempts, undefined, opts.retry, random), outcome.pushbackMs ?? 0));
      if (!(await sleep(wait, signal))) {
        result.failure = ABORTED;
        return result;
      }
    }
  }

  /**
   * One call on its own HTTP/2 stream: the request message, then half-close. `onMessages`
   * gets each chunk's complete messages as they arrive (stamped, not decoded); `onEnd` the
   * final status, or the failure that ended the call first.
   */
  function openCall(session: ClientHttp2Session, path: string, message: Buffer, handlers: CallHandlers): ClientHttp2Stream | GrpcFailure {
    const headers: http2.OutgoingHttpHeaders = { ...requestHeaders, ':path': path };
    if (opts.deadlineMs !== undefined) headers['grpc-timeout'] = timeoutHeader(opts.deadlineMs);
    let stream: ClientHttp2Stream;
    try {
      stream = session.request(headers, { endStream: false });
    } catch (e) {
      return { kind: 'network', message: `could not start the call: ${(e as Error).message}` };
    }
    let reader = new MessageReader();
    let responded = false;
    let ended = false;
    /** The status, once trailers (or a trailers-only or non-gRPC answer) brought it. */
    let status: CallStatus | undefined;
    /** A body that is not gRPC messages (an HTTP error page): not read. */
    let ignoreBody = false;
    const arrived: Arrived[] = [];
    const end = (s: CallStatus | undefined, failure?: GrpcFailure, refused = false): void => {
      if (ended) return;
      ended = true;
      handlers.onEnd(s, failure, refused);
    };
    stream.on('response', (h: IncomingHttpHeaders & IncomingHttpStatusHeader) => {
      responded = true;
      const http = Number(h[':status']);
      // A trailers-only response: the status comes in the headers (an error before any message).
      status = statusFromTrailers(h);
      if (status) return;
      if (http !== 200) {
        status = statusFromHttp(http);
        ignoreBody = true;
      } else if (!String(h['content-type'] ?? '').startsWith('application/grpc')) {
        status = { code: Status.UNKNOWN, details: `not a gRPC response (content-type ${String(h['content-type'] ?? 'none')})` };
        ignoreBody = true;
      } else reader = new MessageReader(String(h['grpc-encoding'] ?? 'identity'));
    });
    stream.on('data', (chunk: Buffer) => {
      const at = performance.now();
      if (ended || ignoreBody) return;
      try {
        reader.push(chunk, at, arrived);
      } catch (e) {
        return end(undefined, { kind: 'parse', message: (e as Error).message });
      }
      if (arrived.length > 0) handlers.onMessages(arrived.splice(0), at);
      else handlers.onBytes(at);
    });
    // 'trailers' is emitted as the frame arrives, while body data may still sit in the
    // stream's read buffer; the call ends at 'end', which comes after every byte.
    stream.on('trailers', (h: IncomingHttpHeaders) => {
      status = statusFromTrailers(h) ?? { code: Status.UNKNOWN, details: 'trailers without grpc-status' };
    });
    stream.on('end', () => end(status ?? { code: Status.UNKNOWN, details: 'the stream ended without a gRPC status' }));
    /** The stream closed before its end: refused (never processed), reset, or cut. */
    const cut = (e?: NodeJS.ErrnoException): void => {
      if (ended) return;
      const code = stream.rstCode ?? 0;
      if (!responded && (code === http2.constants.NGHTTP2_REFUSED_STREAM || isRefusal(stream, session))) {
        return end(undefined, { kind: 'network', message: 'stream refused by the server' }, true);
      }
      if (code !== http2.constants.NGHTTP2_NO_ERROR) return end(undefined, { kind: 'network', message: resetMessage(code, session) });
      if (e) return end(undefined, { kind: 'network', message: errnoMessage(e) });
      end(status ?? { code: Status.UNKNOWN, details: 'the stream ended without a gRPC status' });
    };
    stream.on('error', (e: NodeJS.ErrnoException) => cut(e));
    stream.on('close', () => cut());
    handlers.onSent(performance.now());
    stream.end(frame(message));
    return stream;
  }

  function stream(req: ModelInferRequest, onResponse: OnResponse, callOpts: CallOpts = {}): Promise<StreamResult> {
    const { signal } = callOpts;
    const message = service.ModelStreamInfer.requestSerialize({
      ...req,
      parameters: { ...req.parameters, triton_enable_empty_final_response: { bool_param: true } },
    });
    return withRetries<StreamResult>(
      signal,
      (session, base) => streamAttempt(session, base, message, onResponse, signal),
      (info) => ({ ...info, responses: 0, endAt: performance.now() }),
    );
  }

  function streamAttempt(
    session: ClientHttp2Session,
    base: CallInfo,
    message: Buffer,
    onResponse: OnResponse,
    signal: AbortSignal | undefined,
  ): Promise<Attempt<StreamResult>> {
    const decode = service.ModelStreamInfer.responseDeserialize;
    return new Promise((resolve) => {
      const result: StreamResult = { ...base, responses: 0, endAt: base.sentAt };
      const pending: Arrived[] = [];
      let scheduled = false;
      let settled = false;
      let final: { status?: CallStatus; failure?: GrpcFailure; refused: boolean } | undefined;
      let call: ClientHttp2Stream | undefined;

      const settle = (failure?: GrpcFailure, extra: Partial<Attempt<StreamResult>> = {}): void => {
        if (settled) return;
        settled = true;
        clearTimeout(idle);
        clearTimeout(deadline);
        signal?.removeEventListener('abort', onAbort);
        if (failure) {
          result.failure = failure;
          if (result.responses === 0) result.endAt = performance.now();
        }
        // Complete or not, a stream still open is not needed any more. A complete one is
        // left to the server to end (we half-closed after the request) unless it lingers.
        if (call && !call.closed) {
          if (failure) call.close(http2.constants.NGHTTP2_CANCEL);
          else {
            const c = call;
            setTimeout(() => c.closed || c.close(http2.constants.NGHTTP2_CANCEL), opts.readTimeoutMs).unref();
          }
        }
        resolve({ result, delivered: result.responses > 0, ...extra });
      };

      const drain = (): void => {
        scheduled = false;
        while (pending.length > 0 && !settled) {
          const { at, buf } = pending.shift() as Arrived;
          let res: ModelStreamInferResponse;
          try {
            res = decode(buf);
          } catch (e) {
            return settle({ kind: 'parse', message: `unreadable ModelStreamInferResponse: ${(e as Error).message}` });
          }
          result.responses++;
          result.endAt = at;
          if (res.error_message) return settle({ kind: 'stream', message: res.error_message });
          try {
            onResponse(res, at);
          } catch (e) {
            return settle({ kind: 'parse', message: (e as Error).message });
          }
          if (parameterValue(res.infer_response?.parameters?.[FINAL]) === true) return settle();
        }
        if (final && !settled) endWith(final.status, final.failure, final.refused);
      };
      const schedule = (): void => {
        if (!scheduled) {
          scheduled = true;
          drains.push(drain);
        }
      };
      const endWith = (status: CallStatus | undefined, failure: GrpcFailure | undefined, refused: boolean): void => {
        if (failure) return settle(failure, { refused });
        if (!status || status.code === Status.OK) {
          return settle(result.responses > 0 ? undefined : { kind: 'parse', message: 'the stream ended without a response' });
        }
        settle(statusFailure(status), { pushbackMs: status.pushbackMs });
      };

      const idle = setTimeout(() => settle({ kind: 'timeout', message: `no data for ${opts.readTimeoutMs} ms (read timeout)` }), opts.readTimeoutMs);
      const deadline = deadlineTimer(opts.deadlineMs, () => settle(deadlineFailure(opts.deadlineMs as number)));
      const onAbort = (): void => settle(ABORTED);
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });

      const opened = openCall(session, service.ModelStreamInfer.path, message, {
        onSent: (at) => {
          result.sentAt = at;
          result.endAt = at;
        },
        onBytes: () => idle.refresh(),
        onMessages: (list) => {
          idle.refresh();
          pending.push(...list);
          schedule();
        },
        onEnd: (status, failure, refused) => {
          final = { status, failure, refused };
          schedule();
        },
      });
      if ('kind' in opened) return settle(opened);
      call = opened;
    });
  }

  function unary<Req, Res, T>(
    method: { path: string; requestSerialize: (v: Req) => Buffer; responseDeserialize: (b: Buffer) => Res },
    req: Req,
    read: (res: Res) => T,
    callOpts: CallOpts = {},
  ): Promise<UnaryResult<T>> {
    const { signal } = callOpts;
    const message = method.requestSerialize(req);
    return withRetries<UnaryResult<T>>(
      signal,
      (session, base) =>
        new Promise((resolve) => {
          const result: UnaryResult<T> = { ...base };
          let got: Arrived | undefined;
          let settled = false;
          let call: ClientHttp2Stream | undefined;
          const settle = (failure?: GrpcFailure, extra: Partial<Attempt<UnaryResult<T>>> = {}): void => {
            if (settled) return;
            settled = true;
            clearTimeout(idle);
            clearTimeout(deadline);
            signal?.removeEventListener('abort', onAbort);
            if (failure) {
              result.failure = failure;
              if (call && !call.closed) call.close(http2.constants.NGHTTP2_CANCEL);
            }
            resolve({ result, ...extra });
          };
          const idle = setTimeout(() => settle({ kind: 'timeout', message: `no data for ${opts.readTimeoutMs} ms (read timeout)` }), opts.readTimeoutMs);
          const deadline = deadlineTimer(opts.deadlineMs, () => settle(deadlineFailure(opts.deadlineMs as number)));
          const onAbort = (): void => settle(ABORTED);
          if (signal?.aborted) return onAbort();
          signal?.addEventListener('abort', onAbort, { once: true });
          const opened = openCall(session, method.path, message, {
            onSent: (at) => (result.sentAt = at),
            onBytes: () => idle.refresh(),
            onMessages: (list) => {
              idle.refresh();
              got ??= list[0];
            },
            onEnd: (status, failure, refused) => {
              if (failure) return settle(failure, { refused });
              if (status && status.code !== Status.OK) return settle(statusFailure(status), { pushbackMs: status.pushbackMs });
              if (!got) return settle({ kind: 'parse', message: 'the call ended without a response' });
              result.receivedAt = got.at;
              try {
                result.value = read(method.responseDeserialize(got.buf));
              } catch (e) {
                return settle({ kind: 'parse', message: `unreadable response: ${(e as Error).message}` });
              }
              settle();
            },
          });
          if ('kind' in opened) return settle(opened);
          call = opened;
        }),
      (info) => ({ ...info }),
    );
  }

  return {
    stream,
    infer: (req, o) => unary(service.ModelInfer, req, (r) => r, o),
    serverLive: (o) => unary(service.ServerLive, {}, (r) => r.live, o),
    modelReady: (model, o) => unary(service.ModelReady, { name: model.name, version: model.version ?? '' }, (r) => r.ready, o),
    modelMetadata: (model, o) => unary(service.ModelMetadata, { name: model.name, version: model.version ?? '' }, (r) => r, o),
    close() {
      closed = true;
      for (const ch of channels) ch.close();
    },
  };
}

/** What one attempt came to, and whether it may be tried again. */
interface Attempt<R> {
  result: R;
  /** A response arrived: never retried. */
  delivered?: boolean;
  /** The server asked for this wait before a retry, ms. */
  pushbackMs?: number;
  /** The server never took the call: sent again at once. */
  refused?: boolean;
}

interface CallHandlers {
  /** When the request was handed to its HTTP/2 stream. */
  onSent(at: number): void;
  /** Bytes arrived that did not complete a message. */
  onBytes(at: number): void;
  /** Messages completed by one arriving chunk. */
  onMessages(list: Arrived[], at: number): void;
  onEnd(status: CallStatus | undefined, failure: GrpcFailure | undefined, refused: boolean): void;
}

const ABORTED: GrpcFailure = Object.freeze({ kind: 'aborted', message: 'aborted' }) as GrpcFailure;
const MAX_REFUSALS = 3;

/**
 * One HTTP/2 connection, made on first use and again after the server closes it or sends
 * GOAWAY. Connected means the server's SETTINGS arrived (a peer that accepts TCP and never
 * speaks HTTP/2 is a connect timeout).
 */
class Channel {
  inflight = 0;
  private session: ClientHttp2Session | undefined;
  private connecting: Promise<ClientHttp2Session | GrpcFailure> | undefined;
  private maxStreams = Infinity;

  constructor(
    private readonly target: GrpcAddress,
    private readonly connectTimeoutMs: number,
    private readonly ca: Buffer | undefined,
  ) {}

  /** Streams this connection takes: ours, or fewer when the server's SETTINGS say so. */
  capacity(perChannel: number): number {
    return Math.min(perChannel, this.maxStreams);
  }

  /** The connection (connectMs 0 when it was up), or why there is none. */
  async connected(signal: AbortSignal | undefined): Promise<{ session: ClientHttp2Session; connectMs: number } | { failure: GrpcFailure; connectMs: number }> {
    const live = this.session;
    if (live && !live.closed && !live.destroyed) return { session: live, connectMs: 0 };
    const start = performance.now();
    this.connecting ??= this.connect().finally(() => (this.connecting = undefined));
    const got = await raceAbort(this.connecting, signal);
    const connectMs = performance.now() - start;
    if (got === undefined) return { failure: ABORTED, connectMs };
    return 'kind' in got ? { failure: got, connectMs } : { session: got, connectMs };
  }

  close(): void {
    const s = this.session;
    this.session = undefined;
    if (s && !s.destroyed) s.destroy();
  }

  private connect(): Promise<ClientHttp2Session | GrpcFailure> {
    const { target } = this;
    return new Promise((resolve) => {
      let done = false;
      const options = {
        settings: { enablePush: false, initialWindowSize: WINDOW },
        // Passed on to net.connect / tls.connect: no Nagle delay on small frames.
        noDelay: true,
        maxSessionMemory: 64,
        ...(target.secure ? { ca: this.ca, ALPNProtocols: ['h2'], servername: isIP(target.host) ? undefined : target.host } : {}),
      } as http2.SecureClientSessionOptions;
      const session = http2.connect(`${target.secure ? 'https' : 'http'}://${target.address}`, options);
      const finish = (r: ClientHttp2Session | GrpcFailure): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if ('kind' in r) session.destroy();
        else {
          this.session = session;
          this.maxStreams = session.remoteSettings.maxConcurrentStreams ?? Infinity;
          session.setLocalWindowSize(WINDOW);
        }
        resolve(r);
      };
      const timer = setTimeout(
        () => finish({ kind: 'timeout', message: `connect timeout after ${this.connectTimeoutMs} ms`, connect: true, unreachable: 'connect-timeout' }),
        this.connectTimeoutMs,
      );
      session.once('remoteSettings', () => finish(session));
      session.on('error', (e: NodeJS.ErrnoException) => finish({ kind: 'network', message: errnoMessage(e), unreachable: unreachableOf(e) }));
      session.on('goaway', (_code: number, lastStreamId: number) => {
        lastGoawayId.set(session, lastStreamId);
        this.forget(session);
      });
      session.on('close', () => {
        this.forget(session);
        finish({ kind: 'network', message: 'the connection closed before the HTTP/2 handshake' });
      });
    });
  }

  /** No new streams on this session (its old ones finish on their own). */
  private forget(session: ClientHttp2Session): void {
    if (this.session === session) this.session = undefined;
  }
}

/** The headers every call sends; metadata keys lower-cased (HTTP/2 header names are). */
function baseHeaders(target: GrpcAddress, metadata: Record<string, string>): http2.OutgoingHttpHeaders {
  const headers: http2.OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(metadata)) headers[k.toLowerCase()] = v;
  return {
    ...headers,
    ':method': 'POST',
    ':scheme': target.secure ? 'https' : 'http',
    ':authority': target.address,
    'content-type': 'application/grpc+proto',
    te: 'trailers',
    'grpc-accept-encoding': 'identity,gzip,deflate',
    'user-agent': `llm-sweep/${VERSION} grpc`,
  };
}

/** A non-OK status as a failure: the deadline is `timeout`, a cancel `aborted`, the rest `status`. */
function statusFailure(s: CallStatus): GrpcFailure {
  const codeName = statusName(s.code);
  const message = s.details || codeName;
  if (s.code === Status.DEADLINE_EXCEEDED) return { kind: 'timeout', code: s.code, codeName, message: `deadline exceeded (${message})` };
  if (s.code === Status.CANCELLED) return { kind: 'aborted', code: s.code, codeName, message };
  return { kind: 'status', code: s.code, codeName, message };
}

function deadlineFailure(ms: number): GrpcFailure {
  return { kind: 'timeout', code: Status.DEADLINE_EXCEEDED, codeName: 'DEADLINE_EXCEEDED', message: `deadline exceeded (${ms} ms)` };
}

function deadlineTimer(ms: number | undefined, fn: () => void): NodeJS.Timeout | undefined {
  return ms === undefined ? undefined : setTimeout(fn, ms);
}

/** True when the server will never process this stream: it sent GOAWAY below the stream's id. */
function isRefusal(stream: ClientHttp2Stream, session: ClientHttp2Session): boolean {
  const last = lastGoawayId.get(session);
  return last !== undefined && stream.id !== undefined && stream.id > last;
}

/** Last-stream-id of each session's GOAWAY, for isRefusal. */
const lastGoawayId = new WeakMap<ClientHttp2Session, number>();

function resetMessage(code: number, session: ClientHttp2Session): string {
  if (session.destroyed || session.closed) return 'connection dropped mid-call';
  return `stream reset by the server (RST_STREAM code ${code})`;
}

/** Socket and TLS errors in the HTTP transport's words for the same errno. */
function errnoMessage(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ERR_HTTP2_STREAM_CANCEL':
    case 'ERR_HTTP2_SESSION_ERROR':
    case 'ERR_HTTP2_GOAWAY_SESSION':
      return 'connection dropped mid-call';
    default:
      if (e.code && /CERT|SELF_SIGNED|SSL|TLS|UNABLE_TO_VERIFY/.test(e.code)) return `TLS: ${e.message} (${e.code})`;
      return networkMessage(e);
  }
}

/** A connect error that means nobody answers at that address. */
function unreachableOf(e: NodeJS.ErrnoException): Unreachable | undefined {
  if (e.code === 'ECONNREFUSED') return 'refused';
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') return 'not-found';
  return undefined;
}

function isIP(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}

/** The promise's value, or undefined as soon as the signal aborts. */
function raceAbort<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T | undefined> {
  if (!signal) return p;
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const onAbort = (): void => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then((v) => {
      signal.removeEventListener('abort', onAbort);
      resolve(v);
    });
  });
}

/** Resolves true after `ms`, false at once when the signal aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
