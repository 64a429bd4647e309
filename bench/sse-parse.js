// Micro benchmark: SSE parsing throughput (events/s) on OpenAI-style chat chunks.
// Not part of `npm test`; run after `npm run build`:  node bench/sse-parse.js [events]
import { createSseParser } from '../dist/providers/sse.js';

const EVENTS = Number(process.argv[2] ?? 200_000);
const ROUNDS = 5;

const chunk = (i) =>
  `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,` +
  `"model":"m","choices":[{"index":0,"delta":{"content":"tok${i % 1000}"},` +
  `"finish_reason":null}]}\n\n`;
const encoder = new TextEncoder();
const events = [];
for (let i = 0; i < EVENTS - 1; i++) events.push(chunk(i));
events.push('data: [DONE]\n\n');
const bytes = encoder.encode(events.join(''));

/** Fixed-size reads, as a busy socket delivers them (events cut anywhere). */
function reads(size) {
  const out = [];
  for (let off = 0; off < bytes.length; off += size) out.push(bytes.subarray(off, off + size));
  return out;
}

const scenarios = [
  // A server that flushes each token: one event per push.
  ['one event per push', events.map((e) => encoder.encode(e))],
  ['512-byte reads', reads(512)],
  ['16 KiB reads', reads(16 * 1024)],
];

function run(pieces) {
  let count = 0;
  let dataChars = 0;
  const parser = createSseParser((e) => {
    count++;
    dataChars += e.data.length;
  });
  const t0 = performance.now();
  for (const p of pieces) parser.push(p);
  parser.end();
  const ms = performance.now() - t0;
  if (count !== EVENTS || dataChars === 0) throw new Error(`parsed ${count} events, expected ${EVENTS}`);
  return ms;
}

const mb = bytes.length / 1e6;
for (const [name, pieces] of scenarios) {
  run(pieces); // warm-up
  const times = [];
  for (let r = 0; r < ROUNDS; r++) times.push(run(pieces));
  times.sort((a, b) => a - b);
  const median = times[Math.floor(ROUNDS / 2)];
  const perS = Math.round(EVENTS / (median / 1000)).toLocaleString('en-US');
  console.log(
    `sse-parse ${name}: ${EVENTS} events (${mb.toFixed(1)} MB) in ${median.toFixed(1)} ms ` +
      `(median of ${ROUNDS}): ${perS} events/s, ${(mb / (median / 1000)).toFixed(0)} MB/s`,
  );
}
