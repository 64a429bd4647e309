/**
 * Entry file of the simulator child process that startBuiltinSimulator (spawn.ts) starts:
 * it waits for a `start` message on the IPC channel, listens, reports its port, and exits on
 * a `stop` message, on SIGTERM, or when the channel closes (the parent died, even by
 * SIGKILL). It runs in a process group of its own (spawn.ts), so signals to the parent's
 * group do not reach it; SIGINT is ignored all the same: the parent, still finishing its
 * in-flight requests, decides when the simulator stops.
 */
import { startSimulator } from './server.js';
import type { ChildMessage, ParentMessage, RunningSimulator } from './types.js';

const send = (m: ChildMessage): void => {
  process.send?.(m);
};

let sim: RunningSimulator | undefined;
let stopping = false;

async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  // Never linger: if closing hangs, leave anyway.
  setTimeout(() => process.exit(code), 2000).unref();
  await sim?.close();
  process.exit(code);
}

if (!process.send) {
  process.stderr.write('llm-sweep: simulator/child.js is started by startBuiltinSimulator (it needs an IPC channel)\n');
  process.exit(2);
}

process.on('message', (m: ParentMessage) => {
  if (m.type === 'stop') {
    void shutdown(0);
    return;
  }
  if (m.type !== 'start' || sim || stopping) return;
  startSimulator({ ...m.options, host: m.host, port: m.port }).then(
    (running) => {
      sim = running;
      send({ type: 'listening', port: running.port });
    },
    (e: unknown) => {
      send({ type: 'error', message: e instanceof Error ? e.message : String(e) });
      void shutdown(1);
    },
  );
});
process.on('disconnect', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
process.on('SIGINT', () => {});
