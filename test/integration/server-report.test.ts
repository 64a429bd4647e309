/**
 * The real CLI against fakes that report what real servers report about each request
 * (llama.cpp's recorded timings and cached tokens, Ollama's durations, TGI's timing
 * headers), and one that reports nothing: the requests.csv columns after finish_reason, the
 * summary.csv p50s and client_overhead_ms_p50.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { median } from '../../src/metrics/stats.js';
import { streamChat } from '../helpers/fake-openai.js';
import { llamaHandler } from '../helpers/fake-llama.js';
import { OLLAMA_STATS, ollamaHandler } from '../helpers/fake-ollama.js';
import { TGI_TIMINGS, tgiHandler } from '../helpers/fake-tgi.js';
import { DEFAULT_SCRIPT } from '../helpers/fake-wire.js';
import { providerSpec, runOk, useServers } from '../helpers/provider-suite.js';

const serve = useServers();

const NEW_COLUMNS = 'finish_reason,connect_ms,server_queue_ms,server_prefill_ms,server_decode_ms,server_total_ms,cached_tokens';

function summary(out: string): Record<string, string>[] {
  const [header, ...rows] = parse(readFileSync(join(out, 'summary.csv'), 'utf8')) as string[][];
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
}

const cell = (rows: Record<string, string>[], stream: boolean) => rows.find((r) => r.stream === String(stream))!;

describe('what the server reports, end to end', () => {
  it('llama-server: prefill, decode and cached tokens from its recorded answers; connect_ms; summary p50s and client overhead', async () => {
    const s = await serve(llamaHandler({ ttftMs: 30, itlMs: 5 }), { connection: { behaviour: 'close-after-stream' } });
    const r = await runOk(
      providerSpec({ provider: 'openai-chat', baseUrl: `${s.root}/v1`, prompts: '["Say hello."]', params: '{ model: tiny.gguf, max_tokens: 8 }' }).replace(
        'repeat: 1',
        'requests: 4',
      ),
    );
    expect(readFileSync(join(r.out, 'requests.csv'), 'utf8').split('\n')[0]).toContain(NEW_COLUMNS);
    const streamed = r.rows.filter((x) => x.params.stream === true);
    const whole = r.rows.filter((x) => x.params.stream === false);
    expect(streamed).toHaveLength(4);
    for (const x of streamed) {
      expect(x).toMatchObject({ status: 'ok', attempts: 1, server_prefill_ms: 1.327, server_decode_ms: 1.159, cached_tokens: 0 });
      expect(x.server_queue_ms).toBeUndefined();
      expect(x.server_total_ms).toBeUndefined();
      // llama-server closes after every stream: every streamed request paid a connection setup.
      expect(x.connect_ms!).toBeGreaterThan(0);
    }
    for (const x of whole) expect(x).toMatchObject({ status: 'ok', server_prefill_ms: 0.168, server_decode_ms: 0.565, cached_tokens: 69 });
    // Non-streamed answers keep the connection: only the cell's first request connects.
    expect(whole.map((x) => x.connect_ms! > 0).sort()).toEqual([false, false, false, true]);

    const cells = summary(r.out);
    const sc = cell(cells, true);
    expect(sc).toMatchObject({ server_prefill_ms_p50: '1.327', server_decode_ms_p50: '1.159', cached_tokens_p50: '0', server_queue_ms_p50: '' });
    const overhead = median(streamed.map((x) => x.ttft_ms! - 1.327))!;
    expect(Number(sc.client_overhead_ms_p50)).toBeCloseTo(overhead, 2);
    expect(Number(sc.connect_ms_mean)).toBeGreaterThan(0);
    const wc = cell(cells, false);
    expect(wc).toMatchObject({ server_prefill_ms_p50: '0.168', cached_tokens_p50: '69', connect_ms_p50: '0' });
    // No TTFT without a stream, so nothing to compare the server's prefill with.
    expect(wc.client_overhead_ms_p50).toBe('');
  });

  it('Ollama: model load as queue, prompt eval as prefill, eval as decode, and total, streamed and not', async () => {
    const s = await serve(ollamaHandler(DEFAULT_SCRIPT));
    const r = await runOk(providerSpec({ provider: 'ollama', baseUrl: s.root, prompts: '["Say hello."]', params: '{ model: llama3.2 }' }));
    const ms = (ns: number) => ns / 1e6;
    for (const x of r.rows) {
      expect(x).toMatchObject({
        status: 'ok',
        server_queue_ms: ms(OLLAMA_STATS.load_duration),
        server_prefill_ms: ms(OLLAMA_STATS.prompt_eval_duration),
        server_decode_ms: ms(OLLAMA_STATS.eval_duration),
        server_total_ms: ms(OLLAMA_STATS.total_duration),
      });
      expect(x.cached_tokens).toBeUndefined();
    }
    const sc = cell(summary(r.out), true);
    expect(Number(sc.server_total_ms_p50)).toBe(ms(OLLAMA_STATS.total_duration));
    expect(Number(sc.client_overhead_ms_p50)).toBeCloseTo(r.rows.find((x) => x.params.stream)!.ttft_ms! - ms(OLLAMA_STATS.load_duration + OLLAMA_STATS.prompt_eval_duration), 2);
  });

  it('TGI: queue and total from /generate\'s headers; its streams carry none', async () => {
    const s = await serve(tgiHandler(DEFAULT_SCRIPT));
    const r = await runOk(providerSpec({ provider: 'tgi', baseUrl: s.root, prompts: '["Say hello."]', params: '{ max_tokens: 8 }' }));
    const whole = r.rows.find((x) => x.params.stream === false)!;
    expect(whole).toMatchObject({ server_queue_ms: TGI_TIMINGS.queue, server_total_ms: TGI_TIMINGS.validation + TGI_TIMINGS.queue + TGI_TIMINGS.inference });
    expect(whole.server_prefill_ms).toBeUndefined();
    const streamed = r.rows.find((x) => x.params.stream === true)!;
    expect([streamed.server_queue_ms, streamed.server_total_ms]).toEqual([undefined, undefined]);
    expect(cell(summary(r.out), false).server_queue_ms_p50).toBe(String(TGI_TIMINGS.queue));
  });

  it('a server that reports nothing leaves every server column empty', async () => {
    const s = await serve((req, res) => streamChat(res, { ttftMs: 5, itlMs: 2, tokens: ['a', 'b'] }, true));
    const r = await runOk(providerSpec({ provider: 'openai-chat', baseUrl: `${s.root}/v1`, prompts: '["hi"]', params: '{ model: m }', matrix: '  stream: [true]' }));
    const lines = readFileSync(join(r.out, 'requests.csv'), 'utf8').trim().split('\n');
    // connect_ms filled, the five server columns empty (and the checks, cost and search_step columns), round 0, the four workload columns empty.
    expect(lines[1]).toMatch(/,length,\d+(\.\d+)?,,,,,,,,,,0,,,,$/);
    const sc = summary(r.out)[0];
    for (const k of ['server_queue_ms_p50', 'server_prefill_ms_p50', 'server_decode_ms_p50', 'server_total_ms_p50', 'cached_tokens_p50', 'client_overhead_ms_p50']) {
      expect(sc[k], k).toBe('');
    }
  });
});
