/**
 * simulator/: the bundled OpenAI-compatible server that `llm-sweep simulate` and
 * `base_url: builtin` start. It serves /v1/chat/completions, /v1/completions, /v1/models and
 * /health, streaming (SSE) and not, with a continuous-batching latency model
 * (latency-model.ts), deterministic word-token text (text.ts) and injectable faults
 * (faults.ts). server.ts runs it in-process; spawn.ts runs it as a child process (child.ts)
 * for the runner. Nothing here prints: the CLI reports through the `onRequest` hook.
 */
import type { FaultKind, SimulatorOptions } from '../spec/target.js';

export type { FaultKind, SimulatorOptions };

/** The part of the options that drives the batch scheduler. */
export type LatencyParams = Pick<
  SimulatorOptions,
  'ttft_ms' | 'prefill_ms_per_token' | 'itl_ms' | 'jitter' | 'max_batch' | 'batch_slowdown'
>;

/** Where to listen; the latency/fault model comes from SimulatorOptions. */
export interface ListenOptions {
  /** Interface to bind; default 127.0.0.1. */
  host?: string;
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Also serve KServe v2 gRPC (Triton) on this port (0 = a free one); none when undefined. */
  grpcPort?: number;
}

export interface SimulatorServerOptions extends SimulatorOptions {
  /** Model ids listed by GET /v1/models (any model name is accepted); default ["sim-7b"]. */
  models?: string[];
  /** Called once per finished completion request (for `simulate --log`). */
  onRequest?: (entry: RequestLogEntry) => void;
}

/** A simulator listening on a port. */
export interface RunningSimulator {
  /** OpenAI base URL, e.g. http://127.0.0.1:8000/v1 (what an SDK's baseURL wants). */
  baseUrl: string;
  /** Server root, e.g. http://127.0.0.1:8000 (for /health). */
  origin: string;
  port: number;
  /** The gRPC port, when one was asked for. */
  grpcPort?: number;
  /** grpc://host:port, when a gRPC port was asked for. */
  grpcUrl?: string;
  /** Stops listening, drops every connection (streams in flight, stalls, keep-alive) and timers. */
  close(): Promise<void>;
}

/** One injected fault, from the x-simulator-fault header or drawn with fault_rate. */
export interface Fault {
  kind: FaultKind;
  /** 429/503: the Retry-After header value, seconds. */
  retryAfterS: number;
  /** reset/stall/malformed: content chunks sent before the fault strikes. */
  after: number;
  /** slow: multiplier of the inter-token delay. */
  factor: number;
}

/** What `onRequest` receives about a finished completion request. */
export interface RequestLogEntry {
  method: string;
  path: string;
  /** HTTP status sent; undefined when the connection was reset or dropped before a status. */
  status?: number;
  stream: boolean;
  model?: string;
  promptTokens?: number;
  /** Content tokens actually sent. */
  completionTokens?: number;
  finishReason?: string;
  fault?: FaultKind;
  /** How the exchange ended: finished, aborted by the client, or closed by a fault/shutdown. */
  outcome: 'ok' | 'error' | 'aborted' | 'fault' | 'shutdown';
  /** From request arrival to the end, ms. */
  durationMs: number;
  /**
   * From request arrival to the first content token written, ms, on the server's real clock:
   * what it did, late timers included (the truth a client's TTFT is checked against).
   */
  ttftMs?: number;
}

/** IPC from startBuiltinSimulator to the child process (child.ts). */
export type ParentMessage =
  | { type: 'start'; options: SimulatorOptions; host: string; port: number; grpcPort?: number }
  | { type: 'stop' };

/** IPC from the child process to startBuiltinSimulator. */
export type ChildMessage = { type: 'listening'; port: number; grpcPort?: number } | { type: 'error'; message: string };
