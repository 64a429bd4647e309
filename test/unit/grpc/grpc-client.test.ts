import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createGrpcClient, parseGrpcUrl, retryStatus, type GrpcClientOptions } from '../../../src/grpc/grpc-client.js';
import type { ModelStreamInferResponse } from '../../../src/grpc/kserve.js';
import { buildLlmRequest, layoutMetadata, readLlmResponse, type LayoutName } from '../../../src/grpc/llm-layouts.js';
import { startFakeTritonGrpc, type FakeGrpcOptions, type FakeGrpcServer } from '../../helpers/fake-triton-grpc.js';

const NO_RETRY = { retries: 0, on: [429, 500, 502, 503, 504, 'network'] as (number | 'network')[], backoff_ms: 10, max_backoff_ms: 50 };
const servers: FakeGrpcServer[] = [];
const clients: { close(): void }[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.close();
});

async function fake(opts: FakeGrpcOptions = {}): Promise<FakeGrpcServer> {
  const s = await startFakeTritonGrpc(opts);
  servers.push(s);
  return s;
}

function client(url: string, extra: Partial<GrpcClientOptions> = {}) {
  const c = createGrpcClient({ url, concurrency: 1, connectTimeoutMs: 2000, readTimeoutMs: 5000, retry: NO_RETRY, ...extra });
  clients.push(c);
  return c;
}

function request(layout: LayoutName, prompt = 'Say hello', stream = true) {
  const built = buildLlmRequest({ layout, model: { name: 'm' }, prompt, stream, params: { max_tokens: 16 }, metadata: layoutMetadata('m', layout) });
  if (!built.request) throw new Error(built.problem);
  return built.request;
}

/** Streams one request, collecting each response's text and arrival time. */
async function collect(c: ReturnType<typeof client>, layout: LayoutName, prompt?: string) {
  const got: { text?: string; at: number; final: boolean; completion?: number }[] = [];
  const result = await c.stream(request(layout, prompt), (res: ModelStreamInferResponse, at) => {
    const out = readLlmResponse(res.infer_response);
    got.push({ text: out.text, at, final: out.final, completion: out.completionTokens });
  });
  return { result, got };
}

describe('grpc urls', () => {
  it('parses grpc:// and grpcs://, with Triton port 8001 by default', () => {
    expect(parseGrpcUrl('grpc://triton:9001')).toEqual({ address: 'triton:9001', host: 'triton', port: 9001, secure: false });
    expect(parseGrpcUrl('grpc://triton')?.port).toBe(8001);
    expect(parseGrpcUrl('grpcs://h.example')?.port).toBe(443);
    expect(parseGrpcUrl('grpc://[::1]:8001')).toMatchObject({ address: '[::1]:8001', host: '::1' });
    expect(parseGrpcUrl('http://triton:8001')).toBeUndefined();
    expect(parseGrpcUrl('grpc://triton:8001/v2')).toBeUndefined();
  });

  it('maps gRPC statuses onto retry.on by their HTTP equivalents', () => {
    const on = { on: [429, 'network'] as (number | 'network')[] };
    expect(retryStatus({ kind: 'status', code: 8, message: '' }, on)).toBe(true); // RESOURCE_EXHAUSTED = 429
    expect(retryStatus({ kind: 'status', code: 14, message: '' }, on)).toBe(false); // UNAVAILABLE = 503
    expect(retryStatus({ kind: 'status', code: 14, message: '' }, { on: [503] })).toBe(true);
    expect(retryStatus({ kind: 'network', code: 14, message: '' }, on)).toBe(true);
    expect(retryStatus({ kind: 'timeout', message: '', connect: true }, on)).toBe(true);
    expect(retryStatus({ kind: 'timeout', message: '' }, on)).toBe(false); // a read timeout is not retried
    expect(retryStatus({ kind: 'stream', message: '' }, on)).toBe(false);
  });
});

describe('streaming inference against the fake Triton', () => {
  for (const layout of ['trtllm', 'vllm'] as const) {
    it(`${layout}: one response per token, ended by triton_final_response, timed on arrival`, { retry: 2 }, async () => {
      const s = await fake({ layout, script: { ttftMs: 60, itlMs: 25, tokens: ['Hel', 'lo', ' there', '!'], promptTokens: 3 } });
      const c = client(s.url);
      const { result, got } = await collect(c, layout);
      expect(result.failure).toBeUndefined();
      expect(result.attempts).toBe(1);
      expect(result.responses).toBe(4);
      expect(got.map((g) => g.text).join('')).toBe('Hello there!');
      expect(got.map((g) => g.final)).toEqual([false, false, false, true]);
      if (layout === 'vllm') expect(got.map((g) => g.completion)).toEqual([1, 1, 1, 1]);
      // Truth is when the server wrote each response; the client stamps its arrival.
      const sent = s.sent[0];
      const ttft = got[0].at - result.sentAt;
      expect(ttft).toBeGreaterThanOrEqual(60 - 1);
      // Same process, so write -> arrival is a loop turn or two: the median decides, one late
      // wakeup on a busy machine does not; none arrives before it was written.
      const delays = got.map((g, i) => g.at - sent[i]).sort((a, b) => a - b);
      expect(delays[0]).toBeGreaterThanOrEqual(0);
      expect(delays[delays.length >> 1]).toBeLessThan(25);
      // Gaps between arrivals follow the gaps between writes (median: one late wakeup on a
      // busy machine does not decide it).
      const errors = got.slice(1).map((g, i) => Math.abs(g.at - got[i].at - (sent[i + 1] - sent[i])));
      expect(errors.sort((a, b) => a - b)[errors.length >> 1]).toBeLessThan(10);
      expect(result.endAt).toBe(got[3].at);
    });
  }

  it('completes on an empty final response that comes after the last token', async () => {
    const s = await fake({ layout: 'vllm', emptyFinal: true });
    const { result, got } = await collect(client(s.url), 'vllm');
    expect(result.failure).toBeUndefined();
    expect(got.map((g) => [g.text, g.final])).toEqual([['Hel', false], ['lo', false], [' there', false], ['!', false], [undefined, true]]);
    // The request asked for that final response.
    expect(s.calls[0].request?.parameters?.triton_enable_empty_final_response).toMatchObject({ bool_param: true });
  });

  it('runs many streams at once over channels sized to the concurrency', async () => {
    const s = await fake({ layout: 'trtllm', script: { ttftMs: 30, itlMs: 10, tokens: ['a', 'b', 'c'], promptTokens: 1 } });
    const c = client(s.url, { concurrency: 40, streamsPerChannel: 16, readTimeoutMs: 30_000 });
    const all = await Promise.all(Array.from({ length: 40 }, () => collect(c, 'trtllm')));
    expect(all.map((r) => r.result.failure)).toEqual(Array(40).fill(undefined));
    expect(all.map((r) => r.got.length)).toEqual(Array(40).fill(3));
    // 40 streams / 16 per channel = 3 connections, each its own peer port.
    expect(new Set(s.calls.filter((x) => x.method === 'ModelStreamInfer').map((x) => x.peer)).size).toBe(3);
  });

  it('sends the metadata headers, and never puts them in a failure', async () => {
    const s = await fake({ layout: 'vllm' });
    const c = client(s.url, { metadata: { authorization: 'Bearer sk-secret-123', 'X-Team': 'perf' } });
    await collect(c, 'vllm');
    expect(s.calls[0].metadata).toMatchObject({ authorization: 'Bearer sk-secret-123', 'x-team': 'perf' });
    const denied = await collect(c, 'vllm', 'DENY');
    expect(denied.result.failure).toMatchObject({ kind: 'status', codeName: 'UNAUTHENTICATED' });
    expect(JSON.stringify(denied.result)).not.toContain('sk-secret-123');
  });

  it('speaks TLS on grpcs:// with the given root certificate', async () => {
    const dir = path.resolve(import.meta.dirname, '../../fixtures/tls');
    const tls = { key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem')) };
    const s = await fake({ layout: 'vllm', tls });
    expect(s.url).toMatch(/^grpcs:/);
    const ok = await collect(client(s.url, { ca: tls.cert }), 'vllm');
    expect(ok.result.failure).toBeUndefined();
    // Without that root the handshake fails: a network failure, not a crash.
    const untrusted = await collect(client(s.url), 'vllm');
    expect(untrusted.result.failure?.kind).toBe('network');
  });

  it('aborts a stream in flight', async () => {
    const s = await fake({ layout: 'vllm', script: { ttftMs: 20, itlMs: 200, tokens: ['a', 'b', 'c'], promptTokens: 1 } });
    const controller = new AbortController();
    const c = client(s.url);
    const pending = c.stream(request('vllm'), () => controller.abort(), { signal: controller.signal });
    const r = await pending;
    expect(r.failure).toEqual({ kind: 'aborted', message: 'aborted' });
    expect(r.responses).toBe(1);
  });
});

describe('unary RPCs', () => {
  it('answers ServerLive, ModelReady and ModelMetadata', async () => {
    const s = await fake({ layout: 'trtllm', model: 'ensemble' });
    const c = client(s.url);
    expect((await c.serverLive()).value).toBe(true);
    expect((await c.modelReady({ name: 'ensemble' })).value).toBe(true);
    expect((await c.modelReady({ name: 'other' })).value).toBe(false);
    const meta = await c.modelMetadata({ name: 'ensemble' });
    expect(meta.value?.inputs.map((t) => t.name)).toContain('max_tokens');
    expect(meta.value?.inputs[0]).toEqual({ name: 'text_input', datatype: 'BYTES', shape: [-1, 1] });
    const missing = await c.modelMetadata({ name: 'nope' });
    expect(missing.failure).toMatchObject({ kind: 'status', codeName: 'NOT_FOUND', message: "Request for unknown model: 'nope' is not found" });
  });

  it('runs ModelInfer on a model that allows it, and reports the refusal of a decoupled one', async () => {
    const s = await fake({ layout: 'vllm', unary: true, script: { ttftMs: 40, itlMs: 10, tokens: ['x', 'y'], promptTokens: 1 } });
    const r = await client(s.url).infer(request('vllm', 'whole', false));
    expect(r.failure).toBeUndefined();
    expect(readLlmResponse(r.value ?? null).text).toBe('xy');
    expect((r.receivedAt ?? 0) - r.sentAt).toBeGreaterThanOrEqual(40 + 10 - 1);
    const d = await fake({ layout: 'vllm' });
    const refused = await client(d.url).infer(request('vllm', 'whole', false));
    expect(refused.failure).toMatchObject({ kind: 'status', codeName: 'INVALID_ARGUMENT' });
  });
});
