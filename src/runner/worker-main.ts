/**
 * A worker thread's entry: runs its share of a cell's exchanges on its own event loop,
 * sockets and SSE parsing, and posts each result to the runner as it ends (protocol in
 * worker-protocol.ts). It keeps no records and writes nothing.
 */
import { setMaxListeners } from 'node:events';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { providerForTarget } from '../providers/index.js';
import { scrubber } from '../spec/redact.js';
import { openCellExchanger, openPreparedTransport, type CellExchanger } from './cell-exchanger.js';
import type { EndpointMemory } from './exchange.js';
import { transportsFor } from './transport.js';
import type { FromWorker, ToWorker, WorkerInit } from './worker-protocol.js';
import { shiftTimes } from './worker-protocol.js';

const port = parentPort!;
const init = workerData as WorkerInit;
const shift = performance.timeOrigin - init.mainTimeOrigin;
const memory: EndpointMemory = { askUsage: true };
const { setup } = init;
const abort = new AbortController();
// Every request in flight on this thread listens on it; a share of 512 is not a leak.
setMaxListeners(0, abort.signal);
// Same resolution as the main thread's watch (client-health.ts).
const RESOLUTION_MS = 5;
const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
delay.enable();
const elu0 = performance.eventLoopUtilization();

const post = (m: FromWorker) => port.postMessage(m);
// A provider does not cross threads: built here from the target (data), with the run's secrets.
const open = transportsFor(providerForTarget(setup.target), setup.target, scrubber(setup.secrets), memory);
let exchanger: CellExchanger | undefined;

port.on('message', (m: ToWorker) => {
  if (!exchanger) return;
  if (m.type === 'send') {
    // The run may have learnt more than this thread (another worker saw the refusal).
    memory.askUsage = memory.askUsage && m.askUsage;
    exchanger.send(m.ask, abort.signal).then(
      (result) => post({ type: 'result', id: m.id, result: shiftTimes(result, shift), askUsage: memory.askUsage }),
      (e: unknown) => post({ type: 'bug', id: m.id, message: e instanceof Error ? e.message : String(e), stack: e instanceof Error ? e.stack : undefined }),
    );
  } else if (m.type === 'abort') {
    abort.abort();
  } else {
    void exchanger.close();
    delay.disable();
    const toMs = (ns: number) => Math.max(0, ns / 1e6 - RESOLUTION_MS);
    const counted = delay.count > 0;
    post({
      type: 'closed',
      load: {
        loopDelayP99Ms: counted ? toMs(delay.percentile(99)) : 0,
        loopDelayMaxMs: counted ? toMs(delay.max) : 0,
        utilization: performance.eventLoopUtilization(elu0).utilization,
      },
    });
  }
});
// Prepared here as on the main thread (a gRPC model's metadata binds this thread's codec).
openPreparedTransport(open, setup.cell, setup.sockets, abort.signal).then(
  (transport) => {
    exchanger = openCellExchanger(setup, transport);
    post({ type: 'ready' });
  },
  (e: unknown) => post({ type: 'unready', message: e instanceof Error ? e.message : String(e) }),
);
