// The floor under llm-sweep's streaming client: a plain node:http keep-alive client that does
// nothing but stamp its send and the first chunk with content, and count chunks. Run as its own
// process beside llm-sweep at the same concurrency against the same simulator (bench/run.js,
// "Fidelity at hundreds of streams"), so what llm-sweep costs above it is ours, and what they
// share is the platform's (node:http, the kernel, two cores shared with the server).
//   node bench/plain-sse-client.js <base_url> <concurrency> <seconds> <max_tokens>
// Prints one JSON line: requests, chunks, TTFTs (ms) of the measured requests, CPU (cores).
import http from 'node:http';
import { performance } from 'node:perf_hooks';

const [base, conc, secs, maxTokens] = process.argv.slice(2);
const C = Number(conc);
const url = new URL(`${base.replace(/\/$/, '')}/chat/completions`);
const agent = new http.Agent({ keepAlive: true, maxSockets: C, maxFreeSockets: C });
const body = JSON.stringify({ model: 'sim', max_tokens: Number(maxTokens), stream: true, messages: [{ role: 'user', content: 'Benchmark fidelity check.' }] });
const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
// A token chunk, not the role chunk (`"content":""`): the same first token llm-sweep times.
const CONTENT = /"content":"[^"]/;
let measuring = false;
let stop = false;
let chunks = 0;
const ttfts = [];

function one() {
  return new Promise((resolve) => {
    let sentAt = 0;
    let first = -1;
    const req = http.request({ hostname: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent, headers }, (res) => {
      res.on('data', (d) => {
        const at = performance.now();
        if (measuring) chunks++;
        if (first < 0 && CONTENT.test(d.latin1Slice(0, d.length))) first = at - sentAt;
      });
      res.on('end', () => {
        if (measuring && first >= 0) ttfts.push(first);
        resolve();
      });
      res.on('error', () => resolve());
    });
    req.on('error', () => resolve());
    // Node writes the request right after the 'socket' event (a later tick, even for a free
    // keep-alive socket), not at end(): stamped there, as llm-sweep's client stamps it.
    req.once('socket', (s) => {
      if (!s.connecting) sentAt = performance.now();
      else s.once('connect', () => (sentAt = performance.now()));
    });
    sentAt = performance.now();
    req.end(body);
  });
}

const warm = [];
for (let i = 0; i < C; i++) warm.push(one());
await Promise.all(warm);
measuring = true;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
setTimeout(() => (stop = true), Number(secs) * 1000);
const loops = [];
for (let i = 0; i < C; i++)
  loops.push(
    (async () => {
      while (!stop) await one();
    })(),
  );
await Promise.all(loops);
const wall = performance.now() - t0;
const used = process.cpuUsage(cpu0);
agent.destroy();
process.stdout.write(`${JSON.stringify({ requests: ttfts.length, chunks, ttfts, cpu: (used.user + used.system) / 1000 / wall, wallMs: wall })}\n`);
