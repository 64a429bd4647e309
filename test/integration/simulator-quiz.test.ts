import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { startSimulator } from '../../src/simulator/server.js';
import type { RunningSimulator } from '../../src/simulator/types.js';
import { chunks, post } from '../helpers/sim-client.js';

// The toy quality model on the wire: reasoning_content chunks, then the number as content.
let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startSimulator({ ttft_ms: 1, itl_ms: 0, jitter: 0, prefill_ms_per_token: 0, accuracy: 1, accuracy_drop: 0, think_tokens: 6 });
});
afterAll(() => sim.close());

const question = { model: 'sim-7b', messages: [{ role: 'user', content: 'What is 17 + 25?' }], max_tokens: 64 };

describe('simulator quiz model', () => {
  it('streams the thinking as reasoning_content and the answer as content, with reasoning_tokens in usage', async () => {
    const ex = await post(`${sim.baseUrl}/chat/completions`, { ...question, stream: true, stream_options: { include_usage: true } });
    const cs = chunks(ex);
    const deltas = cs.filter((c) => c.choices?.length).map((c) => c.choices[0].delta);
    const reasoning = deltas.filter((d) => d.reasoning_content !== undefined);
    const content = deltas.map((d) => d.content ?? '').join('');
    expect(reasoning.length).toBeGreaterThanOrEqual(3);
    expect(content).toBe('42');
    const usage = cs[cs.length - 1].usage;
    expect(usage).toMatchObject({ completion_tokens: reasoning.length + 1, completion_tokens_details: { reasoning_tokens: reasoning.length } });
    expect(cs[cs.length - 2].choices[0].finish_reason).toBe('stop');
  });

  it('answers a non-streaming chat with content and reasoning_content, as an SDK reads them', async () => {
    const client = new OpenAI({ baseURL: sim.baseUrl, apiKey: 'none' });
    const r = await client.chat.completions.create({ ...question, messages: [{ role: 'user', content: 'What is 6 * 7?' }] } as never);
    const message = (r as { choices: { message: { content: string; reasoning_content?: string } }[] }).choices[0].message;
    expect(message.content).toBe('42');
    expect(message.reasoning_content).toMatch(/^[A-Z][a-z ,.]+/);
  });

  it('answers a completions prompt with the thinking and " Answer: N" in the text', async () => {
    const res = await fetch(`${sim.baseUrl}/completions`, { method: 'POST', body: JSON.stringify({ model: 'sim-7b', prompt: 'What is 2 + 2?', max_tokens: 64 }) });
    const body = (await res.json()) as { choices: { text: string; finish_reason: string }[] };
    expect(body.choices[0].text).toMatch(/ Answer: 4$/);
    expect(body.choices[0].finish_reason).toBe('stop');
  });
});
