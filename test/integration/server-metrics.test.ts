/**
 * target.metrics through the real CLI. Against the bundled simulator (in this process, so
 * the test knows its model) at concurrency 1, 8 and 32 with a batch of 8: the server's
 * running and waiting requests as the model has them, and its TTFT histogram within a
 * bucket of the client's TTFT less the client's own overhead (measured on a simulator whose
 * TTFT is 0). Then bad metrics URLs (404, HTML, a hang): one warning line each, the run goes
 * on; and `auto` against a server with no /metrics, and credentials that never show.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parse } from 'csv-parse/sync';
import { afterEach, describe, expect, it } from 'vitest';
import { bucketAround } from '../../src/server-metrics/histogram.js';
import { TTFT_BUCKETS_S } from '../../src/simulator/metrics.js';
import { startSimulator } from '../../src/simulator/server.js';
import type { RunningSimulator } from '../../src/simulator/types.js';
import { runCli, tempDir, writeSpec } from '../helpers/cli.js';
import { startFakeServer, type FakeServer } from '../helpers/fake-openai.js';

const sims: RunningSimulator[] = [];
const fakes: FakeServer[] = [];
afterEach(async () => {
  await Promise.all([...sims.splice(0).map((s) => s.close()), ...fakes.splice(0).map((f) => f.close())]);
});

async function sim(opts: Parameters<typeof startSimulator>[0]): Promise<RunningSimulator> {
  const s = await startSimulator(opts);
  sims.push(s);
  return s;
}

async function fake(handler: Parameters<typeof startFakeServer>[0]): Promise<{ root: string; server: FakeServer }> {
  const server = await startFakeServer(handler);
  fakes.push(server);
  return { root: server.baseUrl.replace(/\/v1$/, ''), server };
}

interface Run {
  out: string;
  stderr: string;
  ms: number;
  json: {
    cells: { cell: string; params: Record<string, number>; ttft_ms?: { p50: number }; server_metrics?: Record<string, number> }[];
    extras?: Record<string, { server_metrics?: { url: string; ok: number; failed: number; errors?: string[] }[] }>;
    spec: { target: { metrics?: unknown } };
  };
}

async function run(yaml: string): Promise<Run> {
  const out = join(tempDir(), 'out');
  const t0 = performance.now();
  const r = await runCli(['run', writeSpec(yaml), '--out', out], { timeoutMs: 120_000 });
  const ms = performance.now() - t0;
  expect(r.code, r.stderr).toBe(0);
  return { out, stderr: r.stderr, ms, json: JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as Run['json'] };
}

const spec = (o: { base: string; metrics: string; matrix: string; load: string; params?: string }) => `
name: server-metrics
target:
  provider: openai-chat
  base_url: ${o.base}
  metrics: ${o.metrics}
prompts: ["Explain the KV cache."]
params: ${o.params ?? '{ model: sim-7b, max_tokens: 20 }'}
matrix: ${o.matrix}
${o.load}
output: { formats: [csv, json] }
`;

describe('server metrics against the simulator', () => {
  it("running and waiting as the model has them; the server's TTFT within a bucket of the client's less its overhead", async () => {
    // Each request: 70 ms to the first token, 19 more tokens 8 ms apart, at most 8 at once.
    const server = await sim({ max_batch: 8, ttft_ms: 70, prefill_ms_per_token: 0, itl_ms: 8, jitter: 0.05, batch_slowdown: 0, stop_probability: 0 });
    const r = await run(
      spec({ base: server.baseUrl, metrics: `{ url: "${server.origin}/metrics", interval_ms: 50 }`, matrix: '{ concurrency: [1, 8, 32] }', load: 'duration_s: 2' }),
    );
    // The client's overhead: its TTFT where the server's is 0, scraped as often.
    const zero = await sim({ ttft_ms: 0, prefill_ms_per_token: 0, itl_ms: 0, jitter: 0 });
    const calibration = await run(
      spec({ base: zero.baseUrl, metrics: `{ url: "${zero.origin}/metrics", interval_ms: 50 }`, matrix: '{ concurrency: [1] }', load: 'duration_s: 1' }),
    );
    const overhead = calibration.json.cells[0].ttft_ms!.p50;
    expect(overhead).toBeLessThan(50);

    const bounds = TTFT_BUCKETS_S.map((b) => b * 1000);
    for (const c of r.json.cells) {
      const n = c.params.concurrency;
      const m = c.server_metrics!;
      expect(m, c.cell).toBeDefined();
      // The model's own state: min(n, 8) run whenever requests are in flight, the rest wait.
      const running = Math.min(n, 8);
      // Sampled between scrapes, the mean dips while the client sends the next request; on a
      // busy machine that gap is longer (0.975/7.85 of 1/8 quiet, 7.12 of 8 at load 11).
      expect(Math.abs(m.server_running_mean - running), `${c.cell}: running mean ${m.server_running_mean}`).toBeLessThanOrEqual(0.2 * running);
      expect(m.server_running_max, c.cell).toBe(running);
      expect(m.server_waiting_max, c.cell).toBe(Math.max(0, n - 8));
      // The server's TTFT is the client's less the overhead, which is somewhere between 0 and
      // what the calibration measured (a loaded machine makes it vary): the histogram's p50
      // must lie in the buckets that span that range.
      const client = c.ttft_ms!.p50;
      const low = bucketAround(bounds, Math.max(0, client - overhead)).lower;
      const high = bucketAround(bounds, client).upper;
      const why = `${c.cell}: server p50 ${m.server_ttft_p50_ms} ms, client p50 ${client} ms, overhead ${overhead} ms`;
      expect(m.server_ttft_p50_ms, why).toBeGreaterThanOrEqual(low);
      expect(m.server_ttft_p50_ms, why).toBeLessThanOrEqual(high);
      expect(m.server_requests_per_s).toBeGreaterThan(0);
    }
    const rows = parse(readFileSync(join(r.out, 'server-metrics.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0])).toEqual(['cell', 'source', 'phase', 'time', 'metric', 'labels', 'value', 'error']);
    expect(new Set(rows.map((x) => x.cell))).toEqual(new Set(['c=1', 'c=8', 'c=32']));
    expect(rows.filter((x) => x.metric === 'vllm:num_requests_waiting' && x.cell === 'c=32').some((x) => x.value === '24')).toBe(true);
    const header = readFileSync(join(r.out, 'summary.csv'), 'utf8').split('\n')[0].split(',');
    expect(header).toEqual(expect.arrayContaining(['server_running_mean', 'server_waiting_max', 'server_ttft_p50_ms']));
  });
});

describe('bad metrics URLs', () => {
  it('a 404, an HTML page and a hang: one warning line each naming the URL and the reason, and the run goes on', async () => {
    const server = await sim({ max_batch: 4, ttft_ms: 20, itl_ms: 2, stop_probability: 0 });
    const missing = await fake((_req, res) => void res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found'));
    const html = await fake((_req, res) => void res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>dashboard</body></html>'));
    const hang = await fake(() => undefined);
    const yaml = (metrics: string) =>
      spec({ base: server.baseUrl, metrics, matrix: '{ concurrency: [1, 4] }', load: 'requests: 8', params: '{ model: sim-7b, max_tokens: 5 }' });
    const plain = await run(yaml(`{ url: "${server.origin}/metrics" }`));
    const timeout = 300;
    const r = await run(
      yaml(`
    - { url: "${missing.root}/metrics" }
    - { url: "${html.root}/metrics" }
    - { url: "${hang.root}/metrics", timeout_ms: ${timeout}, interval_ms: 100 }`),
    );
    const warnings = r.stderr.split('\n').filter((l) => l.startsWith('warning: metrics:'));
    expect(warnings).toEqual([
      `warning: metrics: ${missing.root}/metrics: HTTP 404 Not Found; the run goes on (later failures are counted in run.json)`,
      `warning: metrics: ${html.root}/metrics: not Prometheus text (Content-Type text/html); the run goes on (later failures are counted in run.json)`,
      `warning: metrics: ${hang.root}/metrics: timeout after ${timeout} ms; the run goes on (later failures are counted in run.json)`,
    ]);
    expect(r.json.cells.map((c) => c.server_metrics)).toEqual([{}, {}]);
    const sources = r.json.extras!['c=1'].server_metrics!;
    expect(sources.map((s) => [s.ok, s.errors])).toEqual([
      [0, ['HTTP 404 Not Found']],
      [0, ['not Prometheus text (Content-Type text/html)']],
      [0, [`timeout after ${timeout} ms`]],
    ]);
    // Two cells, each waiting at most one timeout before and one after (the hung source in parallel with the others).
    expect(r.ms - plain.ms).toBeLessThan(2 * 2 * timeout + 3000);
    const rows = parse(readFileSync(join(r.out, 'server-metrics.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    expect(rows.every((x) => x.metric === '' && x.error !== '')).toBe(true);
  });

  it('auto says when the server has no /metrics; credentials in a metrics URL never reach a file or the terminal', async () => {
    const server = await sim({ max_batch: 4, ttft_ms: 20, itl_ms: 2, stop_probability: 0 });
    const none = await fake((_req, res) => void res.writeHead(404).end());
    // The fake answers 404 to completions too (error rows, or exit 3): the auto line comes first either way.
    const r = await runCli(
      [
        'run',
        writeSpec(spec({ base: `${none.root}/v1`, metrics: 'auto', matrix: '{ concurrency: [1] }', load: 'requests: 1' })),
        '--out',
        join(tempDir(), 'out'),
      ],
      { timeoutMs: 60_000 },
    );
    expect([0, 3]).toContain(r.code);
    expect(r.stderr).toContain(`metrics: auto found no Prometheus endpoint at ${none.root}/metrics (HTTP 404 Not Found); the run goes on without server metrics`);

    const secret = 'Sup3rSecretPw';
    const withAuth = `${server.origin.replace('http://', `http://scraper:${secret}@`)}/metrics?token=tok3nValue99`;
    const s = await run(spec({ base: server.baseUrl, metrics: `{ url: "${withAuth}", headers: { Authorization: "Bearer hdrSecret123" } }`, matrix: '{ concurrency: [1] }', load: 'requests: 2' }));
    expect(s.json.cells[0].server_metrics?.server_requests_per_s).toBeGreaterThan(0);
    for (const f of readdirSync(s.out)) {
      const text = readFileSync(join(s.out, f), 'utf8');
      for (const bad of [secret, 'tok3nValue99', 'hdrSecret123']) expect(text.includes(bad), `${f} holds ${bad}`).toBe(false);
    }
    expect(s.stderr.includes(secret)).toBe(false);
    expect(JSON.stringify(s.json.spec.target.metrics)).toContain('***');
    expect(existsSync(join(s.out, 'server-metrics.csv'))).toBe(true);
  });
});

describe('merged shards', () => {
  it('merge keeps every shard\'s server-metrics.csv rows, grouped by cell in plan order', async () => {
    const server = await sim({ ttft_ms: 5, itl_ms: 1, jitter: 0 });
    const file = writeSpec(
      spec({ base: server.baseUrl, metrics: `{ url: "${server.origin}/metrics", interval_ms: 50 }`, matrix: '{ concurrency: [1, 2, 3, 4] }', load: 'requests: 4' }),
    );
    const dir = tempDir();
    const shards = [1, 2].map((k) => join(dir, `s${k}`));
    for (const [i, out] of shards.entries()) {
      const r = await runCli(['run', file, '--out', out, '--shard', `${i + 1}/2`, '--quiet'], { timeoutMs: 120_000 });
      expect(r.code, r.stderr).toBe(0);
    }
    const read = (d: string) => parse(readFileSync(join(d, 'server-metrics.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    const parts = shards.map(read);
    const merged = join(dir, 'merged');
    const m = await runCli(['merge', ...shards, '--out', merged], { timeoutMs: 60_000 });
    expect(m.code, m.stderr).toBe(0);
    const rows = read(merged);
    // Nothing lost or added, each row as its shard wrote it.
    expect(rows).toHaveLength(parts[0].length + parts[1].length);
    const key = (r: Record<string, string>) => JSON.stringify(r);
    expect(rows.map(key).sort()).toEqual([...parts[0], ...parts[1]].map(key).sort());
    // Cells in plan order (c=1..4, ids quote their commas in the CSV), whichever shard ran them.
    const cells = [...new Set(rows.map((r) => r.cell))];
    expect(cells).toHaveLength(4);
    const planned = (JSON.parse(readFileSync(join(merged, 'run.json'), 'utf8')) as Run['json']).cells.map((c) => c.cell);
    expect(cells).toEqual(planned);
    expect(new Set(parts[0].map((r) => r.cell)).size + new Set(parts[1].map((r) => r.cell)).size).toBe(4);
  });
});
