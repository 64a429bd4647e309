/**
 * How the runner reaches the endpoint: per cell, a transport with connections sized to the
 * cell's concurrency, which sends one request at a time and gives back an ExchangeResult
 * (failures as data). HTTP providers get http/client.ts and exchange.ts; gRPC providers
 * (`transport: 'grpc'`) get the gRPC transport of grpc-exchange.ts. What a transport learns
 * about the endpoint (the usage fallback, a model's metadata) lasts across cells.
 */
import { createHttpClient } from '../http/client.js';
import type { Cell } from '../plan/types.js';
import type { AnyProvider, BuildContext } from '../providers/types.js';
import type { Target } from '../spec/schema.js';
import { createBodyCache } from './body-cache.js';
import { exchange, type EndpointMemory, type ExchangeResult } from './exchange.js';
import { grpcTransports } from './grpc-exchange.js';

export interface Transport {
  /**
   * Checks, before the cell's first request, that the endpoint can take its requests: the
   * reason it cannot (the run stops, exit 3), or undefined.
   */
  prepare(signal: AbortSignal): Promise<string | undefined>;
  /**
   * Sends one request and reads its answer. Never throws for a failed request. `shareBody`
   * (default true): the body may be kept and reused for the cell's other requests of the
   * same prompt id; false for prompts whose text differs under one id (workloads).
   */
  send(ctx: Omit<BuildContext, 'askUsage'>, signal: AbortSignal, opts?: { shareBody?: boolean }): Promise<ExchangeResult>;
  /** Closes the cell's connections. */
  close(): void;
}

/**
 * Opens a cell's transport with `connections` connections (default: the cell's
 * concurrency; a worker thread's share of it with `workers:`).
 */
export type OpenTransport = (cell: Cell, connections?: number) => Transport;

/**
 * The transports of one run, for its provider and target; `scrub` removes secrets from text
 * the server sent back before it is cut into an error message. `memory` is what HTTP
 * requests learn about the endpoint (shared with worker threads by worker-pool.ts).
 */
export function transportsFor(
  provider: AnyProvider,
  target: Target,
  scrub: (text: string) => string = (t) => t,
  memory: EndpointMemory = { askUsage: true },
): OpenTransport {
  if (provider.transport === 'grpc') return grpcTransports(provider, target, scrub);
  return (cell, connections = cell.load.concurrency) => {
    const client = createHttpClient({
      concurrency: connections,
      connectTimeoutMs: target.timeout.connect_ms,
      readTimeoutMs: target.timeout.read_ms,
      retry: target.retry,
    });
    // One encoded body per prompt for the whole cell, however many requests send it at once.
    const bodies = createBodyCache();
    return {
      prepare: async () => undefined,
      send: (ctx, signal, opts) => exchange({ client, provider, ctx, memory, signal, scrub, bodies: opts?.shareBody === false ? undefined : bodies }),
      close: () => client.close(),
    };
  };
}
