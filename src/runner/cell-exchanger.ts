/**
 * What runs the exchanges of one cell: sends a prompt, gives back its timed ExchangeResult.
 * The runner schedules (run-cell.ts) and never minds where the exchange runs: on this
 * thread (`openCellExchanger`, `workers: 1`) or on worker threads (worker-pool.ts), each of
 * which opens one of these for its share of the cell. Everything else (records, checks,
 * files, the budget) stays with the runner on the main thread.
 */
import type { Cell, Prompt } from '../plan/types.js';
import { outputLengthFields, type ServerFamily } from '../plan/workloads/output-length.js';
import type { WorkloadPrompt } from '../plan/workloads/types.js';
import type { Target } from '../spec/schema.js';
import type { ExchangeResult } from './exchange.js';
import type { OpenTransport, Transport } from './transport.js';

/**
 * What to send: request i of the cell's own prompts (prompt i mod P, whose encoded body is
 * shared), or a prompt the runner made (a workload's request, a conversation's turn), sent
 * as data with its own text and output length.
 */
export type ExchangeAsk = number | WorkloadPrompt;

export interface CellExchanger {
  /**
   * Sends `ask` and reads its answer; failures come back as data. `lane` pins the request
   * to one event loop (a closed-loop slot, or a conversation, keeps its loop); without it
   * the least busy loop takes it.
   */
  send(ask: ExchangeAsk, signal: AbortSignal, lane?: number): Promise<ExchangeResult>;
  /**
   * Closes the cell's connections; resolves with the event loops that ran its exchanges
   * on other threads (none on this thread: the runner watches its own loop).
   */
  close(): Promise<ThreadLoad[]>;
}

/** Everything a thread needs to run a cell's exchanges: plain data, so it crosses threads. */
export interface CellSetup {
  /** The target with its resolved base_url. */
  target: Target;
  cell: Cell;
  prompts: readonly Prompt[];
  /**
   * The spec's secrets, scrubbed from server text before it is cut into error messages
   * (a worker needs them as data: a function does not cross threads). Never written.
   */
  secrets: readonly string[];
  /** Connections to keep (HTTP keep-alive sockets, gRPC sessions' streams): the requests this exchanger may have in flight at once. */
  sockets: number;
  /** How to ask the target's server for a workload prompt's output length; undefined = no workload. */
  family?: ServerFamily;
}

/** How busy one worker thread's event loop was during a cell. */
export interface ThreadLoad {
  /** p99 of its event-loop delay, ms. */
  loopDelayP99Ms: number;
  /** Max event-loop delay, ms. */
  loopDelayMaxMs: number;
  /** Share of the cell's wall time the loop was busy (event-loop utilization, 0..1). */
  utilization: number;
}

/**
 * A cell's exchanges on this thread, over `transport` (opened for the cell, prepared): the
 * spec's prompts by index share one encoded body each; a workload's prompts are sent as
 * they come, with their output length.
 */
export function openCellExchanger(setup: Omit<CellSetup, 'secrets' | 'sockets'>, transport: Transport): CellExchanger {
  const { target, cell, prompts } = setup;
  const stream = cell.load.stream;
  const P = prompts.length;
  return {
    send: (ask, signal) =>
      typeof ask === 'number'
        ? transport.send({ target, cell, prompt: prompts[ask % P], stream }, signal)
        : // A workload's requests each have their own text: none is kept (it would hold them all).
          transport.send({ target, cell: cellAsking(cell, ask.outputTokens, setup.family), prompt: ask, stream }, signal, { shareBody: false }),
    close: async () => {
      transport.close();
      return [];
    },
  };
}

/**
 * Opens the cell's transport to `open`'s target with `connections` connections and checks it
 * can take the cell's requests; throws when it cannot (the run checked it before the cell, so
 * this is the server changing its mind mid-run).
 */
export async function openPreparedTransport(open: OpenTransport, cell: Cell, connections: number, signal: AbortSignal): Promise<Transport> {
  const transport = open(cell, connections);
  let blocked: string | undefined;
  try {
    blocked = await transport.prepare(signal);
  } catch (e) {
    transport.close();
    throw e;
  }
  if (blocked) {
    transport.close();
    throw new Error(`transport: prepared once, then refused: ${blocked}`);
  }
  return transport;
}

/** The cell as one request with an output length sees it: the fields that ask for it added to the body. */
export function cellAsking(cell: Cell, outputTokens: number | undefined, family: ServerFamily | undefined): Cell {
  if (outputTokens === undefined || family === undefined) return cell;
  return { ...cell, body: { ...cell.body, ...outputLengthFields(family, outputTokens) }, maxTokens: outputTokens };
}
