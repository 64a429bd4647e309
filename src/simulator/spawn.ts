/**
 * `base_url: builtin`: the runner starts the simulator as a child process
 * (`process.execPath dist/simulator/child.js`) on a free loopback port, so its timers never
 * compete with the client's event loop. The child reports its port over IPC; we check
 * /health, and stop it with stop(), or, failing that, when this process exits (an 'exit'
 * hook) or dies (the child sees its IPC channel close). Prints nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RunError } from '../errors.js';
import { DEFAULT_HOST, resolveSimulatorOptions } from './server.js';
import type { ChildMessage, ListenOptions, ParentMessage, SimulatorOptions } from './types.js';

/** A simulator running in a child process. */
export interface BuiltinSimulator {
  /** OpenAI base URL, e.g. http://127.0.0.1:39127/v1. */
  baseUrl: string;
  /** Server root, e.g. http://127.0.0.1:39127. */
  origin: string;
  port: number;
  /** The child's process id. */
  pid: number;
  /** Stops the child (SIGTERM, SIGKILL after 3 s) and resolves once it has exited. Idempotent. */
  stop(): Promise<void>;
}

export interface SpawnOptions extends ListenOptions {
  /** How long the child may take to listen and answer /health, ms; default 10000. */
  startTimeoutMs?: number;
}

const KILL_AFTER_MS = 3000;

/** Path of the child entry: next to this file in dist/; under vitest (src/*.ts) the built one. */
export function childEntryPath(): string {
  const here = fileURLToPath(import.meta.url);
  const dir = path.dirname(here);
  return here.endsWith('.ts') ? path.resolve(dir, '../../dist/simulator/child.js') : path.join(dir, 'child.js');
}

/**
 * Starts the bundled simulator in a child process with the given model (defaults filled in)
 * on 127.0.0.1 and a free port. Throws a RunError when it cannot start.
 */
export async function startBuiltinSimulator(
  opts: Partial<SimulatorOptions> = {},
  spawnOpts: SpawnOptions = {},
): Promise<BuiltinSimulator> {
  const options = resolveSimulatorOptions(opts);
  const host = spawnOpts.host ?? DEFAULT_HOST;
  const entry = childEntryPath();
  if (!existsSync(entry)) throw new RunError(`the bundled simulator is not built (${entry} is missing); run npm run build`);

  // Detached: a process group of its own, so a signal to ours (Ctrl-C, or the SIGTERM that
  // `timeout`, CI runners and Kubernetes send to the group) does not reach it; we stop it
  // ourselves once the requests in flight are done, and it exits when our IPC channel closes.
  const child = spawn(process.execPath, [entry], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], detached: true });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => {
    stderr = (stderr + d).slice(-4000);
  });

  const deadline = Date.now() + (spawnOpts.startTimeoutMs ?? 10_000);
  let port: number;
  try {
    port = await waitForPort(child, { type: 'start', options, host, port: spawnOpts.port ?? 0 }, deadline);
    await waitForHealth(host, port, deadline);
  } catch (e) {
    child.kill('SIGKILL');
    await exited;
    process.off('exit', killOnExit);
    const detail = stderr.trim() ? `\n${stderr.trim()}` : '';
    throw new RunError(`the bundled simulator did not start: ${e instanceof Error ? e.message : String(e)}${detail}`);
  }
  // Do not keep the parent alive for the child's sake: the exit hook ends it.
  child.unref();
  child.channel?.unref();
  unrefStream(child.stderr);

  let stopping: Promise<void> | undefined;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    baseUrl: `${origin}/v1`,
    origin,
    port,
    pid: child.pid as number,
    stop: () =>
      (stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.ref();
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
          await exited;
          clearTimeout(timer);
        }
        process.off('exit', killOnExit);
      })()),
  };
}

function waitForPort(child: ChildProcess, start: ParentMessage, deadline: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const done = (fn: () => void): void => {
      clearTimeout(timer);
      child.off('message', onMessage).off('exit', onExit).off('error', onError);
      fn();
    };
    const onMessage = (m: ChildMessage): void => {
      if (m.type === 'listening') done(() => resolve(m.port));
      else if (m.type === 'error') done(() => reject(new Error(m.message)));
    };
    const onExit = (code: number | null, signal: string | null): void =>
      done(() => reject(new Error(`the child process exited (${signal ?? `code ${code}`})`)));
    const onError = (e: Error): void => done(() => reject(e));
    const timer = setTimeout(() => done(() => reject(new Error('timed out waiting for it to listen'))), Math.max(0, deadline - Date.now()));
    child.on('message', onMessage).on('exit', onExit).on('error', onError);
    child.send(start);
  });
}

async function waitForHealth(host: string, port: number, deadline: number): Promise<void> {
  for (;;) {
    const status = await getStatus(host, port, '/health', Math.max(1, deadline - Date.now()));
    if (status === 200) return;
    if (Date.now() >= deadline) throw new Error(`/health answered ${status ?? 'nothing'}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function getStatus(host: string, port: number, urlPath: string, timeoutMs: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = http.get({ host, port, path: urlPath, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

function unrefStream(stream: unknown): void {
  (stream as { unref?: () => void } | null)?.unref?.();
}
