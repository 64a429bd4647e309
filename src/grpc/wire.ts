/**
 * gRPC's framing on HTTP/2, as the protocol spec writes it (PROTOCOL-HTTP2.md): request
 * headers, length-prefixed messages (1 byte compressed flag, 4 bytes big-endian length),
 * the status in trailers (or in a trailers-only response), grpc-timeout, and the status an
 * HTTP error stands for. Pure functions and one small reader; no I/O.
 * https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md
 * https://github.com/grpc/grpc/blob/master/doc/statuscodes.md
 */
import { gunzipSync, inflateSync } from 'node:zlib';

/** Triton's gRPC port, for a grpc:// URL without one. */
export const DEFAULT_GRPC_PORT = 8001;
const DEFAULT_GRPCS_PORT = 443;

export interface GrpcAddress {
  /** host:port, the :authority of every call ([v6]:port for IPv6). */
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

/** Status code names by number (google.rpc.Code). */
export const STATUS_NAMES = [
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
] as const;

export type StatusName = (typeof STATUS_NAMES)[number];

/** The code of a status name. */
export const Status = Object.fromEntries(STATUS_NAMES.map((n, i) => [n, i])) as Record<StatusName, number>;

export function statusName(code: number): string {
  return STATUS_NAMES[code] ?? `STATUS_${code}`;
}

/** A length-prefixed message: flag 0 (not compressed), then the length, then the bytes. */
export function frame(message: Buffer): Buffer {
  const out = Buffer.allocUnsafe(5 + message.length);
  out[0] = 0;
  out.writeUInt32BE(message.length, 1);
  message.copy(out, 5);
  return out;
}

/** A whole message and the arrival time of the chunk that completed it. */
export interface Arrived {
  buf: Buffer;
  at: number;
}

/**
 * Cuts a response body into messages as chunks arrive; a message split over chunks is
 * stamped with the arrival of its last piece. Compressed messages are inflated with the
 * response's grpc-encoding. Throws on a compressed message in an unknown encoding.
 */
export class MessageReader {
  private pending: Buffer[] = [];
  private size = 0;
  constructor(private readonly encoding = 'identity') {}

  push(chunk: Buffer, at: number, out: Arrived[]): void {
    this.pending.push(chunk);
    this.size += chunk.length;
    while (this.size >= 5) {
      const head = this.peek(5);
      const length = head.readUInt32BE(1);
      if (this.size < 5 + length) return;
      const whole = this.take(5 + length);
      const body = whole.subarray(5);
      out.push({ buf: head[0] === 1 ? this.inflate(body) : body, at });
    }
  }

  /** Bytes received that do not yet make a whole message. */
  get leftover(): number {
    return this.size;
  }

  private inflate(body: Buffer): Buffer {
    if (this.encoding === 'gzip') return gunzipSync(body);
    if (this.encoding === 'deflate') return inflateSync(body);
    throw new Error(`compressed message in unsupported encoding '${this.encoding}'`);
  }

  private peek(n: number): Buffer {
    if (this.pending[0].length < n) this.pending = [Buffer.concat(this.pending)];
    return this.pending[0].subarray(0, n);
  }

  private take(n: number): Buffer {
    if (this.pending[0].length < n) this.pending = [Buffer.concat(this.pending)];
    const first = this.pending[0];
    const out = first.subarray(0, n);
    if (first.length === n) this.pending.shift();
    else this.pending[0] = first.subarray(n);
    this.size -= n;
    return out;
  }
}

/** The grpc-timeout header for a deadline `ms` from now (at most 8 digits, so coarser units for long ones). */
export function timeoutHeader(ms: number): string {
  const m = Math.max(1, Math.ceil(ms));
  if (m < 1e8) return `${m}m`;
  const s = Math.ceil(m / 1000);
  return s < 1e8 ? `${s}S` : `${Math.min(99999999, Math.ceil(s / 3600))}H`;
}

/** A call's final status, from trailers (or the headers of a trailers-only response). */
export interface CallStatus {
  code: number;
  details: string;
  /** grpc-retry-pushback-ms: how long the server asks the client to wait before retrying, ms. */
  pushbackMs?: number;
}

type Headers = Record<string, string | string[] | number | undefined>;

function one(v: Headers[string]): string | undefined {
  return Array.isArray(v) ? v[0] : v === undefined ? undefined : String(v);
}

/** The status in trailers; undefined when they carry none. */
export function statusFromTrailers(h: Headers): CallStatus | undefined {
  const raw = one(h['grpc-status']);
  if (raw === undefined) return undefined;
  const code = Number(raw);
  const details = percentDecode(one(h['grpc-message']) ?? '');
  const status: CallStatus = { code: Number.isInteger(code) ? code : Status.UNKNOWN, details };
  const pushback = Number(one(h['grpc-retry-pushback-ms']));
  if (one(h['grpc-retry-pushback-ms']) !== undefined && Number.isFinite(pushback) && pushback >= 0) status.pushbackMs = pushback;
  return status;
}

/** The status a non-200 HTTP answer stands for (the spec's table: 429 and 502-504 are UNAVAILABLE). */
export function statusFromHttp(httpStatus: number): CallStatus {
  const code =
    httpStatus === 400
      ? Status.INTERNAL
      : httpStatus === 401
        ? Status.UNAUTHENTICATED
        : httpStatus === 403
          ? Status.PERMISSION_DENIED
          : httpStatus === 404
            ? Status.UNIMPLEMENTED
            : httpStatus === 429 || httpStatus === 502 || httpStatus === 503 || httpStatus === 504
              ? Status.UNAVAILABLE
              : Status.UNKNOWN;
  return { code, details: `HTTP ${httpStatus} (not a gRPC response)` };
}

/** grpc-message is percent-encoded UTF-8; a malformed escape is kept as is. */
export function percentDecode(s: string): string {
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
