/**
 * The real CLI against fake OpenAI-compatible servers on 127.0.0.1 with known delays and
 * scripted failures. Timing bounds are generous (a busy CI machine), but each one would
 * catch a wrong definition (e.g. TTFT taken at the role chunk, or latency at [DONE]).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseRequestsCsv } from '../../src/results/read-requests.js';
import { runCli, tempDir, writeSpec } from '../helpers/cli.js';
import { json, openaiError, sleep, startFakeServer, streamChat, type FakeServer } from '../helpers/fake-openai.js';

const servers: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(handler: Parameters<typeof startFakeServer>[0]): Promise<FakeServer> {
  const s = await startFakeServer(handler);
  servers.push(s);
  return s;
}

function spec(baseUrl: string, extra = '', opts: { requests?: number; matrix?: string; target?: string } = {}): string {
  return `name: t
target:
  provider: openai-chat
  base_url: ${baseUrl}
  retry: { retries: 3, backoff_ms: 10, max_backoff_ms: 50 }
  timeout: { connect_ms: 2000, read_ms: 2000 }
${opts.target ?? ''}
prompts: ["Say hello.", "Count to three."]
params: { model: fake, max_tokens: 8 }
matrix:
${opts.matrix ?? '  temperature: [0]'}
requests: ${opts.requests ?? 4}
${extra}
`;
}

async function run(yaml: string, args: string[] = [], env: Record<string, string> = {}) {
  const dir = tempDir();
  const file = writeSpec(yaml, dir);
  const out = join(dir, 'out');
  const res = await runCli(['run', file, '--out', out, '--quiet', ...args], { env });
  const csvPath = join(out, 'requests.csv');
  const csv = existsSync(csvPath) ? readFileSync(csvPath, 'utf8') : '';
  return { ...res, out, csv, rows: csv ? parseRequestsCsv(csv).records : [] };
}

const tokens = ['Hel', 'lo', ' there', ',', ' friend', '.'];

describe('run against an OpenAI-compatible server', () => {
  it('writes one row per planned request with the documented header and timings', async () => {
    const s = await serve((req, res) =>
      streamChat(res, { ttftMs: 120, itlMs: 30, tokens, usage: 'separate', promptTokens: 7, tailMs: 1000 }, Boolean((req.body.stream_options as { include_usage?: boolean } | undefined)?.include_usage)),
    );
    const r = await run(spec(s.baseUrl, '', { matrix: '  temperature: [0, 0.5]', requests: 3 }));
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    const header = r.csv.split('\n')[0];
    expect(header).toBe(
      'cell,temperature,prompt_id,repeat,started_at,status,http_status,error,attempts,queue_ms,latency_ms,ttft_ms,tpot_ms,itl_p50_ms,prompt_tokens,completion_tokens,total_tokens,tokens_source,output_tokens_per_s,finish_reason,connect_ms,server_queue_ms,server_prefill_ms,server_decode_ms,server_total_ms,cached_tokens,checks_passed,checks_total,cost,search_step,round,input_tokens_requested,output_tokens_requested,session,turn',
    );
    expect(r.rows).toHaveLength(6);
    expect(r.rows.map((x) => `${x.cell}/${x.prompt_id}/${x.repeat}`).sort()).toEqual(
      ['t=0/0/0', 't=0/1/0', 't=0/0/1', 't=0.5/0/0', 't=0.5/1/0', 't=0.5/0/1'].sort(),
    );
    for (const row of r.rows) {
      expect(row.status).toBe('ok');
      expect(row.http_status).toBe(200);
      expect(row.attempts).toBe(1);
      // TTFT is the first *content* chunk at 120 ms, not the role chunk at ~0 ms.
      expect(row.ttft_ms!).toBeGreaterThanOrEqual(119);
      expect(row.ttft_ms!).toBeLessThan(800);
      // Latency ends at the last content chunk: 120 + 5 * 30 = 270 ms, not at the usage
      // chunk and [DONE], which the server sends 1 s later.
      expect(row.latency_ms!).toBeGreaterThanOrEqual(269);
      expect(row.latency_ms!).toBeLessThan(1000);
      expect(row.itl_p50_ms!).toBeGreaterThanOrEqual(25);
      expect(row.itl_p50_ms!).toBeLessThan(200);
      expect(row.tpot_ms).toBeCloseTo((row.latency_ms! - row.ttft_ms!) / 5, 2);
      expect(row.prompt_tokens).toBe(7);
      expect(row.completion_tokens).toBe(6);
      expect(row.total_tokens).toBe(13);
      expect(row.tokens_source).toBe('usage');
      expect(row.finish_reason).toBe('length');
      expect(row.queue_ms).toBeUndefined();
    }
    expect(s.seen[0].body).toMatchObject({
      model: 'fake',
      max_tokens: 8,
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'Say hello.' }],
    });
    const summary = readFileSync(join(r.out, 'summary.csv'), 'utf8').split('\n');
    // DESIGN.md's columns first, in order; extra columns only after them.
    expect(summary[0].startsWith(
      'cell,temperature,requests,ok,errors,error_rate,duration_s,requests_per_s,output_tokens_per_s,' +
        'latency_ms_mean,latency_ms_p50,latency_ms_p90,latency_ms_p95,latency_ms_p99,' +
        'ttft_ms_mean,ttft_ms_p50,ttft_ms_p90,ttft_ms_p95,ttft_ms_p99,' +
        'tpot_ms_mean,tpot_ms_p50,tpot_ms_p90,tpot_ms_p95,tpot_ms_p99,' +
        'itl_ms_mean,itl_ms_p50,itl_ms_p90,itl_ms_p95,itl_ms_p99,' +
        'prompt_tokens_mean,completion_tokens_mean,threshold,',
    )).toBe(true);
    expect(summary.filter(Boolean)).toHaveLength(3);
    const runJson = JSON.parse(readFileSync(join(r.out, 'run.json'), 'utf8')) as { cells: unknown[]; spec_hash: string };
    expect(runJson.cells).toHaveLength(2);
    expect(runJson.spec_hash).toMatch(/^[0-9a-f]{16}$/);
  });

  it("reports the mean in flight by Little's law: under the closed loop's 4 slots only by its last requests' drain", async () => {
    const s = await serve((_req, res) => streamChat(res, { ttftMs: 20, itlMs: 5, tokens, usage: 'separate' }, true));
    const r = await run(spec(s.baseUrl, '', { matrix: '  concurrency: [4]', requests: 40 }));
    expect(r.code, r.stderr).toBe(0);
    const { parseSummaryCsv } = await import('../../src/results/summary-csv.js');
    const [cell] = parseSummaryCsv(readFileSync(join(r.out, 'summary.csv'), 'utf8')).summaries;
    // The definition: every row's latency over the cell's wall time.
    const busy = r.rows.reduce((sum, x) => sum + x.latency_ms!, 0);
    expect(cell.concurrency_mean!).toBeCloseTo(busy / (cell.duration_s * 1000), 1);
    // Never more than the slots; 10 requests per slot drain for at most ~one latency at the end.
    expect(cell.concurrency_mean!).toBeLessThanOrEqual(4.05);
    expect(cell.concurrency_mean!).toBeGreaterThan(3);
  });

  it('reads usage from the final chunk (llama.cpp) and estimates tokens when none arrives', async () => {
    const s = await serve((req, res) =>
      streamChat(res, { ttftMs: 5, itlMs: 2, tokens, role: false, usage: req.body.max_tokens === 8 ? 'final' : 'none' }, false),
    );
    const r = await run(spec(s.baseUrl, '', { matrix: '  max_tokens: [8, 9]', requests: 1 }));
    expect(r.code).toBe(0);
    const [withUsage, without] = r.rows;
    expect(withUsage.tokens_source).toBe('usage');
    expect(withUsage.completion_tokens).toBe(6);
    expect(without.tokens_source).toBe('estimate');
    // o200k_base: "Hello there, friend." is 5 tokens; never max_tokens (9).
    expect(without.completion_tokens).toBe(5);
    expect(without.ttft_ms).toBeDefined();
  });

  it('drops stream_options once when the server rejects it, and remembers', async () => {
    const s = await serve((req, res) => {
      if (req.body.stream_options) return openaiError(res, 400, "Unrecognized request argument supplied: stream_options");
      return streamChat(res, { ttftMs: 1, itlMs: 1, tokens, usage: 'none' }, false);
    });
    const r = await run(spec(s.baseUrl, '', { requests: 3 }));
    expect(r.code).toBe(0);
    expect(r.rows.every((x) => x.status === 'ok')).toBe(true);
    expect(r.rows.map((x) => x.attempts).sort()).toEqual([1, 1, 2]);
    expect(s.seen.filter((x) => x.body.stream_options)).toHaveLength(1);
    expect(s.seen).toHaveLength(4);
  });

  it('retries 429 with Retry-After, then succeeds (attempts = 3); never retries a 400', async () => {
    let calls = 0;
    const s = await serve((req, res) => {
      if (req.body.temperature === 1) return openaiError(res, 400, 'temperature out of range');
      calls++;
      if (calls <= 2) return openaiError(res, 429, 'slow down', { 'retry-after': '0' });
      return streamChat(res, { ttftMs: 1, itlMs: 1, tokens, usage: 'separate' }, true);
    });
    const r = await run(spec(s.baseUrl, '', { requests: 1, matrix: '  temperature: [0, 1]' }));
    expect(r.code).toBe(0);
    const ok = r.rows.find((x) => x.params.temperature === 0)!;
    expect(ok.status).toBe('ok');
    expect(ok.attempts).toBe(3);
    const bad = r.rows.find((x) => x.params.temperature === 1)!;
    expect(bad.status).toBe('error');
    expect(bad.http_status).toBe(400);
    expect(bad.attempts).toBe(1);
    expect(bad.error).toBe('HTTP 400: temperature out of range');
  });

  it('honours a Retry-After longer than the backoff', async () => {
    let calls = 0;
    const s = await serve((_req, res) => {
      calls++;
      if (calls === 1) return openaiError(res, 503, 'busy', { 'retry-after': '1' });
      return streamChat(res, { ttftMs: 1, itlMs: 1, tokens, usage: 'separate' }, true);
    });
    const t0 = performance.now();
    const r = await run(spec(s.baseUrl, '', { requests: 1, target: '' }).replace('max_backoff_ms: 50', 'max_backoff_ms: 5000'));
    expect(r.code).toBe(0);
    expect(r.rows[0].attempts).toBe(2);
    expect(performance.now() - t0).toBeGreaterThan(1000);
  });

  it('ends a stalled stream as a timeout row, a reset as a network row, an error event as a stream error', async () => {
    const s = await serve(async (req, res) => {
      const mode = req.body.temperature;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: 'a' }, finish_reason: null }] })}\n\n`);
      if (mode === 0) return; // stall: never another byte
      if (mode === 1) {
        await sleep(5);
        res.socket?.destroy();
        return;
      }
      res.write(`data: ${JSON.stringify({ error: { message: 'model overloaded', type: 'server_error' } })}\n\n`);
      res.end();
    });
    const r = await run(
      spec(s.baseUrl, '', { requests: 1, matrix: '  temperature: [0, 1, 2]' }).replace('read_ms: 2000', 'read_ms: 300'),
    );
    expect(r.code).toBe(0);
    const by = (t: number) => r.rows.find((x) => x.params.temperature === t)!;
    expect(by(0)).toMatchObject({ status: 'error', error_kind: 'timeout', http_status: 200 });
    expect(by(0).error).toMatch(/^timeout: no data for 300 ms/);
    expect(by(1)).toMatchObject({ status: 'error', error_kind: 'network' });
    expect(by(2)).toMatchObject({ status: 'error', error_kind: 'stream', error: 'stream error: model overloaded', http_status: 200 });
  });

  it('stops with exit 3 and one clear line when nothing listens', async () => {
    const s = await serve(() => {});
    const url = s.baseUrl;
    await s.close();
    servers.length = 0;
    const r = await run(spec(url, '', { requests: 50 }));
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`error: cannot reach ${url}: connection refused`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.rows.length).toBeLessThanOrEqual(1);
  });

  it('stops on 401 with a message about the key, without a row per planned request', async () => {
    const s = await serve((_req, res) => openaiError(res, 401, 'Incorrect API key provided: sk-test-***'));
    const r = await run(spec(s.baseUrl, '', { requests: 200, target: '  api_key: ${TEST_KEY}' }), [], { TEST_KEY: 'sk-test-supersecret-123' });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/HTTP 401: the API key or credentials were refused/);
    expect(r.rows.length).toBeLessThan(5);
  });

  it('never writes the API key to any output file', async () => {
    const key = 'sk-live-DO-NOT-LEAK-0123456789';
    const s = await serve((req, res) => {
      // A hostile server that echoes the key back in an error.
      if (req.body.temperature === 1) return openaiError(res, 500, `bad key ${key}`);
      return streamChat(res, { ttftMs: 1, itlMs: 1, tokens, usage: 'separate' }, true);
    });
    const r = await run(
      spec(s.baseUrl, 'output: { save_responses: true }', {
        requests: 1,
        matrix: '  temperature: [0, 1]',
        target: '  api_key: ${LEAK_KEY}\n  headers: { X-Api-Key: "${LEAK_KEY}" }',
      }).replace('retries: 3', 'retries: 0'),
      [],
      { LEAK_KEY: key },
    );
    expect(r.code).toBe(0);
    expect(s.seen[0].headers.authorization).toBe(`Bearer ${key}`);
    for (const f of readdirSync(r.out)) {
      expect(readFileSync(join(r.out, f), 'utf8'), f).not.toContain(key);
    }
    expect(r.stdout + r.stderr).not.toContain(key);
    expect(r.rows.find((x) => x.params.temperature === 1)!.error).toContain('***');
  });

  it('reads a non-streamed answer when stream is false', async () => {
    const s = await serve(async (_req, res) => {
      await sleep(50);
      json(res, 200, {
        id: 'x',
        object: 'chat.completion',
        choices: [{ index: 0, message: { role: 'assistant', content: 'Hi!' }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
      });
    });
    const r = await run(spec(s.baseUrl, '', { requests: 2, matrix: '  stream: [false]' }));
    expect(r.code).toBe(0);
    expect(s.seen[0].body.stream).toBe(false);
    expect(s.seen[0].body.stream_options).toBeUndefined();
    for (const row of r.rows) {
      expect(row).toMatchObject({ status: 'ok', completion_tokens: 2, tokens_source: 'usage', finish_reason: 'stop' });
      expect(row.ttft_ms).toBeUndefined();
      expect(row.latency_ms!).toBeGreaterThanOrEqual(49);
    }
  });
});

describe('Ctrl-C', () => {
  it('stops sending, keeps finished rows on disk, prints the partial table and exits 130', async () => {
    const s = await serve((req, res) =>
      streamChat(res, { ttftMs: 20, itlMs: 10, tokens, usage: 'separate' }, true),
    );
    const dir = tempDir();
    const file = writeSpec(spec(s.baseUrl, '', { requests: 400, matrix: '  temperature: [0, 1]' }).replace('name: t', 'name: t'), dir);
    const out = join(dir, 'out');
    // Interrupt once the progress line says some requests are done: no sleeps as sync.
    const r = await runCli(['run', file, '--out', out], {
      env: { LLM_SWEEP_PROGRESS_MS: '100' },
      signalAfter: { done: 5, total: 800, signal: 'SIGINT' },
    });
    expect(r.signalled).toBe(true);
    expect(r.code).toBe(130);
    // The hint names the exact command that finishes the run.
    expect(r.stderr).toContain(`interrupted: finished rows are saved; to send the rest: llm-sweep run ${file} --resume ${out}\n`);
    const rows = parseRequestsCsv(readFileSync(join(out, 'requests.csv'), 'utf8')).records;
    expect(rows.length).toBeGreaterThanOrEqual(5);
    expect(rows.length).toBeLessThan(800);
    expect(rows.every((x) => x.status === 'ok')).toBe(true);
    // The partial table is printed, and run.json says the run was interrupted.
    expect(r.stdout).toMatch(/ok\/err +req\/s +p50 +p95 +TTFT +tok\/s/);
    const runJson = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as { interrupted: boolean };
    expect(runJson.interrupted).toBe(true);
  });
});
