/**
 * The yardstick for connection handling: a plain node:http client that opens a new
 * connection for every request (no pool, so no keep-alive race), reads each streamed
 * answer to the end, and reports what it took. A test runs it on the same fake server, in
 * the same test, as llm-sweep, and compares the two side by side.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';

export interface PlainRun {
  /** First send to last end, ms. */
  wallMs: number;
  /** Completed requests. */
  requests: number;
}

function once(url: URL, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
      res.on('data', () => {});
      res.once('end', resolve);
      res.once('error', reject);
    });
    req.once('error', reject);
    req.end(body);
  });
}

/** `count` requests of `body` to `url`, `concurrency` at a time. */
export async function plainRun(url: string, body: unknown, count: number, concurrency: number): Promise<PlainRun> {
  const target = new URL(url);
  const text = JSON.stringify(body);
  let next = 0;
  const start = performance.now();
  const worker = async () => {
    while (next < count) {
      next++;
      await once(target, text);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { wallMs: performance.now() - start, requests: count };
}
