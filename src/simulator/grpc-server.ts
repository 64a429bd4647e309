/**
 * The simulator's gRPC side (`simulate --grpc-port N`): Triton's KServe v2 RPCs over the same
 * batch scheduler, text generator and fault model as the HTTP side, so a sweep can compare the
 * two routes to one server. ModelStreamInfer streams one response per token, decoupled as
 * Triton does it (triton_final_response on the last, an empty final response when asked).
 * Any model name is ready; ModelMetadata declares the TensorRT-LLM ensemble layout for names
 * that mention ensemble, trt or tensorrt, and the vLLM backend layout for every other name.
 * Requests are read in whichever layout they come. Faults: the x-simulator-fault metadata
 * key or fault_rate, as over HTTP: 429 is RESOURCE_EXHAUSTED (with grpc-retry-pushback-ms),
 * 500 INTERNAL, 503 UNAVAILABLE, reset ends the call after `after` tokens with UNAVAILABLE
 * (the status gRPC gives a dropped connection), stall goes silent, malformed sends an unreadable text_output, slow stretches the ITL.
 */
import type { ModelInferRequest, ModelInferResponse, ModelStreamInferResponse } from '../grpc/kserve.js';
import { layoutMetadata, llmResponse, readLlmRequest, type LayoutName, type LlmRequest } from '../grpc/llm-layouts.js';
import type { KserveHandlers, StatusError } from '../grpc/server.js';
import { parameterValue } from '../grpc/tensors.js';
import { Status as status } from '../grpc/wire.js';
import { drawFault, FAULT_HEADER, parseFaultHeader } from './faults.js';
import { realClock, type BatchScheduler } from './latency-model.js';
import type { SimulatorMetrics } from './metrics.js';
import { DEFAULT_MAX_TOKENS } from './request.js';
import { mixSeed, mulberry32 } from '../random.js';
import { countPromptTokens, generate, MAX_OUTPUT_TOKENS } from './text.js';
import type { Fault, RequestLogEntry, SimulatorOptions } from './types.js';

const SERVICE = '/inference.GRPCInferenceService';


/** The layout the simulator declares for a model name. */
export function simulatedLayout(model: string): LayoutName {
  return /ensemble|trt|tensorrt/i.test(model) ? 'trtllm' : 'vllm';
}

export interface GrpcSideOptions {
  options: SimulatorOptions;
  scheduler: BatchScheduler;
  /** The HTTP side's /metrics, so a scrape counts gRPC requests as vLLM's would count any request. */
  metrics?: SimulatorMetrics;
  onRequest?: (entry: RequestLogEntry) => void;
}

export function simulatorGrpcHandlers({ options: opts, scheduler, metrics, onRequest }: GrpcSideOptions): KserveHandlers {
  // Streams of their own, so adding gRPC traffic leaves the HTTP side's draws as they were.
  const faultRandom = mulberry32(mixSeed(opts.seed, 0x6a9c));
  let serial = 0;

  /** The fault for one request: forced by metadata, else drawn with fault_rate. */
  const faultOf = (md: Record<string, string>): Fault | undefined | { error: string } => {
    const drawn = drawFault(faultRandom, opts.fault_rate, opts.faults);
    const forced = md[FAULT_HEADER];
    if (typeof forced !== 'string') return drawn;
    const parsed = parseFaultHeader(forced);
    return parsed.ok ? parsed.fault : { error: parsed.message };
  };

  /**
   * Runs one request through the scheduler; `emit` gets each response to send, `fail` a
   * status error. Returns a cancel function (client gone).
   */
  function serve(
    req: ModelInferRequest,
    read: LlmRequest,
    fault: Fault | undefined,
    arrivedAt: number,
    emit: (res: ModelStreamInferResponse, last: boolean) => void,
    fail: (e: StatusError) => void,
    logEntry: Omit<RequestLogEntry, 'outcome' | 'durationMs'>,
  ): () => void {
    const log = (outcome: RequestLogEntry['outcome'], extra: Partial<RequestLogEntry> = {}) =>
      onRequest?.({ ...logEntry, ...extra, outcome, durationMs: realClock.now() - arrivedAt });
    if (fault && (fault.kind === '429' || fault.kind === '500' || fault.kind === '503')) {
      log('fault', { fault: fault.kind });
      fail(statusFault(fault));
      return () => {};
    }
    const layout = read.layout;
    const maxTokens = intParam(read.params.max_tokens) ?? DEFAULT_MAX_TOKENS;
    if (maxTokens < 1 || maxTokens > MAX_OUTPUT_TOKENS) {
      log('error');
      fail({ code: status.INVALID_ARGUMENT, details: `max_tokens must be between 1 and ${MAX_OUTPUT_TOKENS}, got ${maxTokens}` });
      return () => {};
    }
    const stop = read.params.stop;
    const gen = generate({
      prompt: read.prompt,
      temperature: typeof read.params.temperature === 'number' ? read.params.temperature : 1,
      seed: intParam(read.params.seed) ?? opts.seed,
      maxTokens,
      stopProbability: opts.stop_probability,
      stop: Array.isArray(stop) ? stop.map(String) : typeof stop === 'string' ? [stop] : [],
    });
    const promptTokens = countPromptTokens(read.prompt);
    const n = gen.tokens.length;
    const model = req.model_name;
    const base = { model, version: req.model_version || '1', id: req.id, layout };
    const askedEmpty = parameterValue(read.parameters.triton_enable_empty_final_response) === true;
    const counts = (i: number | 'all') => ({
      finishReason: read.wants.finishReason ? (i === 'all' || i === n - 1 ? gen.finishReason : 'None') : undefined,
      promptTokens: read.wants.inputTokens ? promptTokens : undefined,
      completionTokens: read.wants.outputTokens ? (i === 'all' ? n : 1) : undefined,
    });
    const midStream = fault?.kind === 'reset' || fault?.kind === 'stall' || fault?.kind === 'malformed';
    const strikeAt = midStream ? (read.stream ? Math.min(fault?.after ?? 0, n) : n) : -1;
    let sent = 0;
    const strike = (): void => {
      handle.cancel();
      log('fault', { fault: fault?.kind, completionTokens: sent });
      if (fault?.kind === 'reset') fail({ code: status.UNAVAILABLE, details: 'simulated connection reset' });
      else if (fault?.kind === 'malformed') emit(malformed(model), true);
      // stall: silent until the client gives up.
    };
    /** The model's first token (or its end, with no tokens): TTFT and the prompt are done. */
    const firstToken = (): void => {
      metrics?.observeTtft((realClock.now() - arrivedAt) / 1000);
      metrics?.addPromptTokens(promptTokens);
    };
    const handle = scheduler.submit({
      promptTokens,
      outputTokens: n,
      random: mulberry32(mixSeed(opts.seed, 0x6a9c, ++serial)),
      itlFactor: fault?.kind === 'slow' ? fault.factor : 1,
      arrivedAt,
      // Observed as the HTTP side observes them (server.ts): when they happen.
      onAdmit: () => metrics?.observeQueue((realClock.now() - arrivedAt) / 1000),
      onToken: (index) => {
        if (index === 0) firstToken();
        metrics?.addGenerationTokens(1);
        if (index === strikeAt) return strike();
        sent++;
        if (!read.stream) return;
        const last = index === n - 1;
        emit(llmResponse({ ...base, text: gen.tokens[index], final: last && !askedEmpty, ...counts(index) }), last && !askedEmpty);
      },
      onDone: () => {
        if (n === 0) firstToken();
        if (strikeAt === n) return strike();
        metrics?.observeE2e((realClock.now() - arrivedAt) / 1000);
        metrics?.addSuccess(gen.finishReason);
        log('ok', { completionTokens: n, finishReason: gen.finishReason });
        if (!read.stream) emit(llmResponse({ ...base, text: gen.tokens.join(''), final: !askedEmpty, ...counts('all') }), !askedEmpty);
        else if (n === 0) emit(llmResponse({ ...base, text: '', final: !askedEmpty, ...counts('all') }), !askedEmpty);
        // The end after the last token, marked by an empty response when the client asked for one.
        if (askedEmpty) emit(llmResponse({ ...base, final: true }), true);
      },
    });
    return () => handle.cancel();
  }

  const entry = (method: string, read?: LlmRequest, model?: string) => ({
    method: 'GRPC',
    path: `${SERVICE}/${method}`,
    stream: read?.stream ?? false,
    model,
    promptTokens: read ? countPromptTokens(read.prompt) : undefined,
  });

  return {
    ServerLive: (_call, cb) => cb(null, { live: true }),
    ModelReady: (_call, cb) => cb(null, { ready: true }),
    ModelMetadata: (call, cb) => cb(null, layoutMetadata(call.request.name, simulatedLayout(call.request.name))),
    ModelInfer: (call, cb) => {
      const arrivedAt = call.arrivedAt;
      const read = readLlmRequest(call.request);
      if ('error' in read) return cb({ code: status.INVALID_ARGUMENT, details: read.error });
      const fault = faultOf(call.metadata);
      if (fault && 'error' in fault) return cb({ code: status.INVALID_ARGUMENT, details: fault.error });
      let answered = false;
      const cancel = serve(
        call.request,
        { ...read, stream: false },
        fault,
        arrivedAt,
        (res, last) => {
          if (answered || !last || !res.infer_response) return;
          answered = true;
          cb(null, res.infer_response as ModelInferResponse);
        },
        (e) => {
          answered = true;
          cb(e);
        },
        entry('ModelInfer', read, call.request.model_name),
      );
      call.onCancel(cancel);
    },
    ModelStreamInfer: (call) => {
      let open = 0;
      let requests = 0;
      let ended = false;
      let over = false;
      const cancels = new Set<() => void>();
      const finishOne = (): void => {
        open--;
        if (ended && open === 0 && !over) {
          over = true;
          call.end();
        }
      };
      call.onCancel(() => {
        over = true;
        for (const c of cancels) c();
      });
      call.onHalfClose(() => {
        ended = true;
        if (open === 0 && !over) {
          over = true;
          call.end();
        }
      });
      call.onMessage((req, at) => {
        // A stream's first request came with its headers: time it from their arrival.
        const arrivedAt = open === 0 && requests === 0 ? call.arrivedAt : at;
        requests++;
        open++;
        const read = readLlmRequest(req);
        if ('error' in read) {
          call.write({ error_message: read.error, infer_response: null });
          return finishOne();
        }
        const fault = faultOf(call.metadata);
        if (fault && 'error' in fault) {
          call.write({ error_message: fault.error, infer_response: null });
          return finishOne();
        }
        let done = false;
        const cancel = serve(
          req,
          read,
          fault,
          arrivedAt,
          (res, last) => {
            if (over || done) return;
            call.write(res);
            if (last) {
              done = true;
              cancels.delete(cancel);
              finishOne();
            }
          },
          (e) => {
            if (over) return;
            over = true;
            for (const c of cancels) c();
            call.fail(e);
          },
          entry('ModelStreamInfer', read, req.model_name),
        );
        cancels.add(cancel);
      });
    },
  };
}

function intParam(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
}

function statusFault(fault: Fault): StatusError {
  if (fault.kind === '429') {
    const metadata = { 'grpc-retry-pushback-ms': String(fault.retryAfterS * 1000) };
    return { code: status.RESOURCE_EXHAUSTED, details: 'Simulated rate limit: too many requests', metadata };
  }
  if (fault.kind === '503') return { code: status.UNAVAILABLE, details: 'Simulated overload: the server is unavailable' };
  return { code: status.INTERNAL, details: 'Simulated server error' };
}

/** A response whose text_output claims more bytes than it carries. */
function malformed(model: string): ModelStreamInferResponse {
  return {
    error_message: '',
    infer_response: {
      model_name: model,
      model_version: '1',
      id: '',
      parameters: { triton_final_response: { bool_param: true } },
      outputs: [{ name: 'text_output', datatype: 'BYTES', shape: [1] }],
      raw_output_contents: [Buffer.from([0xff, 0, 0, 0, 0x41])],
    },
  };
}
