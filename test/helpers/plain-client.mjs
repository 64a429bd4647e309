// The yardstick for connection handling, run as its own process (as the CLI is) so that
// both sides of a comparison have the same process layout: a plain node:http client that
// opens a new connection for every request (no pool, so no keep-alive race) and reads each
// answer to the end. Usage: node plain-client.mjs URL BODY_JSON COUNT CONCURRENCY
// Prints {"wallMs": first send to last end, "requests": COUNT}.
import http from 'node:http';
import { performance } from 'node:perf_hooks';

const [url, body, count, concurrency] = process.argv.slice(2);
const target = new URL(url);
const n = Number(count);

function once() {
  return new Promise((resolve, reject) => {
    const req = http.request(target, { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
      res.on('data', () => {});
      res.once('end', resolve);
      res.once('error', reject);
    });
    req.once('error', reject);
    req.end(body);
  });
}

let next = 0;
const worker = async () => {
  while (next < n) {
    next++;
    await once();
  }
};
const start = performance.now();
await Promise.all(Array.from({ length: Math.min(Number(concurrency), n) }, worker));
process.stdout.write(`${JSON.stringify({ wallMs: performance.now() - start, requests: n })}\n`);
