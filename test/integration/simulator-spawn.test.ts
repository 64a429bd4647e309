import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { RunError } from '../../src/errors.js';
import { startBuiltinSimulator } from '../../src/simulator/spawn.js';

const PARENT = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/simulator-parent.mjs');

/** True while the process exists and is not a zombie (an orphan's zombie may linger unreaped in a container). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return process.platform !== 'linux';
  }
}

/** Polls a condition until it holds or `ms` pass; returns whether it held. */
async function eventually(cond: () => boolean, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

describe('startBuiltinSimulator', () => {
  it('runs the simulator in a child process on a free loopback port, and stop() ends it', async () => {
    const sim = await startBuiltinSimulator({ ttft_ms: 1, itl_ms: 1, jitter: 0 });
    expect(sim.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect(sim.pid).not.toBe(process.pid);
    expect(isAlive(sim.pid)).toBe(true);
    expect((await fetch(`${sim.origin}/health`)).status).toBe(200);
    const res = await fetch(`${sim.baseUrl}/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 }),
    });
    expect(((await res.json()) as { usage: unknown }).usage).toEqual({ prompt_tokens: 1, completion_tokens: 3, total_tokens: 4 });
    await sim.stop();
    expect(isAlive(sim.pid)).toBe(false);
    await sim.stop(); // idempotent
    await expect(fetch(`${sim.origin}/health`)).rejects.toThrow();
  });

  it('throws a RunError when the simulator cannot start', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    const attempt = startBuiltinSimulator({}, { port });
    await expect(attempt).rejects.toBeInstanceOf(RunError);
    await expect(attempt).rejects.toThrow(/did not start: .*EADDRINUSE/);
    blocker.close();
  });
});

describe('the child does not outlive its parent', () => {
  async function startParent(mode: string) {
    const parent = spawn(process.execPath, [PARENT, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | string | null>((r) => parent.on('exit', (code, signal) => r(signal ?? code)));
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      let err = '';
      parent.stdout.on('data', (d: Buffer) => {
        out += String(d);
        if (out.includes('\n')) resolve(out.split('\n')[0]);
      });
      parent.stderr.on('data', (d: Buffer) => (err += String(d)));
      parent.on('exit', () => reject(new Error(`parent exited before reporting: ${err}`)));
    });
    const { pid, baseUrl } = JSON.parse(line) as { pid: number; baseUrl: string };
    return { parent, exited, pid, baseUrl };
  }

  it.each(['SIGKILL', 'SIGINT', 'SIGTERM'] as const)('when the parent is killed with %s', async (signal) => {
    const { parent, exited, pid } = await startParent('wait');
    expect(isAlive(pid)).toBe(true);
    parent.kill(signal);
    expect(await exited).toBe(signal);
    expect(await eventually(() => !isAlive(pid))).toBe(true);
  });

  it.each(['exit', 'throw', 'natural'])('when the parent ends without stop() (%s)', async (mode) => {
    const { exited, pid } = await startParent(mode);
    await exited;
    expect(await eventually(() => !isAlive(pid))).toBe(true);
  });
});
