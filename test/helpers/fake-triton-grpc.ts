/**
 * A fake Triton KServe v2 gRPC server on @grpc/grpc-js (grpc-js-server.ts):
 * ServerLive, ModelReady, ModelMetadata (declaring the TensorRT-LLM ensemble or the vLLM
 * backend layout), ModelInfer and ModelStreamInfer with decoupled streaming as Triton does
 * it: one response per token, raw_output_contents, triton_final_response on every response
 * (the last token's, or an empty one after it with `emptyFinal`). Tokens go out on absolute
 * deadlines (arrival + ttft + i * itl), and the time each response was handed to grpc-js is
 * kept in `sent`, so tests compare what the client measured with what the server did.
 *
 * Scripted by prompt text:
 *   FAIL        -> an error_message as the first (only) response
 *   BREAK       -> one token, then an error_message
 *   UNAVAILABLE -> status UNAVAILABLE for the first two calls with this prompt, then success
 *   EXHAUSTED   -> status RESOURCE_EXHAUSTED once (with grpc-retry-pushback-ms: 0), then success
 *   STALL       -> one token, then silence until the client gives up
 *   DENY        -> status UNAUTHENTICATED
 */
import { performance } from 'node:perf_hooks';
import { Metadata, status, type ServerDuplexStream } from '@grpc/grpc-js';
import type { ModelInferRequest, ModelMetadataResponse, ModelStreamInferResponse } from '../../src/grpc/kserve.js';
import { layoutMetadata, llmResponse, readLlmRequest, type LayoutName, type LlmRequest, type TensorNames } from '../../src/grpc/llm-layouts.js';
import { parameterValue } from '../../src/grpc/tensors.js';
import { DEFAULT_SCRIPT, type TokenScript } from './fake-wire.js';
import { startGrpcJsServer } from './grpc-js-server.js';

export interface FakeGrpcOptions {
  script?: TokenScript;
  layout?: LayoutName;
  /** Model name the server knows; others get NOT_FOUND from ModelMetadata. Default: any name. */
  model?: string;
  /** Metadata to declare instead of the layout's (a model with other tensor names). */
  metadata?: ModelMetadataResponse;
  /** The text tensors' names, when the model calls them otherwise. */
  names?: TensorNames;
  /** ModelReady's answer; default true. */
  ready?: boolean;
  /** Mark the end with an extra empty response instead of flagging the last token's. */
  emptyFinal?: boolean;
  /** Serve grpcs:// with this key pair. */
  tls?: { key: Buffer; cert: Buffer };
  /** Answer ModelInfer; by default it is refused, as Triton refuses it for decoupled models. */
  unary?: boolean;
}

export interface SeenGrpcCall {
  method: string;
  /** The client's address:port: one per connection. */
  peer: string;
  /** Metadata the client sent (lower-case keys). */
  metadata: Record<string, string>;
  request?: ModelInferRequest;
  /** The request as a server reads it (or the reason it cannot). */
  read?: LlmRequest | { error: string };
}

export interface FakeGrpcServer {
  url: string;
  port: number;
  calls: SeenGrpcCall[];
  /** performance.now() at which each response of each inference call was written, by call. */
  sent: number[][];
  close(): Promise<void>;
}

const UNAVAILABLE_TIMES = 2;

export async function startFakeTritonGrpc(opts: FakeGrpcOptions = {}): Promise<FakeGrpcServer> {
  const script = opts.script ?? DEFAULT_SCRIPT;
  const layout = opts.layout ?? 'vllm';
  const calls: SeenGrpcCall[] = [];
  const sent: number[][] = [];
  const failures = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  const known = (name: string) => opts.model === undefined || opts.model === name;

  const seen = (method: string, from: { metadata: Metadata; getPeer(): string }, request?: ModelInferRequest): SeenGrpcCall => {
    const metadata: Record<string, string> = {};
    for (const [k, v] of Object.entries(from.metadata.getMap())) metadata[k] = String(v);
    const call: SeenGrpcCall = { method, peer: from.getPeer(), metadata, request, read: request ? readLlmRequest(request, opts.names) : undefined };
    calls.push(call);
    return call;
  };

  /** A status error for this prompt, if its script asks for one now. */
  const statusFor = (prompt: string): { code: number; details: string; metadata?: Metadata } | undefined => {
    const n = failures.get(prompt) ?? 0;
    if (prompt.includes('DENY')) return { code: status.UNAUTHENTICATED, details: 'missing or bad credentials' };
    if (prompt.includes('UNAVAILABLE') && n < UNAVAILABLE_TIMES) {
      failures.set(prompt, n + 1);
      return { code: status.UNAVAILABLE, details: 'Server is not ready yet' };
    }
    if (prompt.includes('EXHAUSTED') && n < 1) {
      failures.set(prompt, n + 1);
      const md = new Metadata();
      md.set('grpc-retry-pushback-ms', '0');
      return { code: status.RESOURCE_EXHAUSTED, details: 'too many requests in flight', metadata: md };
    }
    return undefined;
  };

  const later = (fn: () => void, at: number): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, Math.max(0, at - performance.now()));
    timers.add(timer);
  };

  const server = await startGrpcJsServer(
    {
      ServerLive: (call, cb) => {
        seen('ServerLive', call);
        cb(null, { live: true });
      },
      ModelReady: (call, cb) => {
        seen('ModelReady', call);
        cb(null, { ready: (opts.ready ?? true) && known(call.request.name) });
      },
      ModelMetadata: (call, cb) => {
        seen('ModelMetadata', call);
        const name = call.request.name;
        if (!known(name)) return cb({ code: status.NOT_FOUND, details: `Request for unknown model: '${name}' is not found` });
        cb(null, opts.metadata ?? layoutMetadata(name, layout));
      },
      ModelInfer: (call, cb) => {
        const c = seen('ModelInfer', call, call.request);
        if (!opts.unary) {
          return cb({ code: status.INVALID_ARGUMENT, details: "ModelInfer RPC doesn't support models with decoupled transaction policy" });
        }
        const read = c.read as LlmRequest | { error: string };
        if ('error' in read) return cb({ code: status.INVALID_ARGUMENT, details: read.error });
        const err = statusFor(read.prompt);
        if (err) return cb(err);
        const times: number[] = [];
        sent.push(times);
        later(() => {
          times.push(performance.now());
          const res = llmResponse({ model: call.request.model_name, text: script.tokens.join(''), final: true, layout, ...counts(read, 'all') });
          cb(null, res.infer_response as NonNullable<ModelStreamInferResponse['infer_response']>);
        }, performance.now() + script.ttftMs + (script.tokens.length - 1) * script.itlMs);
      },
      ModelStreamInfer: (call: ServerDuplexStream<ModelInferRequest, ModelStreamInferResponse>) => {
        let open = 0;
        let ended = false;
        let cancelled = false;
        call.on('cancelled', () => (cancelled = true));
        const done = () => {
          open--;
          if (ended && open === 0 && !cancelled) call.end();
        };
        call.on('end', () => {
          ended = true;
          if (open === 0 && !cancelled) call.end();
        });
        call.on('data', (req: ModelInferRequest) => {
          open++;
          const arrived = performance.now();
          const c = seen('ModelStreamInfer', call, req);
          const read = c.read as LlmRequest | { error: string };
          const times: number[] = [];
          sent.push(times);
          const write = (res: ModelStreamInferResponse) => {
            if (cancelled) return;
            times.push(performance.now());
            call.write(res);
          };
          if ('error' in read) {
            write({ error_message: read.error, infer_response: null });
            return done();
          }
          const err = statusFor(read.prompt);
          if (err) {
            cancelled = true;
            call.emit('error', err);
            return;
          }
          const model = req.model_name;
          // Triton sends the empty final response only to a client that asked for it.
          const emptyFinal = opts.emptyFinal === true;
          const askedEmpty = parameterValue(read.parameters.triton_enable_empty_final_response) === true;
          const n = script.tokens.length;
          const chunks = read.stream ? script.tokens : [script.tokens.join('')];
          const at = (i: number) => arrived + script.ttftMs + (read.stream ? i : n - 1) * script.itlMs;
          if (read.prompt.includes('FAIL')) {
            later(() => {
              write({ error_message: `in ensemble '${model}', the request failed`, infer_response: null });
              done();
            }, at(0));
            return;
          }
          // One token at a time, each timer set by the one before: timers of different
          // durations may fire out of order on a busy loop, tokens must not.
          const step = (i: number): void => {
            later(() => {
              const text = chunks[i];
              const last = i === chunks.length - 1;
              if (i === 1 && read.prompt.includes('BREAK')) {
                write({ error_message: 'CUDA out of memory', infer_response: null });
                return done();
              }
              if (i === 1 && read.prompt.includes('STALL')) return; // silent from here on
              write(llmResponse({ model, id: req.id, text, final: last && !emptyFinal, layout, names: opts.names, ...counts(read, read.stream ? i : 'all') }));
              if (last && emptyFinal && askedEmpty) write(llmResponse({ model, id: req.id, final: true, layout }));
              if (last) done();
              else step(i + 1);
            }, at(i));
          };
          step(0);
        });
      },
    },
    { tls: opts.tls },
  );

  /** The vLLM backend's extra outputs, when asked: per response, or for the whole answer. */
  function counts(read: LlmRequest, i: number | 'all'): { finishReason?: string; promptTokens?: number; completionTokens?: number } {
    const last = i === 'all' || i === script.tokens.length - 1;
    return {
      // The vLLM backend sends str(None) until the sequence finishes.
      finishReason: read.wants.finishReason ? (last ? (script.finishReason ?? 'length') : 'None') : undefined,
      promptTokens: read.wants.inputTokens ? script.promptTokens : undefined,
      completionTokens: read.wants.outputTokens ? (i === 'all' ? script.tokens.length : 1) : undefined,
    };
  }

  return {
    url: server.url,
    port: server.port,
    calls,
    sent,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      await server.close();
    },
  };
}
