/**
 * providers/: one file per API family. A provider file holds everything about its API:
 * its target schema (the spec's `target:` when `provider:` names it), its parameter table,
 * where base_url points, the units of its parameters, how to build a request for a cell
 * and prompt, and how to read the answer (a JSON body, or the events of a stream) into
 * deltas. It never sends anything itself (the transport, http/client.ts, does), never times anything
 * (runner/exchange.ts does) and never prints. index.ts maps each name to its provider.
 * Most providers speak HTTP (`Provider`); a `GrpcProvider` speaks KServe v2 gRPC, and the
 * runner gives it the gRPC transport (runner/grpc-exchange.ts) instead.
 */
import type { z } from 'zod';
import type { ModelInferRequest, ModelMetadataResponse, ModelRef, ModelStreamInferResponse } from '../grpc/kserve.js';
import type { Cell, Prompt } from '../plan/types.js';
import type { TargetBase } from '../spec/target.js';

export interface ProviderRequest {
  /** Full URL. */
  url: string;
  headers: Record<string, string>;
  /** JSON body (or, from the runner, that body already encoded as UTF-8 JSON). */
  body: unknown;
}

export interface BuildContext<T extends TargetBase = TargetBase> {
  target: T;
  cell: Cell;
  prompt: Prompt;
  stream: boolean;
  /** False once the endpoint has rejected `stream_options.include_usage`. */
  askUsage: boolean;
}

export interface Usage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
}

/**
 * What the server itself reported about one request, in its body or headers (llama.cpp's
 * `timings`, Ollama's durations, TGI's `x-*-time` headers, cached-token counts). Each field
 * only when the server sent it; docs/metrics.md says which servers send what.
 */
export interface ServerReport {
  /** Waited on the server before it started on the prompt, ms: TGI's queue time, Ollama's model load. */
  queue_ms?: number;
  /** Prompt processing (prefill), ms. */
  prefill_ms?: number;
  /** Token generation (decode), ms. */
  decode_ms?: number;
  /** The server's whole time for the request, ms (TGI, Ollama). */
  total_ms?: number;
  /** Prompt tokens served from the server's prefix cache. */
  cached_tokens?: number;
}

/** Response headers, names in lower case. */
export type ResponseHeaders = Readonly<Record<string, string>>;

/** What one stream event (an SSE event or an NDJSON line) contributed. */
export interface StreamDelta {
  /** Output text in this event (may be empty). */
  text?: string;
  /** Reasoning/thinking text; counts as output for TTFT. */
  reasoning?: string;
  /** Usage fields carried by this event; merged into what came before. */
  usage?: Usage;
  finishReason?: string;
  /** An error reported inside a 2xx stream. */
  error?: string;
  /**
   * The HTTP status the error stands for, when it says one (see stream-error.ts): before
   * any content, it is retried like that status.
   */
  errorStatus?: number;
  /** The stream's own end marker (OpenAI `[DONE]`, Anthropic `message_stop`, Ollama `done`). */
  done?: boolean;
  /** Server-side timings or extras worth keeping (e.g. Ollama's eval_duration), ms or raw. */
  serverTimings?: Record<string, number>;
  /** The server's own report, merged field by field into what came before. */
  server?: ServerReport;
}

/** A whole non-streamed answer. */
export interface Completion {
  text: string;
  reasoning?: string;
  usage?: Usage;
  finishReason?: string;
  serverTimings?: Record<string, number>;
  server?: ServerReport;
}

/** How a stream is framed; 'none' for an endpoint that never streams (the answer is read whole). */
export type StreamFraming = 'sse' | 'ndjson' | 'none';

export interface StreamEvent {
  /** SSE `event:` field; undefined for NDJSON. */
  event?: string;
  /** SSE data (lines joined with \n) or one NDJSON line. */
  data: string;
}

/** What every provider declares, whatever its transport. */
export interface ProviderInfo<K extends string = string, T extends TargetBase = TargetBase> {
  /** The spec's `provider:` value. */
  kind: K;
  /** The spec's `target:` for this provider: the common settings (spec/target.ts) and its own. */
  target: z.ZodType<T>;
  /**
   * What base_url is, as the vendor's SDK has it: the API root ending in /v1, or the server
   * root (validate warns about the other); undefined when the URL has no fixed shape.
   */
  baseUrl: 'v1' | 'root' | undefined;
  /** The endpoint paths it appends to base_url (at their end), for the check that base_url does not already end in one. */
  paths: readonly string[];
  /** Body keys that cap the output tokens ('options.num_predict': a nested one), for the plan's max_tokens budget. */
  maxTokens: readonly string[];
  /** True when the bundled simulator can answer it (its OpenAI API, Triton's generate extension, or its gRPC port). */
  simulator?: boolean;
  /** Units of the body parameters that have one (max_tokens: tokens), for report axis titles. */
  units: Readonly<Record<string, string>>;
  /**
   * Problems with one cell's body parameters (its params and matrix keys, load keys left
   * out) that this provider cannot send, found at validate time: an axis the API has no
   * field for, a field the API requires.
   */
  checkParams?(keys: readonly string[], target: T): ParamProblem[];
}

/** A provider whose API is HTTP: the runner sends what `build` makes with http/client.ts. */
export interface Provider<K extends string = string, T extends TargetBase = TargetBase> extends ProviderInfo<K, T> {
  transport?: 'http';
  framing: StreamFraming;
  build(ctx: BuildContext<T>): ProviderRequest;
  /**
   * A decoder for one response stream (whose headers are given); it may keep state across
   * events. Throws on unparsable data.
   */
  streamDecoder(headers?: ResponseHeaders): (ev: StreamEvent) => StreamDelta | undefined;
  /** Reads a non-streamed JSON body (and its headers). Throws on a body it cannot read. */
  parseResponse(body: unknown, headers?: ResponseHeaders): Completion;
  /** A short message from an error body (JSON or text). */
  errorMessage(status: number, bodyText: string): string;
  /** True when a 4xx says the server does not accept our ask for stream usage. */
  rejectsUsageOption?(status: number, bodyText: string): boolean;
  /**
   * A copy bound to the target, for providers whose wire format the target configures
   * (http's template and paths, triton's field names). Others need not implement it.
   */
  configure?(target: T): Provider<K, T>;
}

/**
 * A provider whose API is KServe v2 gRPC: the runner's gRPC transport asks the server about
 * each model (ModelReady, ModelMetadata), binds the codec to it, and streams every request
 * on ModelStreamInfer, timing each response on arrival as it times SSE events.
 */
export interface GrpcProvider<K extends string = string, T extends TargetBase = TargetBase> extends ProviderInfo<K, T> {
  transport: 'grpc';
  /** The model a cell calls (its name and version), from the cell's params and the target. */
  modelOf(cell: Cell, target: T): ModelRef;
  /**
   * The codec for one model, given its metadata (undefined when the server does not answer
   * ModelMetadata), or why the run cannot use the model (a tensor it needs is missing).
   */
  forModel(target: T, model: ModelRef, metadata: ModelMetadataResponse | undefined): GrpcModelCodec<T> | { problem: string };
  /** The gRPC deadline of every call, ms, when the target sets one. */
  deadlineMs?(target: T): number | undefined;
}

/** Requests for, and responses of, one model. */
export interface GrpcModelCodec<T extends TargetBase = TargetBase> {
  /** The request for one prompt of a cell, or why it cannot be sent (the run stops). */
  build(ctx: BuildContext<T>): { request: ModelInferRequest; problem?: undefined } | { problem: string; request?: undefined };
  /** A decoder for one call's responses; it may keep state (token counts). Throws on one it cannot read. */
  decoder(): (res: ModelStreamInferResponse) => StreamDelta;
}

/** Any provider: the map holds both kinds. */
export type AnyProvider<K extends string = string, T extends TargetBase = TargetBase> = Provider<K, T> | GrpcProvider<K, T>;

/** One problem `checkParams` found. */
export interface ParamProblem {
  /** The params/matrix key at fault; the message is reported at its position. */
  key?: string;
  /** Otherwise, the spec path to report at (e.g. ['target', 'http', 'body']); the spec's params when neither is given. */
  at?: readonly (string | number)[];
  message: string;
}
