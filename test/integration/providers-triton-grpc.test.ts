/**
 * The real CLI against a fake Triton gRPC server (test/helpers/fake-triton-grpc.ts, on
 * @grpc/grpc-js): both tensor layouts, decoupled streaming, the error rows, retries, the
 * stall past the read timeout, and the bad inputs that stop a run (exit 2 before sending,
 * exit 3 when the server says no). Then grpc:// and http:// to the bundled simulator, as two
 * named targets of one sweep (each cell's transport follows its target).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ModelMetadataResponse } from '../../src/grpc/kserve.js';
import { layoutMetadata } from '../../src/grpc/llm-layouts.js';
import { parseRequestsCsv } from '../../src/results/read-requests.js';
import { startBuiltinSimulator } from '../../src/simulator/spawn.js';
import { runCli, tempDir, writeSpec } from '../helpers/cli.js';
import { startFakeTritonGrpc, type FakeGrpcOptions, type FakeGrpcServer } from '../helpers/fake-triton-grpc.js';
import { DEFAULT_SCRIPT } from '../helpers/fake-wire.js';
import { PROMPTS, row, runOk, runSpec } from '../helpers/provider-suite.js';

const servers: FakeGrpcServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
async function fake(opts: FakeGrpcOptions = {}): Promise<FakeGrpcServer> {
  const s = await startFakeTritonGrpc(opts);
  servers.push(s);
  return s;
}

function spec(url: string, extra: { target?: string; params?: string; matrix?: string; prompts?: string; retry?: string; readMs?: number } = {}): string {
  return `name: t
target:
  provider: triton-grpc
  base_url: ${url}
  retry: ${extra.retry ?? '{ retries: 0 }'}
  timeout: { connect_ms: 2000, read_ms: ${extra.readMs ?? 2000} }
${extra.target ?? ''}
prompts: ${extra.prompts ?? PROMPTS}
params: ${extra.params ?? '{ model: m, max_tokens: 8 }'}
matrix:
${extra.matrix ?? '  stream: [true, false]'}
repeat: 1
`;
}

const lastToken = DEFAULT_SCRIPT.ttftMs + (DEFAULT_SCRIPT.tokens.length - 1) * DEFAULT_SCRIPT.itlMs;

describe('provider triton-grpc against a fake Triton', () => {
  it('vLLM backend (detected from metadata): streamed and whole, token counts from the model, error rows', async () => {
    const s = await fake({ layout: 'vllm' });
    const r = await runOk(spec(s.url));
    expect(r.rows).toHaveLength(6);
    for (const stream of [true, false]) {
      const ok = row(r.rows, stream, 0);
      expect(ok).toMatchObject({ status: 'ok', attempts: 1, finish_reason: 'length', prompt_tokens: 7, completion_tokens: 4, tokens_source: 'usage' });
      expect(ok.http_status).toBeUndefined();
      expect(ok.latency_ms!).toBeGreaterThanOrEqual(lastToken - 1);
      expect(ok.latency_ms!).toBeLessThan(lastToken + 3000);
      if (stream) {
        expect(ok.ttft_ms!).toBeGreaterThanOrEqual(DEFAULT_SCRIPT.ttftMs - 1);
        expect(ok.ttft_ms!).toBeLessThanOrEqual(ok.latency_ms!);
        expect(ok.itl_p50_ms).toBeDefined();
      } else expect(ok.ttft_ms).toBeUndefined();
      expect(row(r.rows, stream, 1)).toMatchObject({ status: 'error', error_kind: 'stream', error: "stream error: in ensemble 'm', the request failed" });
    }
    expect(row(r.rows, true, 2)).toMatchObject({ status: 'error', error_kind: 'stream', error: 'stream error: CUDA out of memory' });
    // The request as the vLLM backend wants it.
    const call = s.calls.find((c) => c.method === 'ModelStreamInfer' && c.read && 'prompt' in c.read && c.read.prompt === 'Say hello.' && c.read.stream);
    expect(call?.read).toMatchObject({ layout: 'vllm', params: { max_tokens: 8 }, wants: { finishReason: true, inputTokens: true, outputTokens: true } });
    expect(s.calls.filter((c) => c.method === 'ModelReady')).toHaveLength(1); // once per run, not per cell
  });

  it('TensorRT-LLM ensemble (detected): one tensor per param, no counts so tokens are estimated', async () => {
    const s = await fake({ layout: 'trtllm', emptyFinal: true });
    const r = await runOk(spec(s.url, { params: '{ model: ensemble, max_tokens: 8, temperature: 0.5, stop: ["\\n\\n"] }', prompts: '["Say hello."]' }));
    for (const x of r.rows) {
      expect(x).toMatchObject({ status: 'ok', tokens_source: 'estimate', completion_tokens: 3 });
      expect(x.finish_reason).toBeUndefined();
    }
    const streamed = r.rows.find((x) => x.params.stream === true)!;
    expect(streamed.ttft_ms!).toBeGreaterThanOrEqual(DEFAULT_SCRIPT.ttftMs - 1);
    const req = s.calls.find((c) => c.method === 'ModelStreamInfer')!.request!;
    expect(req.inputs.map((t) => [t.name, t.datatype, t.shape])).toEqual([
      ['text_input', 'BYTES', [1, 1]],
      ['stream', 'BOOL', [1, 1]],
      ['max_tokens', 'INT32', [1, 1]],
      ['temperature', 'FP32', [1, 1]],
      ['stop_words', 'BYTES', [1, 1]],
    ]);
  });

  it('UNAVAILABLE then success is retried (503 is in retry.on); a stall past read_ms is a timeout row', async () => {
    const s = await fake({ layout: 'vllm', script: { ...DEFAULT_SCRIPT, ttftMs: 20, itlMs: 10 } });
    const r = await runSpec(
      spec(s.url, {
        prompts: '["UNAVAILABLE first", "STALL after one token"]',
        matrix: '  stream: [true]',
        retry: '{ retries: 3, backoff_ms: 10, max_backoff_ms: 50 }',
        readMs: 400,
      }),
    );
    expect(r.code).toBe(0);
    expect(row(r.rows, true, 0)).toMatchObject({ status: 'ok', attempts: 3 });
    expect(row(r.rows, true, 1)).toMatchObject({ status: 'error', error_kind: 'timeout', error: 'timeout: no data for 400 ms (read timeout)', attempts: 1 });
  });

  it('sends the api key as authorization metadata, and never writes it anywhere', async () => {
    const s = await fake({ layout: 'vllm' });
    const r = await runOk(spec(s.url, { target: '  api_key: ${TRITON_KEY}\n  headers: { x-team: perf }', prompts: '["Say hello."]', matrix: '  stream: [true]' }), {
      TRITON_KEY: 'sk-grpc-secret-42',
    });
    expect(s.calls.find((c) => c.method === 'ModelStreamInfer')!.metadata).toMatchObject({ authorization: 'Bearer sk-grpc-secret-42', 'x-team': 'perf' });
    for (const f of readdirSync(r.out)) expect(readFileSync(join(r.out, f), 'utf8')).not.toContain('sk-grpc-secret-42');
  });

  it('speaks TLS on grpcs://, trusting a private CA through NODE_EXTRA_CA_CERTS', async () => {
    const tlsDir = join(import.meta.dirname, '../fixtures/tls');
    const tls = { key: readFileSync(join(tlsDir, 'key.pem')), cert: readFileSync(join(tlsDir, 'cert.pem')) };
    const s = await fake({ layout: 'vllm', tls });
    const url = s.url.replace('127.0.0.1', 'localhost');
    const r = await runOk(spec(url, { prompts: '["Say hello."]', matrix: '  stream: [true]' }), { NODE_EXTRA_CA_CERTS: join(tlsDir, 'cert.pem') });
    expect(r.rows[0]).toMatchObject({ status: 'ok', completion_tokens: 4 });
    // Without the CA the handshake fails: an unreachable server, exit 3, with the reason.
    const untrusted = await runSpec(spec(url, { prompts: '["Say hello."]', matrix: '  stream: [true]' }));
    expect(untrusted.code).toBe(3);
    expect(untrusted.stderr).toMatch(/cannot reach grpcs:\/\/localhost:\d+: TLS: /);
  });
});

describe('triton-grpc: bad input', () => {
  it('grpc:// with a REST provider, and http:// with triton-grpc, are spec errors (exit 2)', async () => {
    const rest = writeSpec('name: a\ntarget:\n  provider: triton\n  base_url: grpc://localhost:8001\nprompts: ["x"]\nparams: { model: m }\nrequests: 1\n');
    const a = await runCli(['run', rest]);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/spec\.yaml:4:13: target\.base_url: grpc:\/\/ and grpcs:\/\/ are for provider: triton-grpc/);
    const http = writeSpec('name: b\ntarget:\n  provider: triton-grpc\n  base_url: http://localhost:8000\nprompts: ["x"]\nparams: { model: m }\nrequests: 1\n');
    const b = await runCli(['validate', http]);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain("triton-grpc speaks gRPC: base_url is grpc://host:8001 (grpcs:// for TLS); for Triton's HTTP port use provider: triton");
    expect(a.stderr + b.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('a model Triton reports not ready stops the run (exit 3) with its name', async () => {
    const s = await fake({ layout: 'vllm', ready: false });
    const r = await runSpec(spec(s.url, { params: '{ model: llama3, max_tokens: 8 }' }));
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`model 'llama3' is not ready on ${s.url} (ModelReady answered false)`);
    expect(s.calls.some((c) => c.method === 'ModelStreamInfer')).toBe(false);
  });

  it('a capacity search over gRPC checks the model before its first step', async () => {
    const search = (url: string) =>
      spec(url, { params: '{ model: llama3, max_tokens: 4 }', matrix: '  stream: [true]', prompts: '["Say hello."]' }).replace(
        'repeat: 1\n',
        'search: { over: concurrency, min: 1, max: 2, requests_per_step: 4, slo: { ttft_ms: 60000 }, attainment: 0.5, confidence: 0.5 }\n',
      );
    const down = await fake({ layout: 'vllm', ready: false });
    const refused = await runSpec(search(down.url));
    expect(refused.code, refused.stderr).toBe(3);
    expect(refused.stderr).toContain("model 'llama3' is not ready");
    expect(down.calls.some((c) => c.method === 'ModelStreamInfer')).toBe(false);
    const up = await fake({ layout: 'vllm' });
    const r = await runOk(search(up.url));
    expect(r.rows.length).toBeGreaterThan(0);
    expect(r.rows.every((x) => x.status === 'ok')).toBe(true);
  });

  it("a tensor the layout needs that the model lacks stops the run, naming the model's inputs", async () => {
    const meta: ModelMetadataResponse = { ...layoutMetadata('ens', 'trtllm'), inputs: [{ name: 'INPUT_0', datatype: 'BYTES', shape: [-1, 1] }, { name: 'max_tokens', datatype: 'INT32', shape: [-1, 1] }] };
    const s = await fake({ layout: 'trtllm', metadata: meta, names: { text_input: 'INPUT_0', text_output: 'text_output' } });
    const r = await runSpec(spec(s.url, { params: '{ model: ens, max_tokens: 8 }' }));
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("model 'ens' has no input tensor 'text_input', which the trtllm layout needs; its inputs: INPUT_0 (BYTES), max_tokens (INT32)");
    // Named right, it runs.
    const ok = await runOk(spec(s.url, { params: '{ model: ens, max_tokens: 8 }', target: '  triton: { text_input: INPUT_0 }', prompts: '["Say hello."]', matrix: '  stream: [true]' }));
    expect(ok.rows[0].status).toBe('ok');
  });

  it('a param the model has no tensor for stops the run, naming the tensor and the inputs', async () => {
    const s = await fake({ layout: 'trtllm' });
    const r = await runSpec(spec(s.url, { params: '{ model: ensemble, max_tokens: 8, mirostat: 2 }', prompts: '["Say hello."]', matrix: '  stream: [true]' }));
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/model 'ensemble' has no input tensor 'mirostat'; its inputs: text_input \(BYTES\), max_tokens \(INT32\)/);
  });

  it('an unreachable port exits 3, as over HTTP', async () => {
    const r = await runSpec(spec('grpc://127.0.0.1:9', { retry: '{ retries: 1, backoff_ms: 5 }' }));
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('cannot reach grpc://127.0.0.1:9: connection refused (ECONNREFUSED)');
  });

  it('refused credentials exit 3 with the fix', async () => {
    const s = await fake({ layout: 'vllm' });
    const r = await runSpec(spec(s.url, { prompts: '["DENY me"]', matrix: '  stream: [true]' }));
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('the API key or credentials were refused');
  });
});

describe('grpc:// and http:// to the bundled simulator, as two named targets of one sweep', () => {
  const model = { ttft_ms: 100, prefill_ms_per_token: 0, itl_ms: 10, jitter: 0, max_batch: 64, batch_slowdown: 0, stop_probability: 0 };
  /** The simulator's HTTP route (its OpenAI API) and its gRPC route (KServe v2), side by side. */
  const twoRoutes = (http: string, grpc: string, extra = '') => `name: routes
targets:
  http: { provider: openai-chat, base_url: ${http}${extra} }
  grpc: { provider: triton-grpc, base_url: ${grpc}${extra} }
prompts: ["Benchmark fidelity check."]
params: { model: sim, max_tokens: 16 }
matrix: { concurrency: [16] }
requests: 64
warmup: 16
`;
  interface Doc {
    cells: { cell: string; ttft_ms: { p50: number }; requests: number; errors: number }[];
    targets: { groups: { rows: { target: string }[] }[] };
  }
  const run = async (yaml: string) => {
    const dir = tempDir();
    const out = join(dir, 'out');
    const r = await runCli(['run', writeSpec(yaml, dir), '--out', out, '--quiet', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as Doc;
    const runJson = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as { target_urls: Record<string, string> };
    const rows = parseRequestsCsv(readFileSync(join(out, 'requests.csv'), 'utf8')).records;
    return { doc, runJson, rows };
  };
  /** Each route's TTFT p50: at least the configured 100 ms (a token is never early), and the two apart by little. */
  const expectSameTtft = (doc: Doc) => {
    expect(doc.cells.map((c) => c.cell)).toEqual(['target=http,c=16', 'target=grpc,c=16']);
    for (const c of doc.cells) expect([c.requests, c.errors]).toEqual([64, 0]);
    const [http, grpc] = doc.cells.map((c) => c.ttft_ms.p50);
    expect(http).toBeGreaterThanOrEqual(99);
    expect(grpc).toBeGreaterThanOrEqual(99);
    expect(Math.abs(grpc - http), `TTFT p50 http ${http} ms, grpc ${grpc} ms`).toBeLessThan(25);
    expect(doc.targets.groups[0].rows.map((x) => x.target)).toEqual(['http', 'grpc']);
  };

  it('base_url: builtin for both: each target reached by its own transport, the same TTFT at concurrency 16', { retry: 2 }, async () => {
    // metrics: auto on both: the gRPC target's metrics come from its simulator's HTTP side.
    const { doc, runJson, rows } = await run(twoRoutes('builtin', 'builtin', `, simulator: ${JSON.stringify(model)}, metrics: auto`));
    expect(runJson.target_urls.http).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect(runJson.target_urls.grpc).toMatch(/^grpc:\/\/127\.0\.0\.1:\d+$/);
    // Every row of the gRPC target went over gRPC (no HTTP status), every HTTP row has one.
    const byTarget = (name: string) => rows.filter((x) => x.params.target === name);
    expect(byTarget('http').map((x) => x.http_status)).toEqual(Array(64).fill(200));
    expect(byTarget('grpc').map((x) => x.http_status)).toEqual(Array(64).fill(undefined));
    expectSameTtft(doc);
    const withMetrics = doc.cells.map((c) => (c as { server_metrics?: unknown }).server_metrics !== undefined);
    expect(withMetrics).toEqual([true, true]);
  });

  it('one simulator, its HTTP and gRPC ports as the two targets: the same TTFT at concurrency 16', { retry: 2 }, async () => {
    const one = await startBuiltinSimulator(model, { grpcPort: 0 });
    try {
      const { doc, runJson } = await run(twoRoutes(one.baseUrl, one.grpcUrl!));
      expect(runJson.target_urls).toEqual({ http: one.baseUrl, grpc: one.grpcUrl });
      expectSameTtft(doc);
    } finally {
      await one.stop();
    }
  });
});
