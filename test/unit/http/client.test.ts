import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import axios from 'axios';
import { describe, expect, it } from 'vitest';
import { BODY_LIMITS, createHttpClient, slimDefaults } from '../../../src/http/client.js';

describe('http client axios options', () => {
  it('sets no maxContentLength (-1): a limit makes axios re-stream every body chunk through an async generator', () => {
    // Infinity is a limit to axios (> -1): it costs ~30% more client CPU per streamed chunk
    // and coalesces chunks (bench/results.md, "Fidelity at hundreds of streams").
    expect(BODY_LIMITS.maxContentLength).toBe(-1);
    expect(BODY_LIMITS.maxRedirects).toBe(0);
  });
});

describe('http client send time', () => {
  it('is stamped when the request is written to its socket, not when it is handed to Node', async () => {
    // Node writes a request on a later tick, even on a free keep-alive socket: every
    // microtask queued before that tick runs between end() and the write (under load, the
    // next requests of a closed loop being built). Here a 40 ms block sits in between.
    const arrivals: number[] = [];
    const server = http.createServer((req, res) => {
      arrivals.push(performance.now());
      req.resume();
      req.on('end', () => res.end('{}'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const client = createHttpClient({
      concurrency: 1,
      connectTimeoutMs: 5000,
      readTimeoutMs: 5000,
      retry: { retries: 0, on: [], backoff_ms: 10, max_backoff_ms: 10 },
    });
    try {
      // A first request opens the connection, so the second goes on a free keep-alive socket.
      await (await client.post({ url, headers: {}, body: {} })).consume(() => {});
      const pending = client.post({ url, headers: {}, body: {} });
      // Long enough a chain of microtasks for axios to reach end(); the socket's tick waits
      // behind all of them, and behind the block.
      for (let i = 0; i < 500; i++) await null;
      const blockedUntil = performance.now() + 40;
      while (performance.now() < blockedUntil);
      const res = await pending;
      await res.consume(() => {});
      const arrival = arrivals[1]!;
      expect(res.sentAt).toBeGreaterThanOrEqual(blockedUntil);
      expect(res.sentAt).toBeLessThanOrEqual(arrival);
    } finally {
      client.close();
      await new Promise((r) => server.close(r));
    }
  });
});

describe('slimDefaults', () => {
  it('sends the same request headers as axios with its full defaults', async () => {
    const seen: string[][] = [];
    const server = http.createServer((req, res) => {
      seen.push(req.rawHeaders.filter((_, i, all) => all[i - (i % 2)] !== 'Host'));
      req.resume();
      req.on('end', () => res.end('{}'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/chat/completions`;
    try {
      for (const slim of [false, true]) {
        const instance = axios.create({ proxy: false, responseType: 'stream' });
        if (slim) slimDefaults(instance);
        const res = await instance.post(url, Buffer.from('{"a":1}'), { headers: { 'content-type': 'application/json', authorization: 'Bearer k' } });
        (res.data as NodeJS.ReadableStream).resume();
      }
      expect(seen).toHaveLength(2);
      expect(seen[1]).toEqual(seen[0]);
      expect(seen[0]).toContain('Accept');
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
