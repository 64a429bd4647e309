/**
 * The gRPC transport of the runner: for a GrpcProvider, per cell, a KServe v2 client
 * (grpc/grpc-client.ts) with connections sized to the cell's concurrency. Before a model's
 * first request (once per run) it asks the server whether the model is ready and for its
 * metadata, and binds the provider's codec to it; then every request streams on
 * ModelStreamInfer, each response timed on arrival and folded in by the same DeltaCollector
 * as an SSE event, so TTFT, ITL, latency and attempts mean what they mean over HTTP.
 */
import { createGrpcClient, type GrpcClient, type GrpcFailure } from '../grpc/grpc-client.js';
import type { ModelRef } from '../grpc/kserve.js';
import { Status } from '../grpc/wire.js';
import type { ErrorKind } from '../records/types.js';
import type { GrpcModelCodec, GrpcProvider } from '../providers/types.js';
import type { Target } from '../spec/schema.js';
import { DeltaCollector, emptyResult, type ExchangeResult } from './exchange.js';
import type { OpenTransport } from './transport.js';

export function grpcTransports(provider: GrpcProvider, target: Target, scrub: (text: string) => string): OpenTransport {
  // A model is checked once per run, whichever cell asks first; the outcome is shared.
  const models = new Map<string, Promise<GrpcModelCodec | { problem: string }>>();
  const metadata = { ...(target.api_key ? { authorization: `Bearer ${target.api_key}` } : {}), ...target.headers };
  const clientFor = (concurrency: number) =>
    createGrpcClient({
      url: target.base_url,
      concurrency,
      connectTimeoutMs: target.timeout.connect_ms,
      readTimeoutMs: target.timeout.read_ms,
      retry: target.retry,
      metadata,
      deadlineMs: provider.deadlineMs?.(target),
    });
  return (cell, connections = cell.load.concurrency) => {
    const client = clientFor(connections);
    const model = provider.modelOf(cell, target);
    const key = `${model.name}\0${model.version ?? ''}`;
    let codec: GrpcModelCodec | undefined;
    return {
      async prepare(signal) {
        let pending = models.get(key);
        if (!pending) {
          // On a connection of its own: the cell's first requests connect as they would
          // without this check, so connect_ms means the same in every cell.
          const checker = clientFor(1);
          pending = loadModel(provider, target, checker, model, signal).finally(() => checker.close());
          models.set(key, pending);
        }
        const got = await pending;
        if ('problem' in got) return got.problem;
        codec = got;
        return undefined;
      },
      async send(ctx, signal) {
        if (!codec) throw new Error('grpc transport: send before prepare');
        return streamOne(client, codec, ctx, signal, scrub);
      },
      close: () => client.close(),
    };
  };
}

/** ModelReady, then ModelMetadata, then the provider's codec for the model; or why not. */
async function loadModel(
  provider: GrpcProvider,
  target: Target,
  client: GrpcClient,
  model: ModelRef,
  signal: AbortSignal,
): Promise<GrpcModelCodec | { problem: string }> {
  const url = target.base_url;
  const named = `model '${model.name}'${model.version ? ` version ${model.version}` : ''}`;
  const ready = await client.modelReady(model, { signal });
  if (ready.failure && ready.failure.code !== Status.UNIMPLEMENTED) return { problem: callProblem(url, 'ModelReady', named, ready.failure) };
  if (ready.value === false) {
    return {
      problem:
        `${named} is not ready on ${url} (ModelReady answered false): is it in the model repository and loaded? ` +
        "Triton's log names each model's state; check the model name in params/matrix.",
    };
  }
  const meta = await client.modelMetadata(model, { signal });
  if (meta.failure && meta.failure.code !== Status.UNIMPLEMENTED) return { problem: callProblem(url, 'ModelMetadata', named, meta.failure) };
  return provider.forModel(target, model, meta.value);
}

/** Why a call before the first request failed, in the words fatal.ts uses for HTTP. */
function callProblem(url: string, rpc: string, named: string, f: GrpcFailure): string {
  if (f.unreachable === 'connect-timeout') return `cannot reach ${url}: ${f.message}`;
  if (f.unreachable || f.kind === 'network') return `cannot reach ${url}: ${f.message}. Is the server running, and is base_url right (Triton's gRPC port is 8001)?`;
  if (f.code === Status.UNAUTHENTICATED || f.code === Status.PERMISSION_DENIED) {
    return `${url} refused the call (grpc ${f.codeName}: ${f.message}): the API key or credentials were refused. Check target.api_key and target.headers.`;
  }
  return `${rpc} for ${named} failed on ${url}: ${failureText(f)}`;
}

async function streamOne(
  client: GrpcClient,
  codec: GrpcModelCodec,
  ctx: Parameters<ReturnType<OpenTransport>['send']>[0],
  signal: AbortSignal,
  scrub: (text: string) => string,
): Promise<ExchangeResult> {
  const now = performance.now();
  const result = emptyResult(0, now, now, ctx.stream);
  const built = codec.build({ ...ctx, askUsage: false });
  if (built.problem !== undefined) {
    result.errorKind = 'parse';
    result.error = `parse: ${built.problem}`;
    result.fatal = built.problem;
    return result;
  }
  const collected = new DeltaCollector(result);
  const decode = codec.decoder();
  const r = await client.stream(built.request, (res, at) => collected.add(decode(res), at), { signal });
  result.attempts = r.attempts;
  result.sentAt = r.sentAt;
  result.connectMs = r.connectMs;
  result.text = collected.parts.join('');
  result.endAt = collected.lastContentAt ?? r.endAt;
  if (!ctx.stream) {
    // Asked for one answer: latency to its end, no TTFT or gaps (as a JSON answer over HTTP).
    result.firstTokenAt = undefined;
    result.gaps.length = 0;
    result.endAt = r.endAt;
  }
  const f = r.failure;
  if (!f) {
    result.ok = true;
    return result;
  }
  result.errorKind = errorKindOf(f);
  // The server's words may echo a secret (a key in a prompt, a header): scrubbed whole.
  result.error = scrub(failureText(f));
  result.unreachable = f.unreachable;
  return result;
}

function errorKindOf(f: GrpcFailure): ErrorKind {
  if (f.kind === 'status') return f.code === Status.UNAUTHENTICATED || f.code === Status.PERMISSION_DENIED ? 'auth' : 'grpc';
  return f.kind;
}

/** The row's error text: it starts with its kind, as every error text does (records/columns.ts). */
function failureText(f: GrpcFailure): string {
  switch (f.kind) {
    case 'status':
      return `grpc ${f.codeName}: ${f.message}`;
    case 'stream':
      return `stream error: ${f.message}`;
    default:
      return `${f.kind}: ${f.message}`;
  }
}
