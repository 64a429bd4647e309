/** The real CLI against a fake Ollama server, native /api/chat and /api/generate over NDJSON (test/helpers/fake-ollama.ts). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OLLAMA_STATS, ollamaHandler } from '../helpers/fake-ollama.js';
import { DEFAULT_SCRIPT } from '../helpers/fake-wire.js';
import { expectRows, providerSpec, runOk, useServers } from '../helpers/provider-suite.js';

const serve = useServers();

const expected = {
  finishReason: 'length',
  promptTokens: 7,
  completionTokens: 4,
  fail: { status: 404, error: 'HTTP 404: model "llama3.2" not found, try pulling it first' },
  breakStream: 'an error was encountered while running the model: unexpected EOF',
  breakHttp: { status: 500, error: 'HTTP 500: an error was encountered while running the model: unexpected EOF' },
};

describe('provider ollama', () => {
  it('/api/chat over NDJSON: options mapping, counts from the final object, server timings in ms in run.json', async () => {
    const s = await serve(ollamaHandler(DEFAULT_SCRIPT));
    const r = await runOk(
      providerSpec({
        provider: 'ollama',
        baseUrl: s.root,
        params: '{ model: llama3.2, max_tokens: 8, temperature: 0.2, top_p: 0.9, seed: 7, keep_alive: 5m }',
      }),
    );
    expectRows(r.rows, DEFAULT_SCRIPT, expected);
    expect(s.seen[0].url).toBe('/api/chat');
    expect(s.seen[0].body).toEqual({
      model: 'llama3.2',
      keep_alive: '5m',
      messages: [{ role: 'user', content: 'Say hello.' }],
      options: { num_predict: 8, temperature: 0.2, top_p: 0.9, seed: 7 },
      stream: true,
    });
    const run = JSON.parse(readFileSync(join(r.out, 'run.json'), 'utf8')) as { extras?: Record<string, { server_timings_mean: Record<string, number> }> };
    const timings = Object.values(run.extras ?? {}).map((e) => e.server_timings_mean);
    expect(timings).toHaveLength(2);
    for (const t of timings) {
      expect(t).toEqual({
        total_duration_ms: OLLAMA_STATS.total_duration / 1e6,
        load_duration_ms: OLLAMA_STATS.load_duration / 1e6,
        prompt_eval_duration_ms: OLLAMA_STATS.prompt_eval_duration / 1e6,
        eval_duration_ms: OLLAMA_STATS.eval_duration / 1e6,
        eval_tokens_per_s: 4 / 0.2,
        prompt_eval_tokens_per_s: 7 / 0.02,
      });
    }
  });

  it('/api/generate sends the prompt text and the system message apart', async () => {
    const s = await serve(ollamaHandler(DEFAULT_SCRIPT));
    const r = await runOk(
      providerSpec({
        provider: 'ollama',
        baseUrl: s.root,
        target: '  ollama: { api: generate }',
        params: '{ model: llama3.2, max_tokens: 8, suffix: "<end>" }',
        prompts: `[{ messages: [{ role: system, content: "Be brief." }, { role: user, content: "Say hello." }] }]`,
        matrix: '  stream: [true]',
      }),
    );
    expect(r.rows[0]).toMatchObject({ status: 'ok', completion_tokens: 4, finish_reason: 'length' });
    expect(s.seen[0].url).toBe('/api/generate');
    expect(s.seen[0].body).toEqual({ model: 'llama3.2', system: 'Be brief.', prompt: 'Say hello.', suffix: '<end>', options: { num_predict: 8 }, stream: true });
  });
});
