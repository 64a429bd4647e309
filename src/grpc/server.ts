/**
 * A KServe v2 gRPC server on node:http2 (wire.ts framing), for the bundled simulator: give it
 * handlers for the RPCs you serve (the others answer UNIMPLEMENTED), a host and a port (0 =
 * any free one), and optionally a TLS key pair. Small on purpose: the simulator is the
 * "server with known delays" that fidelity is measured against, so its own overhead per
 * message must stay far below a millisecond at hundreds of streams. Its interoperability is
 * tested with @grpc/grpc-js' client (test/integration/simulator-grpc.test.ts).
 */
import http2, { type Http2Server, type Http2SecureServer, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { kserveService, type KserveMethods, type ModelInferRequest, type ModelInferResponse, type ModelMetadataResponse, type ModelRef, type ModelStreamInferResponse } from './kserve.js';
import { frame, MessageReader, Status, type Arrived } from './wire.js';

/** A status to end a call with. */
export interface StatusError {
  code: number;
  details?: string;
  /** Trailing metadata, e.g. grpc-retry-pushback-ms. */
  metadata?: Record<string, string>;
}

interface ServerCall {
  /** Request metadata (lower-case keys; pseudo-headers and gRPC's own left out). */
  metadata: Record<string, string>;
  /** performance.now() when the call's headers arrived. */
  arrivedAt: number;
  /** Called once if the client cancels or the connection drops before the call ended. */
  onCancel(fn: () => void): void;
}

export interface UnaryCall<Req> extends ServerCall {
  request: Req;
}

export type Reply<Res> = (error: StatusError | null, value?: Res) => void;

export interface BidiCall<Req, Res> extends ServerCall {
  /** Each request message, with the performance.now() of its arrival. */
  onMessage(fn: (req: Req, at: number) => void): void;
  /** The client has sent its last message. */
  onHalfClose(fn: () => void): void;
  write(res: Res): void;
  /** Ends the call with status OK. */
  end(): void;
  /** Ends the call with an error status. */
  fail(e: StatusError): void;
}

export interface KserveHandlers {
  ServerLive?(call: UnaryCall<Record<string, never>>, reply: Reply<{ live: boolean }>): void;
  ModelReady?(call: UnaryCall<ModelRef>, reply: Reply<{ ready: boolean }>): void;
  ModelMetadata?(call: UnaryCall<ModelRef>, reply: Reply<ModelMetadataResponse>): void;
  ModelInfer?(call: UnaryCall<ModelInferRequest>, reply: Reply<ModelInferResponse>): void;
  ModelStreamInfer?(call: BidiCall<ModelInferRequest, ModelStreamInferResponse>): void;
}

export interface KserveServerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** PEM key and certificate: serve grpcs://. */
  tls?: { key: Buffer; cert: Buffer };
}

export interface RunningKserveServer {
  port: number;
  /** grpc://host:port (grpcs:// with TLS). */
  url: string;
  /** Ends every call and stops listening. */
  close(): Promise<void>;
}

const WINDOW = 16 * 1024 * 1024;
const GRPC_HEADERS = new Set(['content-type', 'te', 'user-agent', 'grpc-timeout', 'grpc-encoding', 'grpc-accept-encoding', 'grpc-message-type']);

type Method = KserveMethods[keyof KserveMethods];

export async function startKserveServer(handlers: KserveHandlers, opts: KserveServerOptions = {}): Promise<RunningKserveServer> {
  const service = kserveService();
  const byPath = new Map<string, [keyof KserveMethods, Method]>();
  for (const [name, m] of Object.entries(service) as [keyof KserveMethods, Method][]) byPath.set(m.path, [name, m]);
  const settings = { initialWindowSize: WINDOW, maxConcurrentStreams: 1 << 20 };
  const server: Http2Server | Http2SecureServer = opts.tls
    ? http2.createSecureServer({ key: opts.tls.key, cert: opts.tls.cert, settings })
    : http2.createServer({ settings });
  // No Nagle delay on small frames (a token is a few dozen bytes).
  server.on(opts.tls ? 'secureConnection' : 'connection', (socket: import('node:net').Socket) => socket.setNoDelay(true));
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
    session.on('error', () => {});
    session.once('remoteSettings', () => session.setLocalWindowSize(WINDOW));
  });
  // A call is stamped when its headers are read and set up in the check phase: when one
  // socket read brings many calls (a client's burst over one connection), each is stamped
  // before any is decoded and handled, so its clock starts at its arrival rather than after
  // the setup of the calls before it in the read (~0.1 ms each). Its body waits unread.
  let arrivals: (() => void)[] = [];
  const setUpArrivals = (): void => {
    const now = arrivals;
    arrivals = [];
    for (const fn of now) fn();
  };
  server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
    const arrivedAt = performance.now();
    stream.on('error', () => {});
    if (arrivals.push(() => dispatch(stream, headers, arrivedAt)) === 1) setImmediate(setUpArrivals);
  });
  const dispatch = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, arrivedAt: number): void => {
    if (stream.closed || stream.destroyed) return; // the client left before it was set up
    const found = byPath.get(String(headers[':path']));
    const handler = found ? (handlers as Record<string, unknown>)[found[0]] : undefined;
    const call = new Call(stream, headers, arrivedAt);
    if (!found || typeof handler !== 'function') return call.fail({ code: Status.UNIMPLEMENTED, details: `Method not found: ${String(headers[':path'])}` });
    const [, method] = found;
    if (method.requestStream) {
      (handler as (c: BidiCall<unknown, unknown>) => void)(call.bidi(method));
      return;
    }
    call.unary(method, handler as (c: UnaryCall<unknown>, r: Reply<unknown>) => void);
  };
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const bracketed = host.includes(':') ? `[${host}]` : host;
  return {
    port,
    url: `${opts.tls ? 'grpcs' : 'grpc'}://${bracketed}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sessions) s.destroy();
      }),
  };
}

/** One call's HTTP/2 stream: headers once, messages, then trailers (or a trailers-only answer). */
class Call {
  readonly metadata: Record<string, string> = {};
  private responded = false;
  private done = false;
  private cancelFns: (() => void)[] = [];
  private reader: MessageReader;

  constructor(
    private readonly stream: ServerHttp2Stream,
    headers: IncomingHttpHeaders,
    readonly arrivedAt: number,
  ) {
    for (const [k, v] of Object.entries(headers)) {
      if (!k.startsWith(':') && !GRPC_HEADERS.has(k) && v !== undefined) this.metadata[k] = Array.isArray(v) ? v.join(', ') : v;
    }
    this.reader = new MessageReader(String(headers['grpc-encoding'] ?? 'identity'));
    stream.on('close', () => {
      if (this.done) return;
      this.done = true;
      for (const fn of this.cancelFns) fn();
    });
  }

  /** Reads whole request messages as they arrive; a malformed body ends the call INTERNAL. */
  private read(method: Method, onMessage: (req: unknown, at: number) => void): void {
    const arrived: Arrived[] = [];
    this.stream.on('data', (chunk: Buffer) => {
      const at = performance.now();
      try {
        this.reader.push(chunk, at, arrived);
        for (const m of arrived.splice(0)) onMessage(method.requestDeserialize(m.buf), m.at);
      } catch (e) {
        this.fail({ code: Status.INTERNAL, details: `unreadable request: ${(e as Error).message}` });
      }
    });
  }

  unary(method: Method, handler: (c: UnaryCall<unknown>, r: Reply<unknown>) => void): void {
    let request: unknown;
    this.read(method, (req) => (request ??= req));
    this.stream.on('end', () => {
      if (this.done) return;
      if (request === undefined) return this.fail({ code: Status.INTERNAL, details: 'no request message' });
      handler({ request, metadata: this.metadata, arrivedAt: this.arrivedAt, onCancel: (fn) => this.cancelFns.push(fn) }, (err, value) => {
        if (err) return this.fail(err);
        this.write(method.responseSerialize(value as never));
        this.end();
      });
    });
  }

  bidi(method: Method): BidiCall<unknown, unknown> {
    let onMessage: (req: unknown, at: number) => void = () => {};
    let onHalfClose: () => void = () => {};
    // Response headers at once (as an SSE server flushes its headers on arrival), so the
    // first message is a DATA frame alone, not HEADERS encoded on the token's path.
    this.respond();
    this.read(method, (req, at) => onMessage(req, at));
    this.stream.on('end', () => onHalfClose());
    return {
      metadata: this.metadata,
      arrivedAt: this.arrivedAt,
      onCancel: (fn) => this.cancelFns.push(fn),
      onMessage: (fn) => (onMessage = fn),
      onHalfClose: (fn) => (onHalfClose = fn),
      write: (res) => this.write(method.responseSerialize(res as never)),
      end: () => this.end(),
      fail: (e) => this.fail(e),
    };
  }

  private respond(): void {
    if (this.responded) return;
    this.responded = true;
    this.stream.respond({ ':status': 200, 'content-type': 'application/grpc+proto', 'grpc-accept-encoding': 'identity' }, { waitForTrailers: true });
  }

  private write(message: Buffer): void {
    if (this.done || this.stream.destroyed) return;
    this.respond();
    this.stream.write(frame(message));
  }

  private end(): void {
    this.finish({ code: Status.OK });
  }

  fail(e: StatusError): void {
    this.finish(e);
  }

  private finish(s: StatusError): void {
    if (this.done || this.stream.destroyed) return;
    this.done = true;
    const trailers: http2.OutgoingHttpHeaders = { ...s.metadata, 'grpc-status': String(s.code) };
    if (s.details) trailers['grpc-message'] = encodeURIComponent(s.details);
    if (!this.responded) {
      // Trailers-only: the status in the one HEADERS frame.
      this.responded = true;
      this.stream.respond({ ':status': 200, 'content-type': 'application/grpc+proto', ...trailers }, { endStream: true });
      return;
    }
    this.stream.once('wantTrailers', () => this.stream.sendTrailers(trailers));
    this.stream.end();
  }
}
