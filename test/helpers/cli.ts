/** Runs the real CLI (node bin/llm-sweep.js) as a child process. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '../..');
export const BIN = join(REPO, 'bin/llm-sweep.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** `signalAfter` was sent. */
  signalled: boolean;
}

export interface CliOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Called once the child is started (e.g. to send it a signal later). */
  onSpawn?: (child: ChildProcess) => void;
  /** Called with each stderr piece as it arrives. */
  onStderr?: (text: string, child: ChildProcess) => void;
  timeoutMs?: number;
  /** Run this shell command line instead (args ignored), e.g. to set a ulimit first. */
  shell?: string;
  /**
   * Send `signal` once the progress line says at least `done` of `total` requests are done
   * (set LLM_SWEEP_PROGRESS_MS so it prints often): a point in the run without sleeps.
   */
  signalAfter?: { done: number; total: number; signal: NodeJS.Signals };
}

export function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const [cmd, argv] = opts.shell !== undefined ? ['/bin/sh', ['-c', opts.shell]] : [process.execPath, [BIN, ...args]];
    const child = spawn(cmd, argv, {
      cwd: opts.cwd ?? REPO,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let signalled = false;
    const at = opts.signalAfter;
    const progress = at ? new RegExp(`(\\d+)/${at.total} total`) : undefined;
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => {
      const text = d.toString();
      stderr += text;
      if (at && progress && !signalled) {
        const m = progress.exec(text);
        if (m && Number(m[1]) >= at.done) {
          signalled = true;
          child.kill(at.signal);
        }
      }
      opts.onStderr?.(text, child);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    opts.onSpawn?.(child);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr, signalled });
    });
  });
}

export function tempDir(prefix = 'llm-sweep-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes a spec file into a fresh temp dir and returns its path. */
export function writeSpec(yaml: string, dir = tempDir()): string {
  const path = join(dir, 'spec.yaml');
  writeFileSync(path, yaml);
  return path;
}
