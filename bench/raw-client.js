// The peer: a bare node:http keep-alive client doing the same loop as llm-sweep, with no
// parsing beyond counting. Its numbers are the ceiling for a Node client on this machine.
import http from 'node:http';

const [, , url, concurrency, requests, mode, chunks] = process.argv;
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(concurrency) });
const body = JSON.stringify({
  model: 'm',
  messages: [{ role: 'user', content: 'hi' }],
  stream: mode === 'stream',
  chunks: Number(chunks ?? 1),
});
let next = 0;
let events = 0;
const total = Number(requests);
function one() {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.on('data', (d) => {
        if (mode === 'stream') {
          // Count SSE events by their blank-line terminators.
          let i = -1;
          while ((i = d.indexOf('\n\n', i + 1)) !== -1) events++;
        }
      });
      res.on('end', resolve);
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
async function worker() {
  while (next < total) {
    next++;
    await one();
  }
}
const t0 = performance.now();
await Promise.all(Array.from({ length: Number(concurrency) }, worker));
const s = (performance.now() - t0) / 1000;
process.stdout.write(`${JSON.stringify({ requests: total, seconds: s, rps: total / s, events, eventsPerS: events / s })}\n`);
agent.destroy();
