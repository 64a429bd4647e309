/**
 * The gRPC transport (the only client-side importer of @grpc/grpc-js): KServe v2 calls over
 * channels sized to a cell's concurrency, with the guarantees of the HTTP transport — a
 * connect timeout, a read (idle) timeout that also covers the silence between streamed
 * responses, an optional deadline, retries with exponential backoff and full jitter on the
 * statuses `retry.on` names (see retryStatus), TLS for grpcs://, and metadata headers (auth)
 * that appear in no message. Every response is stamped with performance.now() when grpc-js
 * hands over its bytes, before any decoding; decoding waits for the check phase, so hundreds
 * of streams receiving a token at once are all stamped before any is decoded.
 * Failures come back as GrpcFailure values, never as exceptions.
 */
import { performance } from 'node:perf_hooks';
import {
  Client,
  connectivityState,
  credentials,
  Metadata,
  status as Status,
  type CallOptions,
  type ClientDuplexStream,
  type ServiceError,
  type StatusObject,
} from '@grpc/grpc-js';
import { backoffDelay, type RetryPolicy } from '../providers/http-client.js';
import { kserveService, type ModelInferRequest, type ModelInferResponse, type ModelMetadataResponse, type ModelRef, type ModelStreamInferResponse } from './kserve.js';
import { parameterValue } from './tensors.js';

/** Triton's gRPC port, for a grpc:// URL without one. */
export const DEFAULT_GRPC_PORT = 8001;
const DEFAULT_GRPCS_PORT = 443;

export interface GrpcAddress {
  /** host:port as grpc-js wants it ([v6]:port for IPv6). */
  address: string;
  host: string;
  port: number;
  /** grpcs:// */
  secure: boolean;
}

/** grpc://host[:port] or grpcs://host[:port]; undefined for anything else (a path included). */
export function parseGrpcUrl(url: string): GrpcAddress | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  if (u.protocol !== 'grpc:' && u.protocol !== 'grpcs:') return undefined;
  if (!u.hostname || (u.pathname !== '' && u.pathname !== '/') || u.search || u.hash || u.username) return undefined;
  const secure = u.protocol === 'grpcs:';
  const port = u.port ? Number(u.port) : secure ? DEFAULT_GRPCS_PORT : DEFAULT_GRPC_PORT;
  return { address: `${u.hostname}:${port}`, host: u.hostname.replace(/^\[|\]$/g, ''), port, secure };
}

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

/** Name of a gRPC status code (UNAVAILABLE for 14). */
export function statusName(code: number): string {
  return (Status as unknown as Record<number, string>)[code] ?? `STATUS_${code}`;
}

/** True when the policy retries this failure: its HTTP equivalent is in `on`, or it is a network failure and `on` has 'network'. */
export function retryStatus(failure: GrpcFailure, policy: Pick<RetryPolicy, 'on'>): boolean {
  if (failure.kind === 'network' || failure.connect) return policy.on.includes('network');
  if (failure.kind !== 'status' || failure.code === undefined) return false;
  const http = HTTP_EQUIVALENT[failure.code];
  return http !== undefined && policy.on.includes(http);
}

interface Channel {
  client: Client;
  inflight: number;
}

const FINAL = 'triton_final_response';
const MAX_STREAMS = 100;

export function createGrpcClient(opts: GrpcClientOptions): GrpcClient {
  const target = parseGrpcUrl(opts.url);
  if (!target) throw new Error(`not a grpc:// or grpcs:// URL: ${opts.url}`);
  const service = kserveService();
  const creds = target.secure ? credentials.createSsl(opts.ca ?? null) : credentials.createInsecure();
  const metadata = new Metadata();
  for (const [k, v] of Object.entries(opts.metadata ?? {})) metadata.set(k.toLowerCase(), v);
  const random = opts.random ?? Math.random;
  const perChannel = Math.max(1, opts.streamsPerChannel ?? MAX_STREAMS);
  const channelOptions = {
    // Each channel its own connection: grpc-js would otherwise share one per target.
    'grpc.use_local_subchannel_pool': 1,
    'grpc.max_receive_message_length': -1,
    'grpc.max_send_message_length': -1,
    // Our retries decide when to try again; grpc-js' own reconnect backoff (1 s, growing to
    // 2 min) would fail every retry fast while it waits.
    'grpc.initial_reconnect_backoff_ms': 100,
    'grpc.max_reconnect_backoff_ms': 1000,
  };
  const channels: Channel[] = Array.from({ length: Math.ceil(Math.max(1, opts.concurrency) / perChannel) }, () => ({
    client: new Client(target.address, creds, channelOptions),
    inflight: 0,
  }));
  let closed = false;

  const pick = (): Channel => channels.reduce((a, b) => (b.inflight < a.inflight ? b : a));

  const callOptions = (): CallOptions => (opts.deadlineMs !== undefined ? { deadline: Date.now() + opts.deadlineMs } : {});

  /**
   * Runs attempts until one succeeds, fails for good, or the retries are spent. An attempt
   * that already delivered a response (`delivered`) is never retried.
   */
  async function withRetries<R extends CallInfo>(
    signal: AbortSignal | undefined,
    attempt: (ch: Channel, base: CallInfo) => Promise<R & { delivered?: boolean; pushbackMs?: number }>,
    failed: (info: CallInfo) => R,
  ): Promise<R> {
    let attempts = 0;
    for (;;) {
      attempts++;
      const ch = pick();
      ch.inflight++;
      let result: R & { delivered?: boolean; pushbackMs?: number };
      try {
        const start = performance.now();
        const ready = closed ? 'closed' : await waitReady(ch.client, opts.connectTimeoutMs, signal);
        const connectMs = ready === 'ready-now' ? 0 : performance.now() - start;
        const base: CallInfo = { attempts, sentAt: performance.now(), connectMs };
        if (ready === 'aborted' || ready === 'closed') result = failed({ ...base, failure: { kind: 'aborted', message: 'aborted' } });
        else if (ready === 'timeout') {
          result = failed({ ...base, failure: { kind: 'timeout', message: `connect timeout after ${opts.connectTimeoutMs} ms`, connect: true } });
        } else result = await attempt(ch, base);
      } finally {
        ch.inflight--;
      }
      const f = result.failure;
      if (!f || result.delivered || f.kind === 'aborted' || attempts > opts.retry.retries || !retryStatus(f, opts.retry)) {
        delete result.delivered;
        delete result.pushbackMs;
        return result;
      }
      const wait = Math.min(opts.retry.max_backoff_ms, Math.max(backoffDelay(attempts, undefined, opts.retry, random), result.pushbackMs ?? 0));
      if (!(await sleep(wait, signal))) {
        result.failure = { kind: 'aborted', message: 'aborted' };
        delete result.delivered;
        delete result.pushbackMs;
        return result;
      }
    }
  }

  function stream(req: ModelInferRequest, onResponse: OnResponse, callOpts: CallOpts = {}): Promise<StreamResult> {
    const { signal } = callOpts;
    const body: ModelInferRequest = {
      ...req,
      parameters: { ...req.parameters, triton_enable_empty_final_response: { bool_param: true } },
    };
    return withRetries<StreamResult>(
      signal,
      (ch, base) => streamAttempt(ch, base, body, onResponse, signal),
      (info) => ({ ...info, responses: 0, endAt: performance.now() }),
    );
  }

  function streamAttempt(
    ch: Channel,
    base: CallInfo,
    req: ModelInferRequest,
    onResponse: OnResponse,
    signal: AbortSignal | undefined,
  ): Promise<StreamResult & { delivered?: boolean; pushbackMs?: number }> {
    const method = service.ModelStreamInfer;
    return new Promise((resolve) => {
      const result: StreamResult & { delivered?: boolean; pushbackMs?: number } = { ...base, responses: 0, endAt: base.sentAt };
      const pending: Stamped[] = [];
      let scheduled = false;
      let settled = false;
      let finalStatus: StatusObject | undefined;
      let call: ClientDuplexStream<ModelInferRequest, Stamped> | undefined;

      const settle = (failure?: GrpcFailure, pushbackMs?: number): void => {
        if (settled) return;
        settled = true;
        clearTimeout(idle);
        signal?.removeEventListener('abort', onAbort);
        if (failure) {
          result.failure = failure;
          if (pushbackMs !== undefined) result.pushbackMs = pushbackMs;
          if (result.endAt === base.sentAt) result.endAt = performance.now();
        }
        result.delivered = result.responses > 0;
        if (call && finalStatus === undefined) {
          if (failure) call.cancel();
          else {
            // Complete: the server ends the stream by itself (we half-closed after the
            // request); cancel only if it never does.
            const c = call;
            setTimeout(() => finalStatus === undefined && c.cancel(), opts.readTimeoutMs).unref();
          }
        }
        resolve(result);
      };

      const drain = (): void => {
        scheduled = false;
        while (pending.length > 0 && !settled) {
          const { at, buf } = pending.shift() as Stamped;
          let res: ModelStreamInferResponse;
          try {
            res = method.responseDeserialize(buf);
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
        if (finalStatus && !settled && pending.length === 0) {
          if (finalStatus.code === Status.OK) {
            settle(result.responses > 0 ? undefined : { kind: 'parse', message: 'the stream ended without a response' });
          } else settle(statusFailure(finalStatus, ch.client), pushback(finalStatus));
        }
      };
      const schedule = (): void => {
        if (!scheduled) {
          scheduled = true;
          setImmediate(drain);
        }
      };

      const onIdle = (): void => settle({ kind: 'timeout', message: `no data for ${opts.readTimeoutMs} ms (read timeout)` });
      const idle = setTimeout(onIdle, opts.readTimeoutMs);
      const onAbort = (): void => settle({ kind: 'aborted', message: 'aborted' });
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });

      // The first thing that sees a response's bytes: stamp it, defer the decoding.
      const stamp = (buf: Buffer): Stamped => {
        idle.refresh();
        return { at: performance.now(), buf };
      };
      try {
        result.sentAt = performance.now();
        call = ch.client.makeBidiStreamRequest(method.path, method.requestSerialize, stamp, metadata.clone(), callOptions());
      } catch (e) {
        return settle({ kind: 'network', message: `could not start the call: ${(e as Error).message}` });
      }
      call.on('data', (s: Stamped) => {
        pending.push(s);
        schedule();
      });
      call.on('error', () => {}); // the same outcome arrives as 'status'
      call.on('status', (s: StatusObject) => {
        finalStatus = s;
        schedule();
      });
      call.write(req);
      call.end();
    });
  }

  function unary<Req, Res, T>(
    method: { path: string; requestSerialize: (v: Req) => Buffer; responseDeserialize: (b: Buffer) => Res },
    req: Req,
    read: (res: Res) => T,
    callOpts: CallOpts = {},
  ): Promise<UnaryResult<T>> {
    const { signal } = callOpts;
    return withRetries<UnaryResult<T>>(
      signal,
      (ch, base) =>
        new Promise((resolve) => {
          const result: UnaryResult<T> & { pushbackMs?: number } = { ...base };
          let settled = false;
          const settle = (failure?: GrpcFailure, pushbackMs?: number): void => {
            if (settled) return;
            settled = true;
            clearTimeout(idle);
            signal?.removeEventListener('abort', onAbort);
            if (failure) result.failure = failure;
            if (pushbackMs !== undefined) result.pushbackMs = pushbackMs;
            resolve(result);
          };
          const idle = setTimeout(() => {
            call?.cancel();
            settle({ kind: 'timeout', message: `no data for ${opts.readTimeoutMs} ms (read timeout)` });
          }, opts.readTimeoutMs);
          const onAbort = (): void => {
            call?.cancel();
            settle({ kind: 'aborted', message: 'aborted' });
          };
          let call: { cancel(): void } | undefined;
          if (signal?.aborted) return onAbort();
          signal?.addEventListener('abort', onAbort, { once: true });
          const stamp = (buf: Buffer): Stamped => ({ at: performance.now(), buf });
          try {
            result.sentAt = performance.now();
            call = ch.client.makeUnaryRequest(
              method.path,
              method.requestSerialize,
              stamp,
              req,
              metadata.clone(),
              callOptions(),
              (err: ServiceError | null, value?: Stamped) => {
                if (err) return settle(statusFailure(err, ch.client), pushback(err));
                if (!value) return settle({ kind: 'parse', message: 'empty response' });
                result.receivedAt = value.at;
                try {
                  result.value = read(method.responseDeserialize(value.buf));
                } catch (e) {
                  return settle({ kind: 'parse', message: `unreadable response: ${(e as Error).message}` });
                }
                settle();
              },
            );
          } catch (e) {
            settle({ kind: 'network', message: `could not start the call: ${(e as Error).message}` });
          }
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
      for (const ch of channels) ch.client.close();
    },
  };
}

/** A response's bytes and the performance.now() of their arrival. */
interface Stamped {
  at: number;
  buf: Buffer;
}

type Readiness = 'ready-now' | 'ready' | 'failed' | 'timeout' | 'aborted';

/**
 * Waits until the channel is connected (asking it to connect), has failed to (the call then
 * fails at once with grpc-js' reason, e.g. ECONNREFUSED), the connect timeout passes, or the
 * signal aborts.
 */
function waitReady(client: Client, timeoutMs: number, signal: AbortSignal | undefined): Promise<Readiness> {
  const channel = client.getChannel();
  const first = channel.getConnectivityState(true);
  if (first === connectivityState.READY) return Promise.resolve('ready-now');
  if (signal?.aborted) return Promise.resolve('aborted');
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve) => {
    let done = false;
    const finish = (r: Readiness): void => {
      if (done) return;
      done = true;
      signal?.removeEventListener('abort', onAbort);
      resolve(r);
    };
    const onAbort = (): void => finish('aborted');
    signal?.addEventListener('abort', onAbort, { once: true });
    const check = (state: connectivityState): void => {
      if (state === connectivityState.READY) return finish('ready');
      if (state === connectivityState.TRANSIENT_FAILURE || state === connectivityState.SHUTDOWN) return finish('failed');
      channel.watchConnectivityState(state, deadline, (err) => {
        if (done) return;
        if (err) finish('timeout');
        else check(channel.getConnectivityState(true));
      });
    };
    check(first);
  });
}

/** A non-OK status as a failure: connection trouble is `network`, the deadline `timeout`. */
function statusFailure(s: Pick<StatusObject, 'code' | 'details'>, client: Client): GrpcFailure {
  const codeName = statusName(s.code);
  const details = s.details || codeName;
  if (s.code === Status.DEADLINE_EXCEEDED) return { kind: 'timeout', code: s.code, codeName, message: `deadline exceeded (${details})` };
  if (s.code === Status.CANCELLED) return { kind: 'aborted', code: s.code, codeName, message: details };
  const state = client.getChannel().getConnectivityState(false);
  if (s.code === Status.UNAVAILABLE && (isConnectionTrouble(details) || state === connectivityState.TRANSIENT_FAILURE)) {
    return { kind: 'network', code: s.code, codeName, message: connectionMessage(details) };
  }
  return { kind: 'status', code: s.code, codeName, message: details };
}

function isConnectionTrouble(details: string): boolean {
  return /^No connection established|^Connection dropped|\bE(CONNREFUSED|CONNRESET|HOSTUNREACH|NETUNREACH|NOTFOUND|PIPE|TIMEDOUT)\b/.test(details);
}

/** grpc-js' connection errors, shortened to what the HTTP transport says for the same errno. */
function connectionMessage(details: string): string {
  const code = /\b(E[A-Z]{4,})\b/.exec(details)?.[1];
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused (ECONNREFUSED)';
    case 'ECONNRESET':
      return 'connection reset by the server (ECONNRESET)';
    case 'ENOTFOUND':
      return 'host not found (ENOTFOUND)';
    default:
      return /^Connection dropped/.test(details) ? 'connection dropped mid-call' : details.replace(/\. Resolution note:.*$/, '');
  }
}

/** The server's grpc-retry-pushback-ms trailer (gRPC's Retry-After), ms. */
function pushback(s: { metadata?: Metadata }): number | undefined {
  const v = s.metadata?.get('grpc-retry-pushback-ms')[0];
  const n = typeof v === 'string' ? Number(v) : Number.NaN;
  return Number.isFinite(n) && n >= 0 ? n : undefined;
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
