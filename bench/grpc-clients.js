// The measurement behind llm-sweep's own gRPC client: llm-sweep's client (dist/grpc, on
// node:http2) beside @grpc/grpc-js' client (a devDependency, so this runs from a checkout),
// both streaming ModelStreamInfer from the same simulator process at the same concurrency,
// one after the other per concurrency. Each stamps send as late as its API allows (ours: the
// request handed to its HTTP/2 stream; grpc-js: just before call.write) and arrival as early
// (ours: the DATA frame's bytes; grpc-js: its 'data' event, the earliest it offers).
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => import(join(repo, 'dist', p));

/** Starts `simulate --grpc-port 0` in a child process; its gRPC URL and a stop function. */
async function startSimulator(ttft, itl) {
  const args = ['simulate', '--port', '0', '--grpc-port', '0', '--ttft-ms', String(ttft), '--itl-ms', String(itl), '--jitter', '0'];
  args.push('--max-batch', '1024', '--batch-slowdown', '0', '--stop-probability', '0', '--prefill-ms-per-token', '0');
  const child = spawn(process.execPath, [join(repo, 'bin/llm-sweep.js'), ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('grpc://'));
      if (line) resolve(line.trim());
    });
    child.on('exit', (code) => reject(new Error(`simulate exited ${code}`)));
  });
  return { url, stop: () => new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGTERM'))) };
}

/** Sends `total` streams, `concurrency` at a time, through `one` (which gives a TTFT in ms). */
async function closedLoop(concurrency, total, one) {
  const ttfts = [];
  let next = 0;
  const worker = async () => {
    while (next < total) {
      next++;
      ttfts.push(await one());
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return ttfts;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

/**
 * TTFT p50 error (reported minus configured, ms) of each client at each concurrency.
 * @returns {Promise<{ concurrency: number, client: string, n: number, ttft50: number }[]>}
 */
export async function compareGrpcClients({ ttft, itl, concurrencies, perConcurrency }) {
  const { createGrpcClient } = await dist('grpc/grpc-client.js');
  const { kserveService } = await dist('grpc/kserve.js');
  const { buildLlmRequest, readLlmResponse } = await dist('grpc/llm-layouts.js');
  const grpcJs = await import('@grpc/grpc-js');
  const method = kserveService().ModelStreamInfer;
  const request = buildLlmRequest({ layout: 'vllm', model: { name: 'sim' }, prompt: 'Benchmark fidelity check.', stream: true, params: { max_tokens: 8 } }).request;
  const sim = await startSimulator(ttft, itl);
  const rows = [];
  try {
    for (const concurrency of concurrencies) {
      const ours = createGrpcClient({ url: sim.url, concurrency, connectTimeoutMs: 5000, readTimeoutMs: 30000, retry: { retries: 0, on: [], backoff_ms: 1, max_backoff_ms: 1 } });
      const theirs = new grpcJs.Client(sim.url.slice('grpc://'.length), grpcJs.credentials.createInsecure());
      const viaOurs = async () => {
        let first;
        const r = await ours.stream(request, (res, at) => {
          if (first === undefined && readLlmResponse(res.infer_response).text) first = at;
        });
        if (r.failure) throw new Error(`llm-sweep client: ${r.failure.message}`);
        return first - r.sentAt;
      };
      const viaGrpcJs = () =>
        new Promise((resolve, reject) => {
          const call = theirs.makeBidiStreamRequest(method.path, method.requestSerialize, method.responseDeserialize, new grpcJs.Metadata());
          let first;
          call.on('data', (res) => {
            const at = performance.now();
            if (first === undefined && readLlmResponse(res.infer_response).text) first = at;
          });
          call.on('status', (s) => (s.code === 0 ? resolve(first - sentAt) : reject(new Error(`grpc-js client: ${s.details}`))));
          call.on('error', () => {});
          const sentAt = performance.now();
          call.write(request);
          call.end();
        });
      try {
        const total = Math.max(perConcurrency, concurrency * 4);
        // Warm both up (JIT, connections) before either is measured.
        await closedLoop(concurrency, concurrency, viaOurs);
        await closedLoop(concurrency, concurrency, viaGrpcJs);
        for (const [client, one] of [['llm-sweep (node:http2)', viaOurs], ['@grpc/grpc-js', viaGrpcJs]]) {
          const ttfts = await closedLoop(concurrency, total, one);
          rows.push({ concurrency, client, n: ttfts.length, ttft50: median(ttfts) - ttft });
        }
      } finally {
        ours.close();
        theirs.close();
      }
    }
  } finally {
    await sim.stop();
  }
  return rows;
}
