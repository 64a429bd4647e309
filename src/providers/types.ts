/**
 * providers/: one file per API family. A provider knows how to build a request for a
 * cell and prompt, and how to read the answer (a JSON body, or the events of a stream)
 * into deltas. It never sends anything itself (http-client.ts does), never times anything
 * (runner/exchange.ts does) and never prints.
 */
import type { Cell, Prompt } from '../plan/types.js';
import type { ProviderKind, Target } from '../spec/schema.js';

export interface ProviderRequest {
  /** Full URL. */
  url: string;
  headers: Record<string, string>;
  /** JSON body. */
  body: unknown;
}

export interface BuildContext {
  target: Target;
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
  /** The stream's own end marker (OpenAI `[DONE]`, Anthropic `message_stop`, Ollama `done`). */
  done?: boolean;
  /** Server-side timings or extras worth keeping (e.g. Ollama's eval_duration), ms or raw. */
  serverTimings?: Record<string, number>;
}

/** A whole non-streamed answer. */
export interface Completion {
  text: string;
  reasoning?: string;
  usage?: Usage;
  finishReason?: string;
  serverTimings?: Record<string, number>;
}

export type StreamFraming = 'sse' | 'ndjson';

export interface StreamEvent {
  /** SSE `event:` field; undefined for NDJSON. */
  event?: string;
  /** SSE data (lines joined with \n) or one NDJSON line. */
  data: string;
}

export interface Provider {
  kind: ProviderKind;
  framing: StreamFraming;
  build(ctx: BuildContext): ProviderRequest;
  /** A decoder for one response stream; it may keep state across events. Throws on unparsable data. */
  streamDecoder(): (ev: StreamEvent) => StreamDelta | undefined;
  /** Reads a non-streamed JSON body. Throws on a body it cannot read. */
  parseResponse(body: unknown): Completion;
  /** A short message from an error body (JSON or text). */
  errorMessage(status: number, bodyText: string): string;
  /** True when a 4xx says the server does not accept our ask for stream usage. */
  rejectsUsageOption?(status: number, bodyText: string): boolean;
  /**
   * Problems with the cells' parameters that this provider cannot send (validate time),
   * each naming the key; e.g. an axis the API has no field for.
   */
  checkParams?(keys: readonly string[]): string[];
}
