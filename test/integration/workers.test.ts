/**
 * `workers:` through the real CLI against fake servers on 127.0.0.1 with known delays: the
 * same sweep with one loop and with two worker threads gives the same rows, timings within
 * generous bounds of the server's delays, and the same behaviour on Ctrl-C, SIGKILL +
 * resume, retries and the concurrency cap. Bounds are generous (a loaded 2-core machine),
 * relative to the server's known delays, never tight absolute times.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseRequestsCsv } from '../../src/results/read-requests.js';
import { runCli, tempDir, writeSpec } from '../helpers/cli.js';
import { openaiError, startFakeServer, streamChat, type FakeServer, type Handler } from '../helpers/fake-openai.js';

const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A fake server that also counts the most requests it had open at once. */
async function serve(handler: Handler): Promise<FakeServer & { maxOpen: () => number }> {
  let open = 0;
  let max = 0;
  const s = await startFakeServer(async (req, res) => {
    open++;
    max = Math.max(max, open);
    res.once('close', () => open--);
    await handler(req, res);
  });
  servers.push(s);
  return Object.assign(s, { maxOpen: () => max });
}

const tokens = ['a', 'b', 'c', 'd', 'e', 'f'];

function spec(baseUrl: string, body: string): string {
  return `name: w
target:
  provider: openai-chat
  base_url: ${baseUrl}
  retry: { retries: 3, backoff_ms: 10, max_backoff_ms: 50 }
prompts: ["one", "two", "three"]
params: { model: fake, max_tokens: 6 }
${body}
`;
}

async function run(yaml: string, args: string[]) {
  const dir = tempDir();
  const file = writeSpec(yaml, dir);
  const out = join(dir, 'out');
  const res = await runCli(['run', file, '--out', out, '--quiet', '--json', ...args], { timeoutMs: 120_000 });
  const csvPath = join(out, 'requests.csv');
  const rows = existsSync(csvPath) ? parseRequestsCsv(readFileSync(csvPath, 'utf8')).records : [];
  const json = res.code === 0 || res.code === 1 ? (JSON.parse(res.stdout) as { cells: { cell: string; client?: { workers?: number } }[] }) : undefined;
  return { ...res, out, file, rows, json };
}

const keys = (rows: { cell: string; prompt_id: number; repeat: number }[]) => rows.map((r) => `${r.cell}|${r.prompt_id}|${r.repeat}`).sort();
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

describe('workers: 1 and workers: 2 side by side', () => {
  it('give the same row keys and counts, and TTFT/ITL within generous bounds of the known delays', async () => {
    const s = await serve((_req, res) => streamChat(res, { ttftMs: 40, itlMs: 10, tokens, usage: 'separate' }, true));
    const yaml = spec(s.baseUrl, 'matrix: { concurrency: [4, 8] }\nrequests: 24\nwarmup: 2');
    const one = await run(yaml, ['--workers', '1']);
    const two = await run(yaml, ['--workers', '2']);
    for (const r of [one, two]) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.rows).toHaveLength(48);
      expect(r.rows.every((x) => x.status === 'ok' && x.completion_tokens === 6)).toBe(true);
      const ttft = median(r.rows.map((x) => x.ttft_ms!));
      const itl = median(r.rows.map((x) => x.itl_p50_ms!));
      // The server waits at least 40 ms and 10 ms: a client can only see them later, never earlier.
      expect(ttft).toBeGreaterThanOrEqual(39);
      expect(ttft).toBeLessThan(40 + 200);
      expect(itl).toBeGreaterThanOrEqual(9);
      expect(itl).toBeLessThan(10 + 60);
    }
    expect(keys(two.rows)).toEqual(keys(one.rows));
    // Both cells ran on two worker threads; workers: 1 used none.
    expect(two.json!.cells.map((c) => c.client?.workers)).toEqual([2, 2]);
    expect(one.json!.cells.map((c) => c.client?.workers)).toEqual([undefined, undefined]);
    // Warmups plus recorded requests, nothing sent twice.
    expect(s.seen).toHaveLength(2 * (48 + 4));
  });

  it('keeps the concurrency cap global (closed and open loop), not per worker', async () => {
    const s = await serve((_req, res) => streamChat(res, { ttftMs: 30, itlMs: 5, tokens: ['a', 'b'], usage: 'separate' }, true));
    const closed = await run(spec(s.baseUrl, 'matrix: { concurrency: [3] }\nrequests: 30'), ['--workers', '2']);
    expect(closed.code, closed.stderr).toBe(0);
    expect(closed.rows).toHaveLength(30);
    expect(s.maxOpen()).toBeLessThanOrEqual(3);
    // Offered 200/s, at most 3 in flight of ~40 ms each: the cap holds requests back as queue_ms.
    const open = await run(spec(s.baseUrl, 'matrix: { rate: [200], concurrency: [3] }\narrival: constant\nrequests: 30'), ['--workers', '2']);
    expect(open.code, open.stderr).toBe(0);
    expect(open.rows).toHaveLength(30);
    expect(s.maxOpen()).toBeLessThanOrEqual(3);
    expect(Math.max(...open.rows.map((x) => x.queue_ms!))).toBeGreaterThan(100);
  });

  it('retries 429 and drops a refused stream_options once for the whole run', async () => {
    let limited = 0;
    const s = await serve((req, res) => {
      if (req.body.stream_options) return openaiError(res, 400, 'Unrecognized request argument supplied: stream_options');
      if (limited++ < 2) return openaiError(res, 429, 'slow down', { 'retry-after': '0' });
      return streamChat(res, { ttftMs: 5, itlMs: 2, tokens, usage: 'none' }, false);
    });
    const r = await run(spec(s.baseUrl, 'matrix: { concurrency: [2] }\nrequests: 12'), ['--workers', '2']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.rows).toHaveLength(12);
    expect(r.rows.every((x) => x.status === 'ok')).toBe(true);
    // Each worker may learn the refusal on its own before the other hears of it: at most 2.
    const refused = s.seen.filter((x) => x.body.stream_options).length;
    expect(refused).toBeGreaterThanOrEqual(1);
    expect(refused).toBeLessThanOrEqual(2);
    // The two 429s came back as extra attempts, not as rows.
    const attempts = r.rows.reduce((n, x) => n + x.attempts, 0);
    expect(attempts).toBe(12 + 2 + refused);
  });

  it('scrubs the key from error text inside the workers: no output file holds it', async () => {
    const key = 'sk-live-DO-NOT-LEAK-worker-42';
    const s = await serve((req, res) => {
      // A hostile server that echoes the key back, in an error body and in a stream error.
      if (req.body.temperature === 1) return openaiError(res, 500, `bad key ${key}`);
      return streamChat(res, { ttftMs: 1, itlMs: 1, tokens, usage: 'separate' }, true);
    });
    const dir = tempDir();
    const file = writeSpec(
      spec(s.baseUrl, 'matrix: { temperature: [0, 1], concurrency: [2] }\nrequests: 4\noutput: { save_responses: true }')
        .replace('retries: 3', 'retries: 0')
        .replace('  base_url:', '  api_key: ${LEAK_KEY}\n  base_url:'),
      dir,
    );
    const out = join(dir, 'out');
    const r = await runCli(['run', file, '--out', out, '--quiet', '--workers', '2'], { env: { LEAK_KEY: key }, timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(s.seen[0].headers.authorization).toBe(`Bearer ${key}`);
    for (const f of readdirSync(out)) expect(readFileSync(join(out, f), 'utf8'), f).not.toContain(key);
    expect(r.stdout + r.stderr).not.toContain(key);
    const rows = parseRequestsCsv(readFileSync(join(out, 'requests.csv'), 'utf8')).records;
    expect(rows.filter((x) => x.status === 'error').every((x) => x.error!.includes('***'))).toBe(true);
    expect(rows.filter((x) => x.status === 'error')).toHaveLength(4);
  });

  it('runs each named target with its own provider and memory on the workers (targets:, repeat_cells)', async () => {
    const key = 'az-key-for-workers';
    // `chat` refuses stream_options; `azure` accepts it: what one target teaches is not the other's.
    const chat = await serve((req, res) => {
      if (req.body.stream_options) return openaiError(res, 400, 'Unrecognized request argument supplied: stream_options');
      return streamChat(res, { ttftMs: 30, itlMs: 5, tokens, usage: 'none' }, false);
    });
    const azure = await serve((req, res) => streamChat(res, { ttftMs: 5, itlMs: 2, tokens, usage: 'separate' }, Boolean(req.body.stream_options)));
    const yaml = `name: wt
targets:
  chat: { provider: openai-chat, base_url: "${chat.baseUrl}", retry: { retries: 0 } }
  azure: { provider: azure-openai, base_url: "${azure.baseUrl}", api_key: "\${AZ_KEY}", retry: { retries: 0 } }
prompts: ["one", "two", "three"]
params: { model: fake, max_tokens: 6 }
matrix: { target: [chat, azure], concurrency: [4] }
requests: 12
repeat_cells: 2
workers: 2
`;
    const dir = tempDir();
    const out = join(dir, 'out');
    const r = await runCli(['run', writeSpec(yaml, dir), '--out', out, '--quiet', '--json'], { env: { AZ_KEY: key }, timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    const rows = parseRequestsCsv(readFileSync(join(out, 'requests.csv'), 'utf8')).records;
    expect(rows).toHaveLength(2 * 2 * 12);
    expect(rows.every((x) => x.status === 'ok')).toBe(true);
    // Usage came back from azure only (chat sends none: its tokens are estimated).
    expect(rows.filter((x) => x.tokens_source === 'usage').map((x) => x.params.target)).toEqual(Array(24).fill('azure'));
    expect(new Set(keys(rows)).size).toBe(48);
    const json = JSON.parse(r.stdout) as { cells: { cell: string; client?: { workers?: number } }[] };
    expect(json.cells.map((c) => [c.cell, c.client?.workers])).toEqual([
      ['target=chat,c=4', 2],
      ['target=azure,c=4', 2],
    ]);
    // Each worker built its cell's provider: OpenAI's path and no key there, Azure's path and api-key header here.
    expect(chat.seen.every((x) => x.url === '/v1/chat/completions' && x.headers['api-key'] === undefined)).toBe(true);
    expect(azure.seen).toHaveLength(24);
    expect(azure.seen.every((x) => x.url.startsWith('/v1/openai/deployments/fake/chat/completions?api-version=') && x.headers['api-key'] === key)).toBe(true);
    // chat's refusal stayed with chat: only the requests in flight before it came back asked
    // (at most the concurrency, 4), and azure was asked for usage every time.
    expect(chat.seen.filter((x) => x.body.stream_options).length).toBeGreaterThanOrEqual(1);
    expect(chat.seen.filter((x) => x.body.stream_options).length).toBeLessThanOrEqual(4);
    expect(azure.seen.every((x) => x.body.stream_options !== undefined)).toBe(true);
    // The two servers' delays are told apart per target (TTFT 30 ms vs 5 ms).
    const ttft = (t: string) => median(rows.filter((x) => x.cell === `target=${t},c=4`).map((x) => x.ttft_ms!));
    expect(ttft('chat')).toBeGreaterThanOrEqual(29);
    expect(ttft('azure')).toBeGreaterThanOrEqual(4);
    expect(ttft('azure')).toBeLessThan(ttft('chat'));
    expect([...new Set(rows.map((x) => x.round))].sort()).toEqual([0, 1]);
  });

  it('runs a gRPC target (triton-grpc, the simulator) on the workers: same rows, TTFT/ITL of the known delays', async () => {
    // Each worker prepares its own gRPC transport (ModelReady + ModelMetadata bind its codec).
    const yaml = `name: wg
target:
  provider: triton-grpc
  base_url: builtin
  simulator: { ttft_ms: 40, itl_ms: 10, jitter: 0, prefill_ms_per_token: 0, stop_probability: 0, batch_slowdown: 0, max_batch: 64 }
prompts: ["one", "two"]
params: { max_tokens: 6 }
matrix: { model: [ensemble, vllm_model], concurrency: [4] }
requests: 16
warmup: 1
`;
    const one = await run(yaml, ['--workers', '1']);
    const two = await run(yaml, ['--workers', '2']);
    for (const r of [one, two]) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.rows).toHaveLength(32);
      expect(r.rows.every((x) => x.status === 'ok')).toBe(true);
      const ttft = median(r.rows.map((x) => x.ttft_ms!));
      const itl = median(r.rows.map((x) => x.itl_p50_ms!));
      expect(ttft).toBeGreaterThanOrEqual(39);
      expect(ttft).toBeLessThan(40 + 200);
      expect(itl).toBeGreaterThanOrEqual(9);
      expect(itl).toBeLessThan(10 + 60);
    }
    expect(keys(two.rows)).toEqual(keys(one.rows));
    expect(two.json!.cells.map((c) => c.client?.workers)).toEqual([2, 2]);
  });

  it('rejects a bad workers value with file:line:col and exit 2, and a bad --workers flag', async () => {
    const bad = await run(spec('http://127.0.0.1:9', 'workers: 0'), []);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/spec\.yaml:\d+:\d+.*workers/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    const flag = await run(spec('http://127.0.0.1:9', ''), ['--workers', 'many']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('expected auto or a whole number from 1 to 64');
  });
});

describe('signals with workers: 2', () => {
  it('Ctrl-C stops sending, keeps finished rows and exits 130', async () => {
    const s = await serve((_req, res) => streamChat(res, { ttftMs: 20, itlMs: 10, tokens, usage: 'separate' }, true));
    const dir = tempDir();
    const file = writeSpec(spec(s.baseUrl, 'matrix: { concurrency: [4] }\nrequests: 800'), dir);
    const out = join(dir, 'out');
    const r = await runCli(['run', file, '--out', out, '--workers', '2'], {
      env: { LLM_SWEEP_PROGRESS_MS: '100' },
      timeoutMs: 120_000,
      signalAfter: { done: 8, total: 800, signal: 'SIGINT' },
    });
    expect(r.signalled).toBe(true);
    expect(r.code).toBe(130);
    const rows = parseRequestsCsv(readFileSync(join(out, 'requests.csv'), 'utf8')).records;
    expect(rows.length).toBeGreaterThanOrEqual(8);
    expect(rows.length).toBeLessThan(800);
    // Requests in flight at the signal finished within the grace period: every row is whole.
    expect(rows.every((x) => x.status === 'ok')).toBe(true);
    expect(new Set(keys(rows)).size).toBe(rows.length);
    const runJson = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as { interrupted: boolean };
    expect(runJson.interrupted).toBe(true);
  });

  it('auto leaves a loopback server a core: past 256 streams, one loop on 2 cores, worker threads only beside a free one', async () => {
    const s = await serve((_req, res) => streamChat(res, { ttftMs: 5, itlMs: 2, tokens }, true));
    const r = await run(spec(s.baseUrl, 'matrix: { concurrency: [300] }\nrequests: 300'), ['--workers', 'auto']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.rows).toHaveLength(300);
    expect(r.rows.every((x) => x.status === 'ok')).toBe(true);
    // 300 in flight asks for 2 loops; this 127.0.0.1 server keeps one of the cores.
    const loops = Math.max(1, Math.min(availableParallelism() - 1, 2));
    expect(r.json!.cells[0].client?.workers).toBe(loops === 1 ? undefined : loops);
    expect(s.maxOpen()).toBeLessThanOrEqual(300);
  });

  it('after SIGKILL mid-run, --resume (with another worker count) sends exactly the missing requests', async () => {
    const s = await serve((_req, res) => streamChat(res, { ttftMs: 3, itlMs: 2, tokens: ['x', 'y', 'z'], usage: 'separate' }, true));
    const dir = tempDir();
    const file = writeSpec(spec(s.baseUrl, 'matrix: { temperature: [0, 1], concurrency: [2, 4] }\nrequests: 30'), dir);
    const out = join(dir, 'out');
    const first = await runCli(['run', file, '--out', out, '--workers', '2'], {
      env: { LLM_SWEEP_PROGRESS_MS: '50' },
      timeoutMs: 120_000,
      signalAfter: { done: 40, total: 120, signal: 'SIGKILL' },
    });
    expect(first.signalled).toBe(true);
    expect(first.signal).toBe('SIGKILL');
    const before = keys(parseRequestsCsv(readFileSync(join(out, 'requests.csv'), 'utf8')).records);
    expect(before.length).toBeLessThan(120);
    const sentBefore = s.seen.length;
    const second = await runCli(['run', file, '--resume', out, '--quiet', '--workers', 'auto'], { timeoutMs: 120_000 });
    expect(second.code, second.stderr).toBe(0);
    const after = keys(parseRequestsCsv(readFileSync(join(out, 'requests.csv'), 'utf8')).records);
    expect(after).toHaveLength(120);
    expect(new Set(after).size).toBe(120);
    expect(s.seen.length - sentBefore).toBe(120 - before.length);
  });
});
