// Where a streamed request's client CPU goes, layer by layer: the same closed loop at the
// same concurrency against the same simulator, run by a client that stops at one layer.
//   plain     node:http keep-alive agent, 'data' events counted (the platform's floor)
//   axios     axios alone, configured as llm-sweep configures it, an AbortSignal per request
//   http      llm-sweep's HTTP client (src/http: pool, retries, arrival stamps, read timeout)
//   exchange  + the provider, SSE parsing, chunk decoding and timing (src/runner/exchange.ts)
// The full run (records, checks, files) is the "workers 1" row of the same section.
//   node bench/client-layers.js <layer> <spec.yaml> <seconds>
// Prints one JSON line: requests, CPU (cores) and CPU per request (us) over the measured window.
import { setMaxListeners } from 'node:events';
import http from 'node:http';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => import(join(repo, 'dist', p));
const [layer, specPath, secs] = process.argv.slice(2);

const { loadSpec } = await dist('spec/load.js');
const { buildPlan } = await dist('plan/build.js');
const plan = buildPlan(loadSpec(specPath));
const cell = plan.cells[0];
const target = Object.values(plan.targets)[0];
const C = cell.load.concurrency;
const url = `${target.base_url.replace(/\/$/, '')}/chat/completions`;
// The body llm-sweep's provider sends for the cell, so every layer asks for the same answer.
const { providerForTarget } = await dist('providers/index.js');
const built = providerForTarget(target).build({ target, cell, prompt: plan.prompts[0], stream: true, askUsage: true });
const body = Buffer.from(JSON.stringify(built.body));

/** One request of the layer, resolved at the end of its body. */
async function makeOne() {
  if (layer === 'plain' || layer === 'axios') {
    const agent = new http.Agent({ keepAlive: true, maxSockets: C, maxFreeSockets: C, keepAliveMsecs: 60_000 });
    if (layer === 'plain') {
      const u = new URL(url);
      const headers = { 'content-type': 'application/json', 'content-length': body.length };
      return () =>
        new Promise((resolve) => {
          const req = http.request({ hostname: u.hostname, port: u.port, path: u.pathname, method: 'POST', agent, headers }, (res) => {
            res.on('data', () => {});
            res.on('end', resolve);
            res.on('error', resolve);
          });
          req.on('error', resolve);
          req.end(body);
        });
    }
    const axios = (await import('axios')).default;
    const { BODY_LIMITS } = await dist('http/client.js');
    const inst = axios.create({ httpAgent: agent, responseType: 'stream', ...BODY_LIMITS, transformRequest: [], transformResponse: [], proxy: false, timeout: 0 });
    return async () => {
      const res = await inst.request({ url, method: 'POST', headers: { 'content-type': 'application/json' }, data: body, signal: new AbortController().signal });
      await new Promise((resolve) => {
        res.data.on('data', () => {});
        res.data.on('end', resolve);
        res.data.on('error', resolve);
      });
    };
  }
  if (layer === 'http') {
    const { createHttpClient } = await dist('http/client.js');
    const client = createHttpClient({ concurrency: C, connectTimeoutMs: target.timeout.connect_ms, readTimeoutMs: target.timeout.read_ms, retry: target.retry });
    return async () => {
      const res = await client.post({ url, headers: {}, body });
      await res.consume(() => {});
    };
  }
  if (layer === 'exchange') {
    const { transportsFor } = await dist('runner/transport.js');
    const t = transportsFor(providerForTarget(target), target)(cell);
    const signal = new AbortController().signal;
    // Every request in flight listens on it, as in the runner.
    setMaxListeners(0, signal);
    return () => t.send({ target, cell, prompt: plan.prompts[0], stream: true }, signal);
  }
  throw new Error(`unknown layer ${layer}`);
}

const one = await makeOne();
let stop = false;
let requests = 0;
let measuring = false;
const loop = async () => {
  while (!stop) {
    await one();
    if (measuring) requests++;
  }
};
// Warm up: every connection opened, the code compiled.
await Promise.all(Array.from({ length: C }, () => one()));
await Promise.all(Array.from({ length: C }, () => one()));
measuring = true;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
setTimeout(() => (stop = true), Number(secs) * 1000);
await Promise.all(Array.from({ length: C }, loop));
const wall = performance.now() - t0;
const used = process.cpuUsage(cpu0);
const us = used.user + used.system;
process.stdout.write(`${JSON.stringify({ layer, requests, cpu: us / 1000 / wall, usPerRequest: us / requests })}\n`);
process.exit(0);
