import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { createSource } from '../../../src/server-metrics/scraper.js';
import type { Scrape } from '../../../src/server-metrics/types.js';
import { sleep, startFakeServer, type FakeServer, type SeenRequest } from '../../helpers/fake-openai.js';
import { vllmSample } from './fixtures.js';

const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(handler: (req: SeenRequest, res: ServerResponse) => void): Promise<{ url: string; server: FakeServer }> {
  const server = await startFakeServer(handler);
  servers.push(server);
  return { url: `${server.baseUrl.replace(/\/v1$/, '')}/metrics`, server };
}

const prometheus = (res: ServerResponse, body = vllmSample) => {
  res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(body);
};

describe('createSource', () => {
  it('scrapes once before a cell, on the interval while it runs, and once after', async () => {
    const { url } = await serve((_req, res) => prometheus(res));
    const seen: Scrape[] = [];
    const source = createSource({ url, intervalMs: 50, timeoutMs: 1000, onScrape: (s) => seen.push(s) });
    const cell = await source.beginCell();
    await sleep(500);
    const scrapes = await cell.finish();
    expect(scrapes[0].phase).toBe('before');
    expect(scrapes.at(-1)?.phase).toBe('after');
    const during = scrapes.filter((s) => s.phase === 'during');
    // At most one per 50 ms tick; a loaded machine may fire fewer.
    expect(during.length).toBeGreaterThanOrEqual(2);
    expect(during.length).toBeLessThanOrEqual(11);
    expect(scrapes.every((s) => s.ok)).toBe(true);
    expect(seen).toEqual(scrapes);
    for (let i = 1; i < scrapes.length; i++) expect(scrapes[i].at).toBeGreaterThan(scrapes[i - 1].at);
    const first = scrapes[0];
    expect(first.ok && first.samples.find((s) => s.name === 'vllm:num_requests_running')?.value).toBe(8);
  });

  it('records a 404, an HTML page and JSON as failed scrapes with a reason, and goes on', async () => {
    const answers = [
      (res: ServerResponse) => res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found'),
      (res: ServerResponse) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>'),
      (res: ServerResponse) => res.writeHead(200, { 'content-type': 'text/plain' }).end('{"status":"ok"}'),
    ];
    let n = 0;
    const { url } = await serve((_req, res) => answers[Math.min(n++, 2)](res));
    const source = createSource({ url, intervalMs: 10_000, timeoutMs: 1000, maxFailures: 10 });
    const scrapes = await (await source.beginCell()).finish();
    const second = await (await source.beginCell()).finish();
    expect([...scrapes, ...second].map((s) => (s.ok ? 'ok' : s.error))).toEqual([
      'HTTP 404 Not Found',
      'not Prometheus text (Content-Type text/html)',
      'not Prometheus text: "{\\"status\\":\\"ok\\"}"',
      'not Prometheus text: "{\\"status\\":\\"ok\\"}"',
    ]);
  });

  it('a hanging endpoint delays the end of a cell by its timeout, not by the scrape in flight too', async () => {
    const timeoutMs = 400;
    const { url } = await serve(() => {
      // never answers
    });
    const source = createSource({ url, intervalMs: 20, timeoutMs, maxFailures: 10 });
    const t0 = performance.now();
    const cell = await source.beginCell();
    const before = performance.now() - t0;
    await sleep(100); // a during-scrape is now in flight, hanging
    const t1 = performance.now();
    const scrapes = await cell.finish();
    const finish = performance.now() - t1;
    expect(before).toBeGreaterThanOrEqual(timeoutMs - 5);
    expect(finish).toBeGreaterThanOrEqual(timeoutMs - 5);
    // Waiting for the hung scrape in flight as well would take about 2 x timeout.
    expect(finish).toBeLessThan(timeoutMs * 1.6);
    expect(scrapes.map((s) => [s.phase, s.ok ? 'ok' : s.error])).toEqual([
      ['before', `timeout after ${timeoutMs} ms`],
      ['after', `timeout after ${timeoutMs} ms`],
    ]);
  });

  it('aborts a hung scrape in flight when the cell ends, so a prompt after-scrape ends it at once', async () => {
    let hang = false;
    const { url } = await serve((_req, res) => {
      if (!hang) prometheus(res);
    });
    const timeoutMs = 1000;
    const source = createSource({ url, intervalMs: 20, timeoutMs });
    const cell = await source.beginCell();
    hang = true;
    await sleep(100);
    hang = false;
    const t1 = performance.now();
    const scrapes = await cell.finish();
    expect(performance.now() - t1).toBeLessThan(timeoutMs / 2);
    expect(scrapes.map((s) => s.phase)).toEqual(['before', 'after']);
  });

  it('stops awaiting a source that keeps failing, and awaits it again once it answers', async () => {
    let up = false;
    const { url, server } = await serve((_req, res) => (up ? prometheus(res) : res.writeHead(503).end()));
    const source = createSource({ url, intervalMs: 30, timeoutMs: 1000, maxFailures: 2 });
    const first = await (await source.beginCell()).finish();
    expect(first.map((s) => s.phase)).toEqual(['before', 'after']);
    expect(source.healthy).toBe(false);
    // No scrape before this cell is awaited; the ones while it runs go on, and one succeeds.
    const asked = server.seen.length;
    const cell = await source.beginCell();
    expect(server.seen.length).toBe(asked);
    up = true;
    await sleep(150);
    expect(source.healthy).toBe(true);
    const second = await cell.finish();
    expect(second[0].phase).toBe('during');
    expect(second.at(-1)).toMatchObject({ phase: 'after', ok: true });
  });

  it('sends the credentials in the URL as Basic auth and never shows them', async () => {
    const { url, server } = await serve((_req, res) => prometheus(res));
    const withAuth = url.replace('http://', 'http://scraper:s3cr%40t@') + '?token=abc123&x=1';
    const source = createSource({ url: withAuth, intervalMs: 10_000, timeoutMs: 1000 });
    const scrapes = await (await source.beginCell()).finish();
    expect(server.seen[0].headers.authorization).toBe(`Basic ${Buffer.from('scraper:s3cr@t').toString('base64')}`);
    expect(source.url).not.toContain('s3cr');
    expect(source.url).not.toContain('abc123');
    expect(source.url).toContain('x=1');
    expect(scrapes.every((s) => s.url === source.url)).toBe(true);
  });

  it('names a refused connection', async () => {
    const { url, server } = await serve((_req, res) => prometheus(res));
    await server.close();
    const scrapes = await (await createSource({ url, intervalMs: 10_000, timeoutMs: 1000 }).beginCell()).finish();
    expect(scrapes.map((s) => (s.ok ? 'ok' : s.error))).toEqual(['connection refused', 'connection refused']);
  });
});
