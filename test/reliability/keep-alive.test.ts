/**
 * The HTTP client against fakes that treat connections as real servers do: the keep-alive
 * race is re-sent at once on a new connection (not an attempt, not an error, no backoff),
 * genuine failures are still retried by retry.on, and sockets the server closed or said it
 * will close are not reused. In-process, so the client's own counts can be checked.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpClient, HttpFailure, type HttpClient, type HttpResponse } from '../../src/http/client.js';
import type { ConnectionOptions } from '../helpers/conn-behaviour.js';
import { json, startFakeServer, streamChat, type FakeServer, type Handler } from '../helpers/fake-openai.js';

const servers: FakeServer[] = [];
const clients: HttpClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(connection: ConnectionOptions, handler: Handler = answer): Promise<FakeServer> {
  const s = await startFakeServer(handler, { connection });
  servers.push(s);
  return s;
}

/** Streams when asked to (SSE), otherwise a sized JSON body. */
const answer: Handler = (req, res) =>
  req.body.stream
    ? streamChat(res, { ttftMs: 2, itlMs: 1, tokens: ['a', 'b'], usage: 'separate' }, true)
    : json(res, 200, { choices: [{ message: { content: 'ab' }, finish_reason: 'stop' }] });

/** Retries with a backoff long enough that any backoff would dominate the timings. */
function client(retries = 0, backoff_ms = 2000): HttpClient {
  const c = createHttpClient({
    concurrency: 4,
    connectTimeoutMs: 2000,
    readTimeoutMs: 5000,
    retry: { retries, on: [429, 500, 502, 503, 504, 'network'], backoff_ms, max_backoff_ms: backoff_ms },
    random: () => 1,
  });
  clients.push(c);
  return c;
}

async function send(c: HttpClient, s: FakeServer, stream: boolean): Promise<HttpResponse> {
  const res = await c.post({ url: `${s.baseUrl}/chat/completions`, headers: {}, body: { stream } });
  await res.consume(() => {});
  return res;
}

async function sequence(c: HttpClient, s: FakeServer, n: number, stream: boolean): Promise<HttpResponse[]> {
  const out: HttpResponse[] = [];
  for (let i = 0; i < n; i++) out.push(await send(c, s, stream));
  return out;
}

/** Waits (bounded) until the server has seen `n` connections close. */
async function closedAtLeast(s: FakeServer, n: number): Promise<void> {
  for (let i = 0; i < 500 && s.stats.closed < n; i++) await new Promise((r) => setTimeout(r, 10));
  expect(s.stats.closed).toBeGreaterThanOrEqual(n);
}

describe('the keep-alive race', () => {
  it('is re-sent at once on a new connection: not an attempt, not a retry (retries: 0), and learnt from', async () => {
    const s = await serve({ behaviour: 'reset-reused' });
    const c = client(0);
    const started = performance.now();
    const res = await sequence(c, s, 6, false);
    // Nothing waited a backoff (2 s each).
    expect(performance.now() - started).toBeLessThan(2000);
    expect(res.map((r) => [r.status, r.attempts])).toEqual(Array(6).fill([200, 1]));
    // Once: after the first race the pool no longer keeps sockets after such a response.
    expect(res.reduce((n, r) => n + r.resends, 0)).toBe(1);
    expect(s.stats.dropped).toBe(1);
    expect(s.stats.connections).toBe(6 + 1 - 1);
    // Every answer came on a new connection, so each paid a connection setup.
    for (const r of res) expect(r.connectMs!).toBeGreaterThan(0);
  });

  it('a failure on a new connection is a genuine one: retried by retry.on, with attempts counted', async () => {
    const s = await serve({ behaviour: 'keep-alive' }, (req, res) => {
      if (req.n < 2) void res.socket!.resetAndDestroy();
      else void answer(req, res);
    });
    const c = client(3, 5);
    const r = await send(c, s, true);
    expect(r).toMatchObject({ status: 200, attempts: 3, resends: 0 });
  });

  it('a genuine failure past the retries is one failure with every attempt counted', async () => {
    const s = await serve({ behaviour: 'keep-alive' }, (_req, res) => void res.socket!.resetAndDestroy());
    const c = client(2, 5);
    const err = await c.post({ url: `${s.baseUrl}/chat/completions`, headers: {}, body: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpFailure);
    expect(err).toMatchObject({ kind: 'network', attempts: 3, resends: 0 });
  });

  it('a reset on a reused socket after the answer began is not the race (the body read fails instead)', async () => {
    let n = 0;
    const s = await serve({ behaviour: 'keep-alive' }, (req, res) => {
      n += 1;
      if (n === 2) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: {"choices":[{"delta":{"content":"a"}}]}\n\n');
        setTimeout(() => void res.socket!.resetAndDestroy(), 20);
      } else void answer(req, res);
    });
    const c = client(3, 5);
    await send(c, s, false);
    const r = await c.post({ url: `${s.baseUrl}/chat/completions`, headers: {}, body: { stream: true } });
    expect(r).toMatchObject({ attempts: 1, resends: 0, connectMs: 0 });
    await expect(r.consume(() => {})).rejects.toMatchObject({ kind: 'network' });
    expect(s.seen).toHaveLength(2);
  });
});

describe('connections the server closes', () => {
  it('llama-server: closed after every stream despite Keep-Alive: every streamed request ok at the first attempt', async () => {
    const s = await serve({ behaviour: 'close-after-stream', closeDelayMs: 20 });
    const res = await sequence(client(0), s, 8, true);
    expect(res.map((r) => r.attempts)).toEqual(Array(8).fill(1));
    // At most one request raced (before the pool learnt); the rest never reused a dead socket.
    expect(res.reduce((n, r) => n + r.resends, 0)).toBeLessThanOrEqual(1);
    expect(s.stats.dropped).toBeLessThanOrEqual(1);
  });

  it('llama-server keeps the connection after a non-streamed answer, and so does the client', async () => {
    const s = await serve({ behaviour: 'close-after-stream' });
    const res = await sequence(client(0), s, 5, false);
    expect(s.stats.connections).toBe(1);
    expect(res.map((r) => r.connectMs === 0)).toEqual([false, true, true, true, true]);
  });

  it('an idle connection closed by the server (after 1 s, although it said timeout=5) is not reused', async () => {
    const s = await serve({ behaviour: 'close-idle', idleMs: 1000 });
    const c = client(0);
    await send(c, s, false);
    await closedAtLeast(s, 1);
    const r = await send(c, s, true);
    expect(r).toMatchObject({ status: 200, attempts: 1, resends: 0 });
    expect(r.connectMs!).toBeGreaterThan(0);
    expect(s.stats).toMatchObject({ connections: 2, dropped: 0 });
  });

  it('Keep-Alive: timeout=1 leaves no idle time worth the risk: a new connection per request', async () => {
    const s = await serve({ behaviour: 'close-idle', idleMs: 1000, keepAlive: 'timeout=1' });
    await sequence(client(0), s, 4, false);
    expect(s.stats).toMatchObject({ connections: 4, dropped: 0 });
  });

  for (const behaviour of ['connection-close', 'http10'] as const) {
    it(`${behaviour}: a new connection for every request, streamed or not, none dropped`, async () => {
      const s = await serve({ behaviour });
      const c = client(0);
      const res = [...(await sequence(c, s, 3, true)), ...(await sequence(c, s, 3, false))];
      expect(res.map((r) => [r.status, r.attempts, r.resends])).toEqual(Array(6).fill([200, 1, 0]));
      for (const r of res) expect(r.connectMs!).toBeGreaterThan(0);
      expect(s.stats).toMatchObject({ connections: 6, dropped: 0 });
    });
  }
});
