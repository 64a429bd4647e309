/**
 * Issue 13, item 14: answers whose data cannot be true. Impossible usage is treated as
 * absent (the tokenizer counts instead, and a warning says so); a stream or body with no
 * content and no finish reason is an `empty` error row unless 0 tokens were asked for;
 * content or finish_reason that is not text is a parse error, never "[object Object]".
 */
import { afterEach, describe, expect, it } from 'vitest';
import { json, startFakeServer, type FakeServer } from '../helpers/fake-openai.js';
import { sweepInMemory } from '../helpers/memory-sweep.js';

const servers: FakeServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

/** A server that streams exactly these SSE data payloads (then ends). */
async function streams(...events: unknown[]) {
  const s = await startFakeServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const e of events) res.write(`data: ${typeof e === 'string' ? e : JSON.stringify(e)}\n\n`);
    res.end();
  });
  servers.push(s);
  return s;
}

async function answers(body: unknown) {
  const s = await startFakeServer((_req, res) => json(res, 200, body));
  servers.push(s);
  return s;
}

function spec(baseUrl: string, opts: { stream?: boolean; maxTokens?: number } = {}) {
  return `name: sanity
target: { base_url: ${baseUrl}, retry: { retries: 0 } }
prompts: ["hello there"]
params: { model: m, max_tokens: ${opts.maxTokens ?? 8} }
matrix: { stream: [${opts.stream ?? true}] }
requests: 2
`;
}

const content = (text: unknown, finish: unknown = null) => ({ choices: [{ index: 0, delta: { content: text }, finish_reason: finish }] });

describe('impossible usage is treated as absent, with a warning', () => {
  for (const [what, usage] of [
    ['negative', { prompt_tokens: 5, completion_tokens: -3, total_tokens: 2 }],
    ['huge', { prompt_tokens: 5, completion_tokens: 1e308, total_tokens: 1e308 }],
    ['fractional', { prompt_tokens: 2.5, completion_tokens: 3, total_tokens: 5.5 }],
  ] as const) {
    it(`${what} token counts are estimated instead`, async () => {
      const s = await streams(content('two words'), content('', 'stop'), { choices: [], usage }, '[DONE]');
      const { records, result, events } = await sweepInMemory(spec(s.baseUrl));
      for (const r of records) {
        expect(r.status).toBe('ok');
        expect(r.tokens_source).toBe('estimate');
        expect(r.completion_tokens!).toBeGreaterThan(0);
        expect(r.completion_tokens!).toBeLessThan(10);
        expect(r.prompt_tokens!).toBeGreaterThan(0);
        expect(Number.isInteger(r.total_tokens)).toBe(true);
        expect(r.output_tokens_per_s!).toBeGreaterThan(0);
      }
      expect(Number.isFinite(result.summaries[0].output_tokens_per_s)).toBe(true);
      const warnings = events.filter((e) => e.type === 'warning').map((e) => (e as { message: string }).message);
      expect(warnings.join('\n')).toMatch(/2 responses reported impossible token usage/);
    });
  }
});

describe('empty answers are errors', () => {
  it('a stream of only [DONE]', async () => {
    const s = await streams('[DONE]');
    const { records } = await sweepInMemory(spec(s.baseUrl));
    expect(records.map((r) => [r.status, r.error_kind])).toEqual([
      ['error', 'empty'],
      ['error', 'empty'],
    ]);
    expect(records[0].error).toMatch(/^empty response/);
  });

  it('a stream of only choices: [] (and usage)', async () => {
    const s = await streams({ choices: [] }, { choices: [], usage: { prompt_tokens: 3, completion_tokens: 0, total_tokens: 3 } }, '[DONE]');
    const { records } = await sweepInMemory(spec(s.baseUrl));
    expect(records.map((r) => r.error_kind)).toEqual(['empty', 'empty']);
  });

  it('a JSON body with choices: []', async () => {
    const s = await answers({ choices: [], usage: { prompt_tokens: 3, completion_tokens: 0, total_tokens: 3 } });
    const { records } = await sweepInMemory(spec(s.baseUrl, { stream: false }));
    expect(records.map((r) => r.error_kind)).toEqual(['empty', 'empty']);
  });

  it('an answer that stops at once (finish_reason, no text) is still ok', async () => {
    const s = await streams(content('', 'stop'), '[DONE]');
    const { records } = await sweepInMemory(spec(s.baseUrl));
    expect(records.map((r) => r.status)).toEqual(['ok', 'ok']);
  });
});

describe('content and finish_reason that are not text', () => {
  it('an object as content is a parse error, not "[object Object]"', async () => {
    const s = await streams(content({ text: 'hi' }), content('', 'stop'), '[DONE]');
    const { records } = await sweepInMemory(spec(s.baseUrl));
    expect(records[0].error_kind).toBe('parse');
    expect(records[0].error).toMatch(/content is not text/);
  });

  it('a number as finish_reason is a parse error', async () => {
    const s = await streams(content('hi'), content('', 7), '[DONE]');
    const { records } = await sweepInMemory(spec(s.baseUrl));
    expect(records[0].error_kind).toBe('parse');
    expect(records[0].error).toMatch(/finish_reason is not text/);
  });

  it('in a JSON body too', async () => {
    const s = await answers({ choices: [{ message: { content: ['a'] }, finish_reason: 'stop' }] });
    const { records } = await sweepInMemory(spec(s.baseUrl, { stream: false }));
    expect(records[0].error_kind).toBe('parse');
    expect(records[0].error).not.toMatch(/object Object/);
  });
});
