/**
 * The gRPC transport against a misbehaving KServe v2 server: errors inside the stream,
 * UNAVAILABLE and RESOURCE_EXHAUSTED before success, a stream that stalls past the read
 * timeout, a port nobody listens on, a peer that never finishes the HTTP/2 handshake, a
 * deadline, a server that goes away mid-stream. Every one ends as a typed failure.
 */
import http2 from 'node:http2';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createGrpcClient, type GrpcClientOptions } from '../../src/grpc/grpc-client.js';
import { kserveService } from '../../src/grpc/kserve.js';
import { buildLlmRequest, layoutMetadata } from '../../src/grpc/llm-layouts.js';
import { frame } from '../../src/grpc/wire.js';
import { startFakeTritonGrpc, type FakeGrpcOptions, type FakeGrpcServer } from '../helpers/fake-triton-grpc.js';

const servers: { close(): unknown }[] = [];
const clients: { close(): void }[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.close();
});

async function fake(opts: FakeGrpcOptions = {}): Promise<FakeGrpcServer> {
  const s = await startFakeTritonGrpc({ layout: 'vllm', ...opts });
  servers.push(s);
  return s;
}

function client(url: string, extra: Partial<GrpcClientOptions> = {}) {
  const c = createGrpcClient({
    url,
    concurrency: 1,
    connectTimeoutMs: 2000,
    readTimeoutMs: 5000,
    retry: { retries: 3, on: [429, 500, 502, 503, 504, 'network'], backoff_ms: 5, max_backoff_ms: 20 },
    ...extra,
  });
  clients.push(c);
  return c;
}

const request = (prompt: string) =>
  buildLlmRequest({ layout: 'vllm', model: { name: 'm' }, prompt, stream: true, params: {}, metadata: layoutMetadata('m', 'vllm') }).request!;

async function stream(c: ReturnType<typeof client>, prompt: string) {
  let texts = 0;
  const result = await c.stream(request(prompt), () => void texts++);
  return { ...result, texts };
}

describe('errors inside the stream', () => {
  it('an error_message after a token is a stream failure, not retried', async () => {
    const s = await fake();
    const r = await stream(client(s.url), 'BREAK please');
    expect(r.failure).toEqual({ kind: 'stream', message: 'CUDA out of memory' });
    expect(r.texts).toBe(1);
    expect(r.responses).toBe(2);
    expect(r.attempts).toBe(1);
  });

  it('an error_message before any token is a stream failure too (the server answered)', async () => {
    const s = await fake();
    const r = await stream(client(s.url), 'FAIL please');
    expect(r.failure).toMatchObject({ kind: 'stream', message: expect.stringContaining('the request failed') });
    expect(r.attempts).toBe(1);
  });
});

describe('retries', () => {
  it('UNAVAILABLE twice, then success: three attempts when 503 is in retry.on', async () => {
    const s = await fake();
    const r = await stream(client(s.url), 'UNAVAILABLE then fine');
    expect(r.failure).toBeUndefined();
    expect(r.attempts).toBe(3);
    expect(r.texts).toBe(4);
  });

  it('UNAVAILABLE is final when the retries run out, or when retry.on leaves out 503', async () => {
    const s = await fake();
    const few = await stream(client(s.url, { retry: { retries: 1, on: [503], backoff_ms: 1, max_backoff_ms: 5 } }), 'UNAVAILABLE a');
    expect(few.failure).toMatchObject({ kind: 'status', code: 14, codeName: 'UNAVAILABLE', message: 'Server is not ready yet' });
    expect(few.attempts).toBe(2);
    const none = await stream(client(s.url, { retry: { retries: 3, on: [429], backoff_ms: 1, max_backoff_ms: 5 } }), 'UNAVAILABLE b');
    expect(none.attempts).toBe(1);
  });

  it('RESOURCE_EXHAUSTED is retried as 429', async () => {
    const s = await fake();
    const r = await stream(client(s.url), 'EXHAUSTED once');
    expect(r.failure).toBeUndefined();
    expect(r.attempts).toBe(2);
    const strict = await stream(client(s.url, { retry: { retries: 3, on: [503], backoff_ms: 1, max_backoff_ms: 5 } }), 'EXHAUSTED again');
    expect(strict.failure).toMatchObject({ kind: 'status', codeName: 'RESOURCE_EXHAUSTED' });
  });
});

describe('timeouts and connections', () => {
  it('a stream silent past the read timeout ends as a timeout, after its first token', async () => {
    const s = await fake({ script: { ttftMs: 10, itlMs: 10, tokens: ['a', 'b', 'c'], promptTokens: 1 } });
    const c = client(s.url, { readTimeoutMs: 300 });
    const t0 = performance.now();
    const r = await stream(c, 'STALL now');
    const took = performance.now() - t0;
    expect(r.failure).toEqual({ kind: 'timeout', message: 'no data for 300 ms (read timeout)' });
    expect(r.texts).toBe(1);
    expect(r.attempts).toBe(1);
    expect(took).toBeGreaterThanOrEqual(300);
    expect(took).toBeLessThan(5000);
  });

  it('a port nobody listens on is a network failure, retried as "network"', async () => {
    const port = await freePort();
    const r = await stream(client(`grpc://127.0.0.1:${port}`, { retry: { retries: 2, on: ['network'], backoff_ms: 1, max_backoff_ms: 5 } }), 'hi');
    expect(r.failure).toMatchObject({ kind: 'network', message: 'connection refused (ECONNREFUSED)', unreachable: 'refused' });
    expect(r.attempts).toBe(3);
  });

  it('a peer that accepts TCP but never speaks HTTP/2 is a connect timeout', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    servers.push({
      close: () => {
        for (const socket of sockets) socket.destroy();
        return new Promise((resolve) => silent.close(resolve));
      },
    });
    const { port } = silent.address() as net.AddressInfo;
    const r = await stream(client(`grpc://127.0.0.1:${port}`, { connectTimeoutMs: 200, retry: { retries: 0, on: ['network'], backoff_ms: 1, max_backoff_ms: 1 } }), 'hi');
    expect(r.failure).toEqual({ kind: 'timeout', message: 'connect timeout after 200 ms', connect: true, unreachable: 'connect-timeout' });
    expect(r.connectMs).toBeGreaterThanOrEqual(199);
  });

  it('the deadline caps a whole call', async () => {
    const s = await fake({ script: { ttftMs: 2000, itlMs: 10, tokens: ['a'], promptTokens: 1 } });
    const r = await stream(client(s.url, { deadlineMs: 150 }), 'slow');
    expect(r.failure).toMatchObject({ kind: 'timeout', codeName: 'DEADLINE_EXCEEDED' });
    expect(r.attempts).toBe(1);
  });

  it('a server that goes away mid-stream gives a failure, not a hang', async () => {
    const s = await fake({ script: { ttftMs: 10, itlMs: 200, tokens: ['a', 'b', 'c', 'd'], promptTokens: 1 } });
    const c = client(s.url);
    const pending = c.stream(request('bye'), () => void s.close());
    const r = await pending;
    expect(r.failure).toMatchObject({ kind: 'network', message: 'connection dropped mid-call' });
    expect(r.responses).toBe(1);
    expect(r.attempts).toBe(1);
  });
});

describe('HTTP/2 below gRPC', () => {
  /** A raw HTTP/2 server: `answer` gets each stream and its index. */
  async function rawServer(answer: (stream: http2.ServerHttp2Stream, n: number) => void): Promise<string> {
    const server = http2.createServer();
    let n = 0;
    server.on('stream', (stream) => {
      stream.on('error', () => {});
      answer(stream, n++);
    });
    const sessions = new Set<http2.ServerHttp2Session>();
    server.on('session', (s) => sessions.add(s));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push({
      close: () => {
        for (const s of sessions) s.destroy();
        return new Promise((resolve) => server.close(resolve));
      },
    });
    return `grpc://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  }

  const live = (stream: http2.ServerHttp2Stream) => {
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
    stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
    stream.end(frame(kserveService().ServerLive.responseSerialize({ live: true })));
  };

  it('a stream the server refuses (REFUSED_STREAM) is sent again at once: not an attempt', async () => {
    const url = await rawServer((stream, n) => (n === 0 ? stream.close(http2.constants.NGHTTP2_REFUSED_STREAM) : live(stream)));
    const r = await client(url, { retry: { retries: 0, on: [], backoff_ms: 1, max_backoff_ms: 1 } }).serverLive();
    expect(r.failure).toBeUndefined();
    expect(r.value).toBe(true);
    expect(r.attempts).toBe(1);
  });

  it('an HTTP error from a proxy in front is its gRPC status (503 -> UNAVAILABLE, retried)', async () => {
    const url = await rawServer((stream, n) => {
      if (n > 0) return live(stream);
      stream.respond({ ':status': 503, 'content-type': 'text/html' });
      stream.end('<html>upstream connect error</html>');
    });
    const r = await client(url).serverLive();
    expect(r.value).toBe(true);
    expect(r.attempts).toBe(2);
  });

  it('reports how long the first call waited for the connection, 0 for the next', async () => {
    const url = await rawServer((stream) => live(stream));
    const c = client(url);
    const first = await c.serverLive();
    const second = await c.serverLive();
    expect(first.connectMs).toBeGreaterThan(0);
    expect(second.connectMs).toBe(0);
  });

  it('a message split over many DATA frames is stamped when its last byte arrives', async () => {
    const body = frame(kserveService().ServerLive.responseSerialize({ live: true }));
    const url = await rawServer((stream) => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.write(body.subarray(0, 3));
      setTimeout(() => {
        stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
        stream.end(body.subarray(3));
      }, 120);
    });
    const r = await client(url).serverLive();
    expect(r.value).toBe(true);
    expect((r.receivedAt ?? 0) - r.sentAt).toBeGreaterThanOrEqual(119);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
