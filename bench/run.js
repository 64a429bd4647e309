// `npm run bench`: fidelity, client ceiling and memory, each beside its peer measured in the
// same run on the same machine. Writes bench/results.md. Not part of `npm test`: these are
// speed and memory targets, which belong in a benchmark, not in timed tests.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareGrpcClients } from './grpc-clients.js';
// What `workers: auto` resolves to, from the build this bench measures.
const { workersFor } = await import('../dist/runner/worker-count.js');

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..');
const bin = join(repo, 'bin/llm-sweep.js');
const work = mkdtempSync(join(tmpdir(), 'llm-sweep-bench-'));
const quick = process.argv.includes('--quick');
// `--only=memory` (or fidelity, grpc, ceiling, dataset) runs one section and prints it; results.md is left alone.
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const wanted = (section) => !only || only === section;
const log = (s) => process.stderr.write(`${s}\n`);

/**
 * Cores kept apart for the server under test and the client (issue 15): with 4 cores or more
 * and taskset, the simulator gets the last core and the client the others. On 2 cores pinning
 * measured worse (bench/results.md, "Fidelity at hundreds of streams"): both float there.
 */
const pin = (() => {
  const n = availableParallelism();
  if (n < 4 || spawnSync('taskset', ['-V']).status !== 0) return undefined;
  return { server: String(n - 1), client: `0-${n - 2}` };
})();
/** `[cmd, args]` that runs node with `args` on the role's cores (plain node when not pinning). */
const onCores = (role, args) => (pin ? ['taskset', ['-c', pin[role], process.execPath, ...args]] : [process.execPath, args]);

function run(cmd, args, { onPid, env = {}, killed = false } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    onPid?.(child.pid);
    child.on('error', reject);
    child.on('close', (code, signal) =>
      code === 0 || (killed && signal === 'SIGKILL') ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err}`)),
    );
  });
}

async function startInstantServer() {
  const child = spawn(process.execPath, [join(here, 'instant-server.js')], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const port = await new Promise((resolve) => child.stdout.once('data', (d) => resolve(JSON.parse(String(d)).port)));
  const stats = async () => (await (await fetch(`http://127.0.0.1:${port}/stats`)).json()).finished;
  return { url: `http://127.0.0.1:${port}/v1`, stats, stop: () => child.kill('SIGTERM') };
}

/**
 * `llm-sweep simulate --log` in its own process; take() returns the ttft= and the duration of
 * every completion logged since the last take(), ms, in log order.
 */
async function startLoggingSimulator(flags) {
  const child = spawn(...onCores('server', [bin, 'simulate', '--port', '0', '--log', ...flags]), { stdio: ['ignore', 'pipe', 'pipe'] });
  let ttfts = [];
  let durations = [];
  let partial = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => {
    const lines = (partial + d).split('\n');
    partial = lines.pop();
    for (const line of lines) {
      const m = / ttft=([\d.]+)ms (\d+) ms$/.exec(line);
      if (m) {
        ttfts.push(Number(m[1]));
        durations.push(Number(m[2]));
      }
    }
  });
  const url = await new Promise((resolve) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.trim());
    });
  });
  return {
    url,
    take: () => {
      const t = { ttfts, durations };
      ttfts = [];
      durations = [];
      return t;
    },
    stop: () => child.kill('SIGTERM'),
  };
}

/**
 * Streams the server held on average over a client's measured window (Little's law: the time
 * it spent on the last `n` requests it logged, over the window). Below the streams asked for, the
 * client let the load drop: a request sat in the client between the server's end and the next send.
 */
function heldStreams(durations, n, windowMs) {
  const last = durations.slice(-n);
  return last.reduce((a, b) => a + b, 0) / windowMs;
}

/** Nearest-rank percentile of `xs`. */
function percentileOf(xs, p) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

function spec(name, body) {
  const path = join(work, `${name}.yaml`);
  writeFileSync(path, body);
  return path;
}

/** A spec against the instant server: one non-streamed cell at concurrency 64. */
function instantSpec(name, url, { requests, warmup = 0, formats } = {}) {
  return spec(
    name,
    `name: ${name}
target: { base_url: ${url}, retry: { retries: 0 } }
prompts: ["hi"]
params: { model: m }
matrix: { concurrency: [64], stream: [false] }
requests: ${requests}
${warmup ? `warmup: ${warmup}\n` : ''}${formats ? `output: { formats: [${formats.join(', ')}] }\n` : ''}`,
  );
}

async function sweep(specPath, extra = [], env = {}) {
  const out = join(work, `out-${Math.random().toString(36).slice(2)}`);
  const json = await run(...onCores('client', [bin, 'run', specPath, '--out', out, '--quiet', '--json', ...extra]), { env });
  return { ...JSON.parse(json), out };
}

/** Data rows in a requests.csv (whole lines only). */
function rowsIn(path) {
  const text = readFileSync(path, 'utf8');
  return text.slice(0, text.lastIndexOf('\n') + 1).split('\n').length - 2;
}

/** Peak RSS of a child process, polled from /proc every 20 ms (VmHWM is the kernel's high-water mark). */
async function peakRss(cmd, args) {
  let pid;
  let peak = 0;
  const poll = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) peak = Math.max(peak, Number(m[1]) * 1024);
    } catch {}
  }, 20);
  try {
    await run(cmd, args, { onPid: (p) => (pid = p) });
  } finally {
    clearInterval(poll);
  }
  return peak;
}

/** A cell's reported figures minus the simulator's configured ones, and the client's health. */
const fidelityErrors = (c, TTFT, ITL) => ({
  concurrency: c.params.concurrency,
  ttft50: c.ttft_ms.p50 - TTFT,
  ttft99: c.ttft_ms.p99 - TTFT,
  itl50: c.itl_ms.p50 - ITL,
  loop: c.client?.loop_delay_p99_ms,
  cpu: c.client?.cpu,
});

const fmt = (v, d = 2) => (v === undefined || v === null || Number.isNaN(v) ? '—' : Number(v).toFixed(d));
const sections = [];

// 1. Fidelity: the simulator (its own process) with known TTFT and ITL, no jitter, no
// batching slowdown, and a batch big enough that nothing queues.
if (wanted('fidelity')) {
  const TTFT = 100;
  const ITL = 20;
  const conc = quick ? [1, 64] : [1, 64, 256];
  log(`fidelity: simulator ttft ${TTFT} ms, itl ${ITL} ms at concurrency ${conc.join(', ')}`);
  const path = spec(
    'fidelity',
    `name: fidelity
target:
  base_url: builtin
  simulator: { ttft_ms: ${TTFT}, prefill_ms_per_token: 0, itl_ms: ${ITL}, jitter: 0, max_batch: 1024, batch_slowdown: 0, stop_probability: 0 }
prompts: ["Benchmark fidelity check."]
params: { model: sim, max_tokens: 32 }
matrix: { concurrency: [${conc.join(', ')}] }
duration_s: ${quick ? 4 : 8}
warmup: 8
`,
  );
  const r = await sweep(path);
  const rows = r.cells.map((c) => fidelityErrors(c, TTFT, ITL));
  sections.push(
    [
      '## Fidelity: reported minus configured truth',
      '',
      `Simulator in its own process: TTFT ${TTFT} ms, ITL ${ITL} ms, jitter 0, no batching slowdown, 32 output tokens. ` +
        'Error = what llm-sweep reported minus the configured value (includes loopback and the simulator\'s own timer lateness).',
      '',
      '| concurrent streams | TTFT p50 error ms | TTFT p99 error ms | ITL p50 error ms | client loop delay p99 ms | client CPU |',
      '| --- | --- | --- | --- | --- | --- |',
      ...rows.map((x) => `| ${x.concurrency} | ${fmt(x.ttft50)} | ${fmt(x.ttft99)} | ${fmt(x.itl50)} | ${fmt(x.loop)} | ${fmt(x.cpu)} |`),
      '',
      'Target at 256 streams: |TTFT p50 error| <= 2 ms, |ITL p50 error| <= 1 ms.',
    ].join('\n'),
  );
}

// 1b. gRPC fidelity beside HTTP: the same simulator process serves both routes (one batch
// scheduler), so the HTTP cell and the gRPC cell at each concurrency differ only in the
// transport. Run one after the other per concurrency, so a change in the machine's load
// hits both alike.
if (wanted('grpc')) {
  const TTFT = 100;
  const ITL = 20;
  const conc = quick ? [1, 16] : [1, 16, 128];
  log(`grpc fidelity: simulator ttft ${TTFT} ms, itl ${ITL} ms at concurrency ${conc.join(', ')}, HTTP beside gRPC`);
  const rows = [];
  for (const c of conc) {
    for (const provider of ['openai-chat', 'triton-grpc']) {
      const path = spec(
        `grpc-${provider}-${c}`,
        `name: grpc-fidelity
target:
  provider: ${provider}
  base_url: builtin
  simulator: { ttft_ms: ${TTFT}, prefill_ms_per_token: 0, itl_ms: ${ITL}, jitter: 0, max_batch: 1024, batch_slowdown: 0, stop_probability: 0 }
prompts: ["Benchmark fidelity check."]
params: { model: sim, max_tokens: 32 }
matrix: { concurrency: [${c}] }
duration_s: ${quick ? 4 : 8}
warmup: ${Math.max(8, c)}
`,
      );
      const cell = (await sweep(path)).cells[0];
      rows.push({ ...fidelityErrors(cell, TTFT, ITL), route: provider === 'triton-grpc' ? 'gRPC (triton-grpc)' : 'HTTP (openai-chat, SSE)', n: cell.ok });
    }
  }
  sections.push(
    [
      '## gRPC fidelity beside HTTP',
      '',
      `The bundled simulator in its own process serves both routes from one batch scheduler (\`simulate --grpc-port\`): TTFT ${TTFT} ms, ITL ${ITL} ms, jitter 0, ` +
        'no batching slowdown, 32 output tokens. At each concurrency the HTTP cell and the gRPC cell run one after the other. ' +
        'Error = reported minus configured (includes loopback and the simulator\'s timer lateness on either route).',
      '',
      '| concurrent streams | route | requests | TTFT p50 error ms | TTFT p99 error ms | ITL p50 error ms | client loop delay p99 ms | client CPU |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
      ...rows.map((x) => `| ${x.concurrency} | ${x.route} | ${x.n} | ${fmt(x.ttft50)} | ${fmt(x.ttft99)} | ${fmt(x.itl50)} | ${fmt(x.loop)} | ${fmt(x.cpu)} |`),
      '',
      'Target (issue 21): |TTFT p50 error| and |ITL p50 error| <= 2 ms on gRPC at 1, 16 and 128 streams.',
    ].join('\n'),
  );
  // Why llm-sweep has its own gRPC client: the reference one beside it, same server, same load.
  const clientConc = quick ? [1, 16] : [1, 16, 128];
  log(`grpc clients: llm-sweep's beside @grpc/grpc-js at concurrency ${clientConc.join(', ')}`);
  const clients = await compareGrpcClients({ ttft: TTFT, itl: ITL, concurrencies: clientConc, perConcurrency: quick ? 100 : 300 });
  sections.push(
    [
      '## gRPC client: llm-sweep\'s beside @grpc/grpc-js',
      '',
      `The same simulator (TTFT ${TTFT} ms, ITL ${ITL} ms, its own process) streamed by llm-sweep's gRPC client and by @grpc/grpc-js' client, ` +
        'closed loop, one after the other at each concurrency (bench/grpc-clients.js). Each stamps send and arrival as closely as its API allows. ' +
        'The measurement behind llm-sweep speaking gRPC on node:http2 itself, grpc-js kept only for its tests (docs/providers.md); on a loaded machine the difference is lost in the noise.',
      '',
      '| concurrent streams | client | requests | TTFT p50 error ms |',
      '| --- | --- | --- | --- |',
      ...clients.map((x) => `| ${x.concurrency} | ${x.client} | ${x.n} | ${fmt(x.ttft50)} |`),
    ].join('\n'),
  );
}

// 1b. Fidelity at hundreds of streams, workers: 1, auto and 2, against what the
// simulator (its own process, `simulate --log`) says it did: each completion's log line has
// ttft=, when it really wrote the first content token. Error = llm-sweep's TTFT percentile
// minus the server's own for the same requests, so the server's late timers do not count
// against the client.
if (wanted('workers')) {
  const TTFT = 80;
  const ITL = 10;
  const TOKENS = 32;
  const conc = quick ? [256, 1024] : [256, 512, 1024];
  const runs = quick ? 1 : 3;
  const seconds = quick ? 4 : 8;
  const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const loadBefore = load();
  log(`workers: simulator ttft ${TTFT} ms, itl ${ITL} ms, ${TOKENS} tokens at ${conc.join(', ')} streams, workers 1, auto, 2, ${runs} run(s); load ${loadBefore}`);
  const sim = await startLoggingSimulator([
    '--ttft-ms', String(TTFT), '--itl-ms', String(ITL), '--jitter', '0', '--max-batch', '4096',
    '--batch-slowdown', '0', '--stop-probability', '0', '--prefill-ms-per-token', '0',
  ]);
  const rows = [];
  const layers = [];
  try {
    for (const c of conc) {
      for (const workers of ['1', 'auto', '2']) {
        // auto against this loopback simulator: one loop on 2 cores (the server keeps one), the
        // workers 1 row again rather than a second measurement of the same thing.
        if (workers === 'auto' && workersFor('auto', c, availableParallelism(), true) === 1) {
          rows.push({ ...rows.at(-1), workers: 'auto (1 loop: the server is on this machine)' });
          continue;
        }
        const got = [];
        for (let k = 0; k < runs; k++) {
          const path = spec(
            `workers-${c}-${workers}`,
            `name: fidelity-workers
target: { base_url: ${sim.url}, retry: { retries: 0 } }
prompts: ["Benchmark fidelity check."]
params: { model: sim, max_tokens: ${TOKENS} }
matrix: { concurrency: [${c}] }
duration_s: ${seconds}
warmup: ${c}
workers: ${workers}
`,
          );
          sim.take();
          const cell = (await sweep(path)).cells[0];
          const logged = sim.take();
          const server = logged.ttfts;
          const chunks = cell.ok * (TOKENS + 3);
          got.push({
            held: heldStreams(logged.durations, cell.requests, cell.duration_s * 1000),
            err50: cell.ttft_ms.p50 - percentileOf(server, 50),
            err99: cell.ttft_ms.p99 - percentileOf(server, 99),
            itl50: cell.itl_ms.p50 - ITL,
            loop: cell.client?.loop_delay_p99_ms,
            own50: cell.client?.ttft_delay_p50_ms,
            cpu: cell.client?.cpu,
            usPerChunk: chunks > 0 ? ((cell.client?.cpu ?? NaN) * cell.duration_s * 1e6) / chunks : NaN,
            bound: cell.client?.bound,
            threads: cell.client?.workers ?? 1,
          });
          log(`  ${c} streams, workers ${workers}: TTFT p50 error ${fmt(got.at(-1).err50)} ms, p99 ${fmt(got.at(-1).err99)} ms`);
        }
        // The median run by TTFT p50 error, whole (its p99 and load belong with it).
        const each = got.map((g) => g.err50);
        got.sort((a, b) => a.err50 - b.err50);
        rows.push({ c, workers, ...got[Math.floor(got.length / 2)], each });
      }
      // The floor: a plain node:http client at the same streams, the same server, right after.
      const got = [];
      for (let k = 0; k < runs; k++) {
        sim.take();
        const plain = JSON.parse(await run(...onCores('client', [join(here, 'plain-sse-client.js'), sim.url, String(c), String(seconds), String(TOKENS)])));
        // The plain client's warmup is logged too: its measured requests are the last ones.
        const logged = sim.take();
        const server = logged.ttfts.slice(-plain.requests);
        const chunks = plain.requests * (TOKENS + 3);
        got.push({
          held: heldStreams(logged.durations, plain.requests, plain.wallMs),
          err50: percentileOf(plain.ttfts, 50) - percentileOf(server, 50),
          err99: percentileOf(plain.ttfts, 99) - percentileOf(server, 99),
          cpu: plain.cpu,
          usPerChunk: chunks > 0 ? (plain.cpu * plain.wallMs * 1e3) / chunks : NaN,
          threads: 1,
        });
        log(`  ${c} streams, plain node:http client: TTFT p50 error ${fmt(got.at(-1).err50)} ms, p99 ${fmt(got.at(-1).err99)} ms`);
      }
      const each = got.map((g) => g.err50);
      got.sort((a, b) => a.err50 - b.err50);
      rows.push({ c, workers: 'plain node:http client', ...got[Math.floor(got.length / 2)], each });
    }
    // Where the client CPU of one streamed request goes, layer by layer, at the first concurrency.
    const c = conc[0];
    const path = spec(
      'layers',
      `name: layers
target: { base_url: ${sim.url}, retry: { retries: 0 } }
prompts: ["Benchmark fidelity check."]
params: { model: sim, max_tokens: ${TOKENS} }
matrix: { concurrency: [${c}] }
`,
    );
    for (const layer of ['plain', 'axios', 'http', 'exchange']) {
      const got = JSON.parse(await run(process.execPath, [join(here, 'client-layers.js'), layer, path, String(seconds)]));
      layers.push({ ...got, c });
      log(`  layer ${layer} at ${c} streams: ${fmt(got.usPerRequest, 0)} us CPU per request`);
    }
  } finally {
    sim.stop();
  }
  const full = rows.find((x) => x.c === conc[0] && x.workers === '1');
  const fullUs = full ? full.usPerChunk * (TOKENS + 3) : NaN;
  const layerNames = {
    plain: 'plain node:http client (the floor)',
    axios: 'axios as llm-sweep configures it, an AbortSignal per request',
    http: "llm-sweep's HTTP client (pool, retries, arrival stamps, read timeout)",
    exchange: '+ provider, SSE parsing, chunk decoding, timing (exchange.ts)',
  };
  const layerRows = layers.map((x, i) => `| ${layerNames[x.layer]} | ${fmt(x.usPerRequest, 0)} | ${i === 0 ? '' : fmt(x.usPerRequest - layers[i - 1].usPerRequest, 0)} | ${fmt(x.usPerRequest / (TOKENS + 3), 1)} |`);
  if (full) layerRows.push(`| + runner, records, checks, files (the full run: workers 1 row above) | ${fmt(fullUs, 0)} | ${fmt(fullUs - (layers.at(-1)?.usPerRequest ?? NaN), 0)} | ${fmt(full.usPerChunk, 1)} |`);
  const loadAfter = load();
  sections.push(
    [
      '## Fidelity at hundreds of streams: workers 1, auto and 2',
      '',
      `Simulator in its own process (\`simulate --log\`): TTFT ${TTFT} ms, ITL ${ITL} ms, ${TOKENS} output tokens, jitter 0, no batching slowdown. ` +
        "Error = llm-sweep's TTFT percentile minus the simulator's own (its log's ttft=: when it really wrote the first token), " +
        `median of ${runs} run(s) of ${seconds} s per row. The client's own estimate is \`client_ttft_delay_ms_p50\` of summary.csv, what a user sees without the server's log. Client CPU per chunk = client CPU time / chunks received (${TOKENS} tokens + 3 framing). ` +
        "Streams the server held = the server's own time on the measured requests over the client's window (Little's law): below the streams asked for, the client let the load drop. " +
        `Machine load average (1, 5, 15 min) before: ${loadBefore}, after: ${loadAfter} (other jobs shared the ${cpus().length} cores). ` +
        (pin
          ? `The simulator ran pinned to core ${pin.server}, the clients to cores ${pin.client} (taskset).`
          : 'Simulator and clients were not pinned: on 2 cores, the simulator on one and the client on the other measured no better ' +
            '(2026-12-01, 256 streams, medians of three: llm-sweep +3.64 ms pinned against +3.04 floating, the plain client +1.71 against +1.86).'),
      '',
      '| concurrent streams | workers | threads | TTFT p50 error ms (each run) | TTFT p99 error ms | client\'s own estimate: ttft_delay p50 ms | ITL p50 error ms | loop delay p99 ms | client CPU | CPU us / chunk | streams the server held | bound |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...rows.map(
        (x) =>
          `| ${x.c} | ${x.workers} | ${x.threads} | ${fmt(x.err50)} (${x.each.map((v) => fmt(v, 1)).join(', ')}) | ${fmt(x.err99)} | ${fmt(x.own50)} | ${fmt(x.itl50)} | ${fmt(x.loop)} | ${fmt(x.cpu)} | ${fmt(x.usPerChunk, 1)} | ${fmt(x.held, 0)} | ${x.bound ? 'BOUND' : ''} |`,
      ),
      '',
      'The plain node:http client rows (bench/plain-sse-client.js) are the floor: a client that only stamps the send and the first content chunk and counts chunks, ' +
        'in its own process at the same streams against the same server, right after llm-sweep. What llm-sweep costs above it is ours; what both show is the platform\'s ' +
        '(node:http, the kernel, the cores shared with the server). Its ITL and loop delay are not measured.',
      '',
      'Targets (issue 15): TTFT p50 error <= 2 ms at 256 streams, <= 10 ms at 1,024; client CPU per chunk <= 5 us.',
      '',
      `### Client CPU of one streamed request, layer by layer (${conc[0]} streams)`,
      '',
      `Each layer is a client that stops there (bench/client-layers.js), in its own process, closed loop at ${conc[0]} streams against the same simulator for ${seconds} s; ` +
        `CPU = user + system time of the process over the window, per request of ${TOKENS} tokens (${TOKENS + 3} chunks). Single runs: differences under ~60 us are noise.`,
      '',
      '| layer | CPU us / request | added by the layer | CPU us / chunk |',
      '| --- | --- | --- | --- |',
      ...layerRows,
    ].join('\n'),
  );
}

// 2. Client ceiling: an instant server; llm-sweep beside a raw node:http keep-alive client.
const server = await startInstantServer();
try {
  if (wanted('ceiling')) {
    const N = quick ? 5000 : 20000;
    log(`client ceiling: ${N} non-streamed requests at concurrency 64`);
    const path = instantSpec('ceiling', server.url, { requests: N, warmup: 200 });
    const ours = (await sweep(path)).cells[0];
    // The same run on two worker threads (auto keeps one loop at 64 in flight).
    const oursWorkers = (await sweep(path, ['--workers', '2'])).cells[0];
    const raw = JSON.parse(await run(process.execPath, [join(here, 'raw-client.js'), `${server.url}/chat/completions`, '64', String(N), 'json']));

    const CH = quick ? 500 : 2000;
    const SN = quick ? 100 : 400;
    log(`SSE ingest: ${SN} streams of ${CH} chunks at concurrency 8`);
    const spath = spec(
      'sse',
      `name: sse
target: { base_url: ${server.url}, retry: { retries: 0 } }
prompts: ["hi"]
params: { model: m, chunks: ${CH} }
matrix: { concurrency: [8] }
requests: ${SN}
warmup: 8
`,
    );
    const oursSse = (await sweep(spath)).cells[0];
    const rawSse = JSON.parse(await run(process.execPath, [join(here, 'raw-client.js'), `${server.url}/chat/completions`, '8', String(SN), 'stream', String(CH)]));
    const ourChunks = oursSse.output_tokens_per_s; // one content chunk per token here
    const rawChunks = (rawSse.events - 3 * SN) / rawSse.seconds;
    sections.push(
      [
        '## Client ceiling: llm-sweep beside a raw node:http client',
        '',
        '| measure | llm-sweep | raw node:http | ratio | target |',
        '| --- | --- | --- | --- | --- |',
        `| requests/s, instant server, concurrency 64, ${N} requests | ${fmt(ours.requests_per_s, 0)} | ${fmt(raw.rps, 0)} | ${fmt(ours.requests_per_s / raw.rps)} | >= 0.5 of raw |`,
        `| requests/s, the same with \`--workers 2\` | ${fmt(oursWorkers.requests_per_s, 0)} | ${fmt(raw.rps, 0)} | ${fmt(oursWorkers.requests_per_s / raw.rps)} | >= 1.5x workers 1 (${fmt(oursWorkers.requests_per_s / ours.requests_per_s)}x here) |`,
        `| SSE content chunks/s ingested, ${SN} streams x ${CH} chunks | ${fmt(ourChunks, 0)} | ${fmt(rawChunks, 0)} | ${fmt(ourChunks / rawChunks)} | >= 100,000 |`,
        '',
        `llm-sweep's figures include everything it does per request: retries bookkeeping, SSE parsing, JSON decoding of every chunk, timing, the CSV row. ` +
          `The raw client only counts bytes. Client CPU in the llm-sweep runs: ${fmt(ours.client?.cpu)} (requests), ${fmt(oursSse.client?.cpu)} (SSE) of a core.`,
      ].join('\n'),
    );

  }

  // 3. Durability: what a SIGKILL loses, and what writing every row as it ends costs.
  if (wanted('durability')) {
    const C = 64;
    const kills = [];
    for (let i = 0; i < 3; i++) {
      log(`durability: SIGKILL after 3 s at concurrency ${C}, run ${i + 1} of 3`);
      const path = instantSpec(`kill-${i}`, server.url, { requests: 10_000_000, formats: ['csv'] });
      const out = join(work, `kill-${i}`);
      const before = await server.stats();
      let child;
      const done = run(process.execPath, [bin, 'run', path, '--out', out, '--quiet'], { onPid: (p) => (child = p), killed: true });
      await new Promise((r) => setTimeout(r, 3000));
      process.kill(child, 'SIGKILL');
      await done;
      await new Promise((r) => setTimeout(r, 200));
      const finished = (await server.stats()) - before;
      const rows = rowsIn(join(out, 'requests.csv'));
      kills.push({ finished, rows, lost: finished - rows });
    }
    const N = quick ? 5000 : 20000;
    const costPath = instantSpec('cost', server.url, { requests: N, warmup: 200 });
    const cost = [];
    for (const lines of [1, 64, 1, 64]) {
      log(`durability: ${N} requests, rows written in batches of ${lines}`);
      cost.push({ lines, rps: (await sweep(costPath, [], { LLM_SWEEP_FLUSH_LINES: String(lines) })).cells[0].requests_per_s });
    }
    const mean = (l) => cost.filter((c) => c.lines === l).reduce((s, c) => s + c.rps, 0) / 2;
    sections.push(
      [
        '## Durability: what SIGKILL loses',
        '',
        `llm-sweep run at concurrency ${C} against the instant server, killed with SIGKILL after 3 s. ` +
          '"answers finished" is what the server had written out; every one of them is either a row in requests.csv or a request the client was still reading (in flight, at most the concurrency).',
        '',
        '| run | answers finished | rows on disk | finished but not on disk | bound (in flight) |',
        '| --- | --- | --- | --- | --- |',
        ...kills.map((k, i) => `| ${i + 1} | ${k.finished.toLocaleString('en-US')} | ${k.rows.toLocaleString('en-US')} | ${k.lost} | ${C} |`),
        '',
        `Each row is handed to the kernel as its request ends (append-file.ts: buffer bound 1 line, 50 ms). ` +
          `The cost, ${N} non-streamed requests at concurrency 64, two runs each: ${fmt(mean(1), 0)} requests/s writing every row at once, ` +
          `${fmt(mean(64), 0)} requests/s in batches of 64 (LLM_SWEEP_FLUSH_LINES=64), a ratio of ${fmt(mean(1) / mean(64))}.`,
      ].join('\n'),
    );
  }

  // 4. Memory: peak RSS for 10,000 and 100,000 requests, and of `report` rebuilding them.
  if (wanted('memory')) {
    const sizes = quick ? [10_000] : [10_000, 100_000];
    const mem = [];
    for (const n of sizes) {
      // Both the default formats (the HTML report is rebuilt after every cell) and
      // csv + json alone, so the report's share of the peak is visible. 100,000 requests
      // with the report three times: the target is every run, not the luckiest.
      const runs = n === 100_000 ? [['csv', 'json', 'html'], ['csv', 'json', 'html'], ['csv', 'json', 'html'], ['csv', 'json']] : [['csv', 'json', 'html'], ['csv', 'json']];
      for (const [ri, formats] of runs.entries()) {
        log(`memory: ${n} requests, formats ${formats.join(', ')}`);
        const mpath = instantSpec(`mem-${n}-${formats.length}`, server.url, { requests: n, formats });
        const out = join(work, `mem-${n}-${formats.length}-${ri}`);
        const peak = await peakRss(process.execPath, [bin, 'run', mpath, '--out', out, '--quiet']);
        mem.push({ n, what: '`run`', formats: formats.join(', '), peak });
        if (ri === 0) {
          // The same with two worker threads (issue 15): each has its own heap.
          log(`memory: ${n} requests, formats ${formats.join(', ')}, --workers 2`);
          const wout = join(work, `mem-${n}-${formats.length}-${ri}-w2`);
          const wpeak = await peakRss(process.execPath, [bin, 'run', mpath, '--out', wout, '--quiet', '--workers', '2']);
          mem.push({ n, what: '`run --workers 2`', formats: formats.join(', '), peak: wpeak });
        }
        if (formats.includes('html') && ri === 0) {
          log(`memory: llm-sweep report on ${n} requests`);
          const rebuilt = await peakRss(process.execPath, [bin, 'report', out]);
          mem.push({ n, what: '`report <dir>`', formats: 'html + summary.csv', peak: rebuilt });
        }
      }
  }
  sections.push(
    [
      '## Memory: peak RSS of the whole llm-sweep process',
      '',
      '| requests in one cell | command | output formats | peak RSS MB |',
      '| --- | --- | --- | --- |',
      ...mem.map((m) => `| ${m.n.toLocaleString('en-US')} | ${m.what} | ${m.formats} | ${fmt(m.peak / 1024 / 1024, 1)} |`),
      '',
      'Target: under 200 MB for 100,000 requests, for `run` and for `report <dir>` alike. A cell keeps what its summary ' +
        'needs as typed-array columns (for exact percentiles); rows are streamed to requests.csv, and `report` reads them ' +
        'back in blocks. A bare `node` process is ~40 MB of this.',
    ].join('\n'),
  );
  }
  // 4. Datasets: a 1 GB JSONL file sampled for 10,000 requests, a whole `llm-sweep run`.
  if (wanted('dataset')) {
    const size = quick ? 256 * 2 ** 20 : 2 ** 30;
    const file = join(work, 'dataset.jsonl');
    log(`dataset: writing ${(size / 2 ** 20).toFixed(0)} MB of JSONL, then a run of 10,000 requests sampled from it`);
    await writeDataset(file, size);
    const dpath = spec(
      'dataset',
      `name: dataset
target: { base_url: ${server.url}, retry: { retries: 0 } }
prompts:
  dataset: { file: ${file}, output: output_len, output_tokens: dataset, max_input_tokens: 1024 }
params: { model: m }
matrix: { concurrency: [64], stream: [false] }
requests: 10000
output: { formats: [csv, json] }
`,
    );
    const out = join(work, 'dataset-run');
    const t0 = performance.now();
    const peak = await peakRss(process.execPath, [bin, 'run', dpath, '--out', out, '--quiet']);
    const seconds = (performance.now() - t0) / 1000;
    const rows = readFileSync(join(out, 'requests.csv'), 'utf8').trim().split('\n').length - 1;
    rmSync(file);
    sections.push(
      [
        '## Datasets: a run sampled from a big JSONL file',
        '',
        '| dataset | requests (each its own row) | run wall time s | peak RSS MB |',
        '| --- | --- | --- | --- |',
        `| ${(size / 2 ** 20).toLocaleString('en-US')} MB JSONL | ${rows.toLocaleString('en-US')} | ${fmt(seconds, 1)} | ${fmt(peak / 1024 / 1024, 1)} |`,
        '',
        'Target: under 200 MB for 1 GB sampled for 10,000 requests (`llm-sweep run`, the whole process, prompts kept for the run). ' +
          'The file is streamed in 64 KiB chunks and never held; rows are tokenized (o200k_base, for the max_input_tokens filter) ' +
          'only when their seeded key can make the sample, in a worker thread that exits before the first request, taking the ' +
          "tokenizer's ~70 MB with it.",
      ].join('\n'),
    );
  }
} finally {
  server.stop();
}

/** JSONL rows of 100-300 words with an output length, `bytes` in all, written without holding them. */
async function writeDataset(path, bytes) {
  const { createWriteStream } = await import('node:fs');
  const out = createWriteStream(path);
  const words = 'the key value cache keeps attention of every token so decoding is faster when batches share memory and requests queue'.split(' ');
  let written = 0;
  let id = 0;
  let state = 1;
  const random = () => (state = (state * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  while (written < bytes) {
    let prompt = '';
    const n = 100 + Math.floor(random() * 200);
    for (let k = 0; k < n; k++) prompt += (k ? ' ' : '') + words[Math.floor(random() * words.length)];
    const line = `${JSON.stringify({ id: id++, prompt, output_len: 16 + Math.floor(random() * 200) })}\n`;
    written += line.length;
    if (!out.write(line)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r) => out.end(r));
}

const header = [
  '# llm-sweep benchmark results',
  '',
  `Produced by \`npm run bench\`${quick ? ' --quick' : ''} on ${new Date().toISOString().slice(0, 10)}: ` +
    `${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}.`,
  'Every figure is measured in the same run beside its peer.',
  '',
].join('\n');
const text = `${header}\n${sections.join('\n\n')}\n`;
if (!only) writeFileSync(join(here, 'results.md'), text);
process.stdout.write(text);
