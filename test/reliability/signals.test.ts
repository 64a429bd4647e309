/**
 * Issue 13, items 9-10: signals. SIGTERM to the whole process group (what `timeout`, CI
 * runners and Kubernetes send) behaves as Ctrl-C: requests in flight finish, and the
 * bundled simulator outlives the grace period instead of dying with the group. A second
 * Ctrl-C cuts requests in flight at once.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseRequestsCsv } from '../../src/results/read-requests.js';
import { BIN, REPO, tempDir, writeSpec } from '../helpers/cli.js';
import { sleep, startFakeServer, streamChat, type FakeServer } from '../helpers/fake-openai.js';

const servers: FakeServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

interface Started {
  pid: number;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

/** The CLI as the leader of its own process group, as a shell, `timeout` or a CI runner starts it. */
function startGroup(args: string[]): Started {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: REPO,
    env: { ...process.env, NO_COLOR: '1', LLM_SWEEP_PROGRESS_MS: '50' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout!.resume();
  const killer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 60_000);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.once('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, at: performance.now() });
    }),
  );
  return { pid: child.pid!, stderr: () => err, exited };
}

/** Waits (bounded) until `ok()` holds. */
async function until(ok: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = performance.now() + ms;
  while (!ok()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

function rows(out: string) {
  const path = join(out, 'requests.csv');
  return existsSync(path) ? parseRequestsCsv(readFileSync(path, 'utf8')).records : [];
}

describe('SIGTERM to the process group (item 9)', () => {
  it('with base_url: builtin: requests in flight finish ok, exit 130, and --resume runs the rest', async () => {
    const dir = tempDir();
    const file = writeSpec(
      `name: term
target:
  base_url: builtin
  simulator: { ttft_ms: 200, itl_ms: 40, jitter: 0, stop_probability: 0, max_batch: 16 }
prompts: ["hello"]
params: { model: sim, max_tokens: 20 }
matrix: { concurrency: [4] }
requests: 16
`,
      dir,
    );
    const out = join(dir, 'out');
    const run = startGroup(['run', file, '--out', out]);
    await until(() => rows(out).length >= 4, 'the first rows');
    process.kill(-run.pid, 'SIGTERM');
    const { code } = await run.exited;
    expect(code, run.stderr()).toBe(130);
    const done = rows(out);
    // The four sent before the signal came back whole: the simulator was still there.
    expect(done.filter((r) => r.status === 'error').map((r) => r.error)).toEqual([]);
    expect(done.length).toBeGreaterThanOrEqual(8);
    expect(done.length).toBeLessThan(16);
    const rest = startGroup(['run', file, '--resume', out, '--quiet']);
    expect((await rest.exited).code, rest.stderr()).toBe(0);
    expect(rows(out).filter((r) => r.status === 'ok')).toHaveLength(16);
  });
});

describe('a second Ctrl-C (item 10)', () => {
  it('cuts the requests in flight at once instead of waiting the grace period', async () => {
    // Streams that take 20 s: the grace period (5 s) would end long before them.
    const server = await startFakeServer((req, res) =>
      streamChat(res, { ttftMs: 50, itlMs: 500, tokens: Array.from({ length: 40 }, () => 'x'), usage: 'separate' }, true),
    );
    servers.push(server);
    const dir = tempDir();
    const file = writeSpec(
      `name: twice
target: { base_url: ${server.baseUrl}, retry: { retries: 0 } }
prompts: ["hello"]
params: { model: m, max_tokens: 40 }
matrix: { concurrency: [2] }
requests: 4
`,
      dir,
    );
    const out = join(dir, 'out');
    const run = startGroup(['run', file, '--out', out]);
    await until(() => server.seen.length >= 2, 'two requests in flight');
    process.kill(run.pid, 'SIGINT');
    await until(() => /stopping/.test(run.stderr()), 'the first interrupt to be noted');
    const second = performance.now();
    process.kill(run.pid, 'SIGINT');
    const { code, at } = await run.exited;
    expect(code, run.stderr()).toBe(130);
    expect(run.stderr()).toMatch(/cutting requests in flight/);
    // Well within the 5 s grace: the cut was not a wait.
    expect(at - second).toBeLessThan(3500);
    // Cut requests are not rows: --resume sends them again.
    expect(rows(out)).toHaveLength(0);
  });
});
