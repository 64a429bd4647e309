/**
 * A cell's exchanges spread over worker threads (`workers:` > 1): each worker has its own
 * event loop, sockets and SSE parsing, so at hundreds of streams no single loop's work is
 * what the timestamps measure. The runner keeps scheduling (the concurrency cap is global),
 * records and files on the main thread; this module only carries requests out and results
 * back. Timestamps come back on the main thread's clock (worker-protocol.ts).
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CellExchanger, CellSetup, ThreadLoad } from './cell-exchanger.js';
import type { EndpointMemory, ExchangeResult } from './exchange.js';
import type { FromWorker, ToWorker, WorkerInit } from './worker-protocol.js';

/** How long a worker may take to report its load when the cell closes, ms; it is ended after. */
const CLOSE_TIMEOUT_MS = 2000;

/** Path of the worker entry: next to this file in dist/; under vitest (src/*.ts) the built one. */
export function workerEntryPath(): string {
  const here = fileURLToPath(import.meta.url);
  const dir = path.dirname(here);
  return here.endsWith('.ts') ? path.resolve(dir, '../../dist/runner/worker-main.js') : path.join(dir, 'worker-main.js');
}

/** A worker thread died or failed before it was ready: the pool never started (not the endpoint's doing). */
export class WorkerStartError extends Error {
  constructor(readonly reason: Error) {
    super(reason.message);
    this.name = 'WorkerStartError';
  }
}

interface Pending {
  resolve(r: ExchangeResult): void;
  reject(e: Error): void;
}

interface Lane {
  worker: Worker;
  /** Requests of this lane in flight. */
  busy: number;
  closed?: (load: ThreadLoad) => void;
}

/**
 * A worker's young generation, MB, for `streams` requests in flight on it: 24 MB per 128
 * streams, from 24 to 96. V8's default lets each worker grow one sized for a whole process,
 * which at a few dozen streams is mostly garbage waiting (100,000 requests at concurrency 64
 * with `--workers 2`: peak RSS 311-322 MB by default, 282-288 at 24 MB). At hundreds of streams
 * a small one costs the timing instead: a scavenge every few ms copies and promotes what the
 * streams in flight hold. 1,024 streams over 2 workers, 3 interleaved runs each: TTFT p50
 * error +150 ms at 24 MB against +111 at 96 (~9% less CPU per request, ~8% more requests
 * sent); 192 was no better than 96, and at 128 streams per worker 24 and 96 measured alike.
 */
export function workerYoungMb(streams: number): number {
  return Math.min(96, Math.max(24, Math.ceil(streams / 128) * 24));
}

/**
 * Starts `count` worker threads for one cell and resolves once each is ready. `setup.sockets`
 * is per worker: its share of the cell's concurrency.
 */
export async function openWorkerExchanger(setup: CellSetup, memory: EndpointMemory, count: number): Promise<CellExchanger> {
  const init: WorkerInit = { setup, mainTimeOrigin: performance.timeOrigin };
  const pending = new Map<number, Pending>();
  let nextId = 0;
  let failure: Error | undefined;
  const fail = (e: Error) => {
    failure ??= e;
    for (const p of pending.values()) p.reject(failure);
    pending.clear();
  };
  const lanes: Lane[] = [];
  const ready: Promise<void>[] = [];
  for (let k = 0; k < count; k++) {
    const worker = new Worker(workerEntryPath(), { workerData: init, resourceLimits: { maxYoungGenerationSizeMb: workerYoungMb(setup.sockets) } });
    const lane: Lane = { worker, busy: 0 };
    lanes.push(lane);
    ready.push(
      new Promise<void>((resolve, reject) => {
        worker.on('message', (m: FromWorker) => {
          if (m.type === 'ready') return resolve();
          if (m.type === 'unready') return reject(new Error(m.message));
          if (m.type === 'closed') return lane.closed?.(m.load);
          const p = pending.get(m.id);
          if (!p) return;
          pending.delete(m.id);
          lane.busy--;
          if (m.type === 'bug') {
            const e = new Error(m.message);
            e.stack = m.stack;
            return p.reject(e);
          }
          // A refusal of stream_options seen by any worker holds for the whole run.
          if (!m.askUsage) memory.askUsage = false;
          p.resolve(m.result);
        });
        worker.once('error', (e) => {
          reject(new WorkerStartError(e));
          fail(e);
        });
        // Only close() ends a worker on purpose (it removes this first): any other exit
        // fails what is in flight and every later send, rather than leave them waiting.
        worker.once('exit', (code) => {
          const e = new Error(`worker thread ${k} exited (code ${code})`);
          reject(new WorkerStartError(e));
          fail(e);
        });
      }),
    );
  }
  try {
    await Promise.all(ready);
  } catch (e) {
    await Promise.all(lanes.map((l) => l.worker.terminate()));
    throw e;
  }
  const watched: { signal: AbortSignal; cut: () => void }[] = [];
  const post = (lane: Lane, m: ToWorker) => lane.worker.postMessage(m);
  const leastBusy = () => {
    let best = 0;
    for (let k = 1; k < lanes.length; k++) if (lanes[k].busy < lanes[best].busy) best = k;
    return best;
  };
  return {
    send(ask, signal, laneHint) {
      if (failure) return Promise.reject(failure);
      if (!watched.some((w) => w.signal === signal)) {
        const cut = () => lanes.forEach((l) => post(l, { type: 'abort' }));
        watched.push({ signal, cut });
        if (signal.aborted) cut();
        else signal.addEventListener('abort', cut, { once: true });
      }
      const k = laneHint === undefined ? leastBusy() : laneHint % lanes.length;
      const id = nextId++;
      lanes[k].busy++;
      return new Promise<ExchangeResult>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        post(lanes[k], { type: 'send', id, ask, askUsage: memory.askUsage });
      });
    },
    async close() {
      for (const w of watched) w.signal.removeEventListener('abort', w.cut);
      const loads = await Promise.all(
        lanes.map(
          (lane) =>
            new Promise<ThreadLoad | undefined>((resolve) => {
              const timer = setTimeout(() => resolve(undefined), CLOSE_TIMEOUT_MS);
              lane.closed = (load) => {
                clearTimeout(timer);
                resolve(load);
              };
              post(lane, { type: 'close' });
            }),
        ),
      );
      for (const l of lanes) l.worker.removeAllListeners('exit');
      await Promise.all(lanes.map((l) => l.worker.terminate()));
      return loads.filter((l): l is ThreadLoad => l !== undefined);
    },
  };
}
