/** The official openai SDK (v6) against the simulator: what any OpenAI client sees. */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/simulator/server.js';
import type { RunningSimulator } from '../../src/simulator/types.js';

let sim: RunningSimulator;
let client: OpenAI;
const messages = [{ role: 'user' as const, content: 'Explain the KV cache in one paragraph.' }];

beforeAll(async () => {
  sim = await startSimulator({ ttft_ms: 5, itl_ms: 1, jitter: 0, stop_probability: 0 });
  client = new OpenAI({ baseURL: sim.baseUrl, apiKey: 'sk-test', maxRetries: 0 });
});
afterAll(() => sim.close());

describe('openai SDK: chat.completions', () => {
  it('non-streaming: text, finish_reason and usage', async () => {
    const res = await client.chat.completions.create({ model: 'sim-7b', messages, max_tokens: 12, seed: 1, temperature: 0.5 });
    expect(res.object).toBe('chat.completion');
    expect(res.model).toBe('sim-7b');
    expect(res.choices[0].message.content).toMatch(/^\S.*\S$/);
    expect(res.choices[0].finish_reason).toBe('length');
    expect(res.usage).toEqual({ prompt_tokens: 10, completion_tokens: 12, total_tokens: 22 });
  });

  it('streaming: the same text chunk by chunk, finish_reason, and usage with include_usage', async () => {
    const body = { model: 'sim-7b', messages, max_tokens: 12, seed: 1, temperature: 0.5 };
    const whole = await client.chat.completions.create(body);
    const stream = await client.chat.completions.create({ ...body, stream: true, stream_options: { include_usage: true } });
    let text = '';
    let contentChunks = 0;
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      if (choice?.delta.content) {
        text += choice.delta.content;
        contentChunks++;
      }
      if (choice?.finish_reason) finish = choice.finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(whole.choices[0].message.content);
    expect(contentChunks).toBe(12);
    expect(finish).toBe('length');
    expect(usage).toEqual({ prompt_tokens: 10, completion_tokens: 12, total_tokens: 22 });
  });

  it('finish_reason stop at a stop string', async () => {
    const first = await client.chat.completions.create({ model: 'm', messages, max_tokens: 40, temperature: 0 });
    const word = (first.choices[0].message.content ?? '').split(' ')[3];
    const res = await client.chat.completions.create({ model: 'm', messages, max_tokens: 40, temperature: 0, stop: [` ${word}`] });
    expect(res.choices[0].finish_reason).toBe('stop');
    expect(res.choices[0].message.content).not.toContain(` ${word}`);
    expect(res.usage?.completion_tokens).toBeLessThan(40);
  });

  it('raises typed errors: BadRequestError, RateLimitError with Retry-After', async () => {
    const bad = client.chat.completions.create({ model: 'm', messages: [] });
    await expect(bad).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    await expect(bad).rejects.toMatchObject({ status: 400, code: 'empty_array', param: 'messages', type: 'invalid_request_error' });
    const limited = client.chat.completions.create({ model: 'm', messages }, { headers: { 'x-simulator-fault': '429;retry-after=0' } });
    await expect(limited).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    const e: unknown = await limited.catch((err: unknown) => err);
    expect(e instanceof OpenAI.RateLimitError && e.headers?.get('retry-after')).toBe('0');
  });
});

describe('openai SDK: completions', () => {
  it('non-streaming', async () => {
    const res = await client.completions.create({ model: 'sim-7b', prompt: 'Once upon a time', max_tokens: 5 });
    expect(res.object).toBe('text_completion');
    expect(res.choices[0].text.length).toBeGreaterThan(0);
    expect(res.choices[0].finish_reason).toBe('length');
    expect(res.usage).toEqual({ prompt_tokens: 4, completion_tokens: 5, total_tokens: 9 });
  });

  it('streaming with usage', async () => {
    const whole = await client.completions.create({ model: 'sim-7b', prompt: 'Once upon a time', max_tokens: 5 });
    const stream = await client.completions.create({
      model: 'sim-7b',
      prompt: 'Once upon a time',
      max_tokens: 5,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.text ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe(whole.choices[0].text);
    expect(finish).toBe('length');
    expect(usage?.completion_tokens).toBe(5);
  });

  it('lists models', async () => {
    const page = await client.models.list();
    expect(page.data.map((m) => m.id)).toEqual(['sim-7b']);
  });
});
