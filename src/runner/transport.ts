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

/** Opens a cell's transport. */
export type OpenTransport = (cell: Cell) => Transport;

/**
 * The transports of one run, for its provider and target; `scrub` removes secrets from text
 * the server sent back before it is cut into an error message.
 */
export function transportsFor(provider: AnyProvider, target: Target, scrub: (text: string) => string = (t) => t): OpenTransport {
  if (provider.transport === 'grpc') return grpcTransports(provider, target, scrub);
  const memory: EndpointMemory = { askUsage: true };
  return (cell) => {
    const client = createHttpClient({
      concurrency: cell.load.concurrency,
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
