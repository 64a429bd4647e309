/**
 * The simulator's gRPC side (KServe v2, Triton's ModelStreamInfer) against llm-sweep's own
 * gRPC transport: both layouts, the latency model it shares with the HTTP side, faults by
 * metadata, ModelInfer, and `simulate --grpc-port`. Bounds as in simulator-timing.test.ts: a
 * token is never early, so lower bounds are exact and upper bounds generous.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { createGrpcClient, type GrpcClientOptions } from '../../src/grpc/grpc-client.js';
import { buildLlmRequest, readLlmResponse, type LayoutName } from '../../src/grpc/llm-layouts.js';
import { startBuiltinSimulator } from '../../src/simulator/spawn.js';
import { parsePrometheus } from '../../src/server-metrics/parse.js';
import { startSimulator } from '../../src/simulator/server.js';
import type { RunningSimulator } from '../../src/simulator/types.js';
import { chatBody, contentEvents, median, post } from '../helpers/sim-client.js';

const repo = path.resolve(import.meta.dirname, '../..');
const MODEL = { ttft_ms: 60, prefill_ms_per_token: 0, itl_ms: 10, jitter: 0, stop_probability: 0, batch_slowdown: 0 };
const TIMING = { retry: 2 };
const opened: { close(): unknown }[] = [];
afterEach(async () => {
  for (const x of opened.splice(0).reverse()) await x.close();
});

async function sim(opts: Record<string, unknown> = {}): Promise<RunningSimulator & { grpcUrl: string }> {
  const s = await startSimulator({ ...MODEL, ...opts, grpcPort: 0 });
  opened.push(s);
  return s as RunningSimulator & { grpcUrl: string };
}

function client(url: string, extra: Partial<GrpcClientOptions> = {}) {
  const c = createGrpcClient({ url, concurrency: 16, connectTimeoutMs: 2000, readTimeoutMs: 5000, retry: { retries: 0, on: [], backoff_ms: 1, max_backoff_ms: 1 }, ...extra });
  opened.push(c);
  return c;
}

async function stream(c: ReturnType<typeof client>, layout: LayoutName, opts: { model?: string; maxTokens?: number; stream?: boolean } = {}) {
  const model = { name: opts.model ?? (layout === 'trtllm' ? 'ensemble' : 'sim') };
  const meta = (await c.modelMetadata(model)).value;
  const built = buildLlmRequest({ layout, model, prompt: 'Tell me about GPUs', stream: opts.stream ?? true, params: { max_tokens: opts.maxTokens ?? 8 }, metadata: meta });
  const texts: { text?: string; at: number; tokens?: number; finish?: string }[] = [];
  const result = await c.stream(built.request!, (res, at) => {
    const o = readLlmResponse(res.infer_response);
    if (o.text) texts.push({ text: o.text, at: at, tokens: o.completionTokens, finish: o.finishReason });
  });
  return { result, texts, ttft: texts.length ? texts[0].at - result.sentAt : undefined };
}

describe('simulator over gRPC', () => {
  it('streams both layouts with the configured TTFT and ITL', TIMING, async () => {
    const s = await sim();
    const c = client(s.grpcUrl);
    await stream(c, 'vllm', { maxTokens: 1 }); // warm up: JIT, the connection
    for (const layout of ['vllm', 'trtllm'] as const) {
      // As simulator-timing.test.ts does over HTTP: a token is never early, so the fastest
      // of a few runs estimates TTFT on a busy machine, and the median mean gap the ITL.
      const runs = [];
      for (let i = 0; i < 3; i++) runs.push(await stream(c, layout));
      for (const { result, texts } of runs) {
        expect(result.failure).toBeUndefined();
        expect(texts).toHaveLength(8);
      }
      const fastest = Math.min(...runs.map((r) => r.ttft!));
      expect(fastest).toBeGreaterThan(60 - 1);
      expect(fastest).toBeLessThan(60 + 25);
      const meanGaps = runs.map(({ texts }) => (texts.at(-1)!.at - texts[0].at) / (texts.length - 1));
      expect(Math.abs(median(meanGaps) - 10)).toBeLessThan(3);
      // The vLLM layout asked for counts and the finish reason, and gets them.
      const { texts } = runs[0];
      if (layout === 'vllm') {
        expect(texts.every((x) => x.tokens === 1)).toBe(true);
        expect(texts.at(-1)?.finish).toBe('length');
      } else expect(texts.every((x) => x.tokens === undefined)).toBe(true);
    }
  });

  it('declares the layout by model name, and any model is ready', async () => {
    const c = client((await sim()).grpcUrl);
    expect((await c.modelMetadata({ name: 'ensemble' })).value?.inputs.map((x) => x.name)).toContain('max_tokens');
    expect((await c.modelMetadata({ name: 'llama' })).value?.inputs.map((x) => x.name)).toContain('sampling_parameters');
    expect((await c.modelReady({ name: 'whatever' })).value).toBe(true);
    expect((await c.serverLive()).value).toBe(true);
  });

  it('answers a request with stream false in one response, and ModelInfer too', async () => {
    const c = client((await sim()).grpcUrl);
    const one = await stream(c, 'vllm', { stream: false, maxTokens: 5 });
    expect(one.result.failure).toBeUndefined();
    expect(one.texts).toHaveLength(1);
    expect(one.texts[0].tokens).toBe(5);
    expect(one.ttft).toBeGreaterThan(60 + 4 * 10 - 1);
    const req = buildLlmRequest({ layout: 'trtllm', model: { name: 'ensemble' }, prompt: 'x', stream: false, params: { max_tokens: 3 } }).request!;
    const unary = await c.infer(req);
    expect(unary.failure).toBeUndefined();
    expect(readLlmResponse(unary.value ?? null).text?.length).toBeGreaterThan(0);
  });

  it('shares one batch scheduler with the HTTP side', async () => {
    // A batch of 1: an HTTP request sent while a gRPC one decodes waits for it to finish.
    const s = await sim({ max_batch: 1, ttft_ms: 100, itl_ms: 10 });
    const c = client(s.grpcUrl);
    const req = buildLlmRequest({ layout: 'vllm', model: { name: 'sim' }, prompt: 'x', stream: true, params: { max_tokens: 40 } }).request!;
    let http: Promise<Awaited<ReturnType<typeof post>>> | undefined;
    // Sent at the gRPC stream's first token, while it still has 39 tokens (390 ms) to decode.
    const grpc = await c.stream(req, () => {
      http ??= post(`${s.baseUrl}/chat/completions`, chatBody({ stream: true, max_tokens: 4 }));
    });
    expect(grpc.failure).toBeUndefined();
    // Alone its TTFT would be 100 ms; behind the gRPC stream, 100 ms + the 390 ms left.
    // The bound sits halfway, so a late event loop (which the scheduler's virtual deadlines
    // catch up on) cannot move either case across it.
    expect(contentEvents(await http!)[0].at).toBeGreaterThan(100 + 390 / 2);
  });

  it('counts gRPC requests in /metrics like HTTP ones: successes, tokens, TTFT and latency histograms', async () => {
    const s = await sim();
    const c = client(s.grpcUrl);
    const scrape = async () => {
      const samples = parsePrometheus(await (await fetch(`${s.origin}/metrics`)).text());
      const get = (name: string) => samples.filter((x) => x.name === name).reduce((a, x) => a + x.value, 0);
      return {
        success: get('vllm:request_success_total'),
        generated: get('vllm:generation_tokens_total'),
        prompt: get('vllm:prompt_tokens_total'),
        ttftCount: get('vllm:time_to_first_token_seconds_count'),
        e2eCount: get('vllm:e2e_request_latency_seconds_count'),
        queueCount: get('vllm:request_queue_time_seconds_count'),
      };
    };
    const before = await scrape();
    for (const layout of ['vllm', 'trtllm'] as const) {
      const { result, texts } = await stream(c, layout, { maxTokens: 5 });
      expect(result.failure).toBeUndefined();
      expect(texts).toHaveLength(5);
    }
    const after = await scrape();
    expect(after.success - before.success).toBe(2);
    expect(after.generated - before.generated).toBe(10);
    expect(after.prompt - before.prompt).toBeGreaterThan(0);
    expect(after.ttftCount - before.ttftCount).toBe(2);
    expect(after.e2eCount - before.e2eCount).toBe(2);
    expect(after.queueCount - before.queueCount).toBe(2);
  });

  it('injects faults named by the x-simulator-fault metadata key', async () => {
    const s = await sim({ ttft_ms: 10 });
    const withFault = (fault: string, extra: Partial<GrpcClientOptions> = {}) => client(s.grpcUrl, { metadata: { 'x-simulator-fault': fault }, ...extra });
    expect((await stream(withFault('429;retry-after=0'), 'vllm')).result.failure).toMatchObject({ kind: 'status', codeName: 'RESOURCE_EXHAUSTED' });
    expect((await stream(withFault('503'), 'vllm')).result.failure).toMatchObject({ kind: 'status', codeName: 'UNAVAILABLE' });
    expect((await stream(withFault('500'), 'vllm')).result.failure).toMatchObject({ kind: 'status', codeName: 'INTERNAL' });
    const reset = await stream(withFault('reset;after=2'), 'vllm');
    expect(reset.texts).toHaveLength(2);
    expect(reset.result.failure).toMatchObject({ kind: 'status', codeName: 'UNAVAILABLE', message: expect.stringContaining('simulated connection reset') });
    expect((await stream(withFault('malformed;after=1'), 'vllm')).result.failure?.kind).toBe('parse');
    const stall = await stream(withFault('stall;after=1', { readTimeoutMs: 200 }), 'vllm');
    expect(stall.texts).toHaveLength(1);
    expect(stall.result.failure).toMatchObject({ kind: 'timeout' });
    const bad = await stream(withFault('bogus'), 'vllm');
    expect(bad.result.failure).toMatchObject({ kind: 'stream', message: expect.stringContaining("unknown fault 'bogus'") });
  });

  it('runs in a child process for base_url: builtin, gRPC port included', async () => {
    const child = await startBuiltinSimulator(MODEL, { grpcPort: 0 });
    opened.push({ close: () => child.stop() });
    expect(child.grpcUrl).toMatch(/^grpc:\/\/127\.0\.0\.1:\d+$/);
    const { result, texts } = await stream(client(child.grpcUrl as string), 'vllm');
    expect(result.failure).toBeUndefined();
    expect(texts).toHaveLength(8);
  });

  it('a request started while other streams are being drained leaves at once: its TTFT is the server\'s', TIMING, async () => {
    // The server in its own process, so it reads the request while this one is busy.
    const child = await startBuiltinSimulator({ ...MODEL, ttft_ms: 50 }, { grpcPort: 0 });
    opened.push({ close: () => child.stop() });
    const c = client(child.grpcUrl as string);
    const model = { name: 'sim' };
    const req = buildLlmRequest({ layout: 'vllm', model, prompt: 'x', stream: true, params: { max_tokens: 2 }, metadata: (await c.modelMetadata(model)).value }).request!;
    await c.stream(req, () => {}); // the connection, JIT
    // Three streams end in the same server tick; a slow consumer takes 20 ms over each last
    // response, and the first of them starts the next request. Drained in one turn, that
    // request's bytes waited for the other two (40 ms) after its send stamp.
    const busy = (ms: number) => {
      const end = performance.now() + ms;
      while (performance.now() < end);
    };
    let firstAt: number | undefined;
    let next: ReturnType<typeof c.stream> | undefined;
    const onResponse = (res: Parameters<Parameters<typeof c.stream>[1]>[0]) => {
      if (!readLlmResponse(res.infer_response).final) return;
      next ??= c.stream(req, (r, at) => {
        if (firstAt === undefined && readLlmResponse(r.infer_response).text) firstAt = at;
      });
      busy(20);
    };
    await Promise.all(Array.from({ length: 3 }, () => c.stream(req, onResponse)));
    const result = await (next as ReturnType<typeof c.stream>);
    expect(result.failure).toBeUndefined();
    const ttft = (firstAt as number) - result.sentAt;
    expect(ttft).toBeGreaterThan(50 - 1);
    expect(ttft).toBeLessThan(50 + 20);
  });
});

describe('interoperability', () => {
  it("serves @grpc/grpc-js' own client (the reference implementation), streaming and unary", async () => {
    const { Client, credentials, Metadata } = await import('@grpc/grpc-js');
    const { kserveService } = await import('../../src/grpc/kserve.js');
    const s = await sim({ ttft_ms: 20, itl_ms: 5 });
    const client = new Client(s.grpcUrl.replace('grpc://', ''), credentials.createInsecure());
    opened.push(client);
    const service = kserveService();
    const req = buildLlmRequest({ layout: 'vllm', model: { name: 'sim' }, prompt: 'hi', stream: true, params: { max_tokens: 4 } }).request!;
    const call = client.makeBidiStreamRequest(service.ModelStreamInfer.path, service.ModelStreamInfer.requestSerialize, service.ModelStreamInfer.responseDeserialize, new Metadata());
    const texts: string[] = [];
    const ended = new Promise<{ code: number }>((resolve) => call.on('status', resolve));
    call.on('data', (res) => texts.push(readLlmResponse(res.infer_response).text ?? ''));
    call.write(req);
    call.end();
    expect((await ended).code).toBe(0);
    expect(texts.filter(Boolean)).toHaveLength(4);
    const live = await new Promise<{ live: boolean }>((resolve, reject) =>
      client.makeUnaryRequest(service.ServerLive.path, service.ServerLive.requestSerialize, service.ServerLive.responseDeserialize, {}, (err, v) => (err ? reject(err) : resolve(v as { live: boolean }))),
    );
    expect(live.live).toBe(true);
    const missing = await new Promise<{ code?: number }>((resolve) =>
      client.makeUnaryRequest('/inference.GRPCInferenceService/RepositoryIndex', (x: Buffer) => x, (x: Buffer) => x, Buffer.alloc(0), (err) => resolve(err ?? {})),
    );
    expect(missing.code).toBe(12); // UNIMPLEMENTED
  });
});

describe('llm-sweep simulate --grpc-port', () => {
  it('prints the gRPC URL on the line after the HTTP one', async () => {
    const proc = spawn(process.execPath, [path.join(repo, 'bin/llm-sweep.js'), 'simulate', '--port', '0', '--grpc-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    opened.push({ close: () => new Promise((resolve) => (proc.exitCode !== null ? resolve(undefined) : (proc.once('exit', resolve), proc.kill('SIGTERM')))) });
    const lines = await new Promise<string[]>((resolve) => {
      let out = '';
      proc.stdout.on('data', (d: Buffer) => {
        out += String(d);
        const l = out.split('\n');
        if (l.length > 2) resolve(l.slice(0, 2));
      });
    });
    expect(lines[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect(lines[1]).toMatch(/^grpc:\/\/127\.0\.0\.1:\d+$/);
    const { result } = await stream(client(lines[1]), 'trtllm');
    expect(result.failure).toBeUndefined();
  });
});
