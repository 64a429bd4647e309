import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/simulator/server.js';
import type { RunningSimulator, SimulatorServerOptions } from '../../src/simulator/types.js';
import { chatBody, chunks, contentEvents, meanGap, post } from '../helpers/sim-client.js';

const FAST = { ttft_ms: 5, itl_ms: 1, jitter: 0, stop_probability: 0, prefill_ms_per_token: 0 } as const;

let sim: RunningSimulator;
const chatUrl = () => `${sim.baseUrl}/chat/completions`;
const completionsUrl = () => `${sim.baseUrl}/completions`;

beforeAll(async () => {
  sim = await startSimulator(FAST);
});
afterAll(() => sim.close());

async function getJson(url: string) {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

describe('wire format: chat.completions', () => {
  it('streams a role chunk, one chunk per token, a finish chunk and [DONE]; no usage unless asked', async () => {
    const ex = await post(chatUrl(), chatBody({ stream: true, max_tokens: 7 }));
    expect(ex.status).toBe(200);
    expect(ex.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(ex.body.endsWith('data: [DONE]\n\n')).toBe(true);
    const cs = chunks(ex);
    expect(cs).toHaveLength(1 + 7 + 1);
    expect(cs[0].choices[0]).toEqual({ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null });
    for (const c of cs.slice(1, 8)) expect(c.choices[0]).toMatchObject({ delta: { content: expect.any(String) }, finish_reason: null });
    expect(cs[8].choices[0]).toEqual({ index: 0, delta: {}, logprobs: null, finish_reason: 'length' });
    for (const c of cs) {
      expect(c).toMatchObject({ id: cs[0].id, object: 'chat.completion.chunk', model: 'sim-7b', created: expect.any(Number) });
      expect(c).not.toHaveProperty('usage');
    }
    expect(cs[0].id).toMatch(/^chatcmpl-/);
    expect(ex.headers['x-request-id']).toBe(cs[0].id);
  });

  it('adds usage: null to every chunk and a usage chunk with choices [] when include_usage is set', async () => {
    const ex = await post(chatUrl(), chatBody({ stream: true, max_tokens: 5, stream_options: { include_usage: true } }));
    const cs = chunks(ex);
    const last = cs[cs.length - 1];
    expect(last).toMatchObject({ choices: [], usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } });
    expect(cs[cs.length - 2].choices[0].finish_reason).toBe('length');
    for (const c of cs.slice(0, -1)) expect(c.usage).toBeNull();
    expect(contentEvents(ex)).toHaveLength(5);
  });

  it('answers non-streaming requests with one chat.completion and usage', async () => {
    const res = await fetch(chatUrl(), { method: 'POST', body: JSON.stringify(chatBody({ max_completion_tokens: 6 })) });
    const body = (await res.json()) as Record<string, any>;
    expect(body).toMatchObject({
      object: 'chat.completion',
      model: 'sim-7b',
      choices: [{ index: 0, message: { role: 'assistant', content: expect.any(String) }, finish_reason: 'length' }],
      usage: { prompt_tokens: 10, completion_tokens: 6, total_tokens: 16 },
    });
  });

  it('ends at a stop string with finish_reason stop and counts only the tokens sent', async () => {
    const full = await post(chatUrl(), chatBody({ stream: true, max_tokens: 30, temperature: 0 }));
    const text = contentEvents(full).map((e) => JSON.parse(e.data).choices[0].delta.content).join('');
    const stop = text.split(' ')[4];
    const ex = await post(chatUrl(), chatBody({ stream: true, max_tokens: 30, temperature: 0, stop: [` ${stop}`], stream_options: { include_usage: true } }));
    const cs = chunks(ex);
    const got = contentEvents(ex).map((e) => JSON.parse(e.data).choices[0].delta.content).join('');
    expect(text.startsWith(got)).toBe(true);
    expect(got).not.toContain(` ${stop}`);
    expect(cs[cs.length - 2].choices[0].finish_reason).toBe('stop');
    expect(cs[cs.length - 1].usage.completion_tokens).toBe(contentEvents(ex).length);
  });
});

describe('wire format: completions, models, health', () => {
  it('streams text_completion chunks without a role chunk', async () => {
    const ex = await post(completionsUrl(), { model: 'm', prompt: 'Once upon a time', max_tokens: 4, stream: true, stream_options: { include_usage: true } });
    const cs = chunks(ex);
    expect(cs).toHaveLength(4 + 2);
    for (const c of cs) expect(c.object).toBe('text_completion');
    expect(cs[0].choices[0]).toEqual({ index: 0, text: expect.any(String), logprobs: null, finish_reason: null });
    expect(cs[4].choices[0]).toMatchObject({ text: '', finish_reason: 'length' });
    expect(cs[5]).toMatchObject({ choices: [], usage: { prompt_tokens: 4, completion_tokens: 4 } });
    expect(cs[0].id).toMatch(/^cmpl-/);
  });

  it('answers a non-streaming text_completion', async () => {
    const res = await fetch(completionsUrl(), { method: 'POST', body: JSON.stringify({ model: 'm', prompt: 'abc', max_tokens: 3 }) });
    expect(await res.json()).toMatchObject({
      object: 'text_completion',
      model: 'm',
      choices: [{ index: 0, text: expect.any(String), logprobs: null, finish_reason: 'length' }],
      usage: { prompt_tokens: 1, completion_tokens: 3, total_tokens: 4 },
    });
  });

  it('lists models and reports health', async () => {
    expect(await getJson(`${sim.baseUrl}/models`)).toMatchObject({
      status: 200,
      body: { object: 'list', data: [{ id: 'sim-7b', object: 'model', owned_by: 'llm-sweep' }] },
    });
    expect(await getJson(`${sim.baseUrl}/models/llama3-8b`)).toMatchObject({ body: { id: 'llama3-8b', object: 'model' } });
    expect(await getJson(`${sim.origin}/health`)).toEqual({ status: 200, body: { status: 'ok', active: 0, queued: 0 } });
  });
});

describe("wire format: Triton's generate extension", () => {
  const generate = (path: string) => `${sim.origin}/v2/models/${path}`;
  const asked = { return_finish_reason: true, return_num_input_tokens: true, return_num_output_tokens: true };

  it('streams one text_output event per token, then one with the finish reason, and no end marker', async () => {
    const ex = await post(generate('sim-7b/generate_stream'), { text_input: 'Once upon a time', parameters: { max_tokens: 5, stream: true, ...asked } });
    expect(ex.status).toBe(200);
    expect(ex.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(ex.body).not.toContain('[DONE]');
    const cs = chunks(ex);
    expect(cs).toHaveLength(5 + 1);
    // The vLLM backend's shape: str(None) until the end, the prompt in every response, each response's own tokens.
    for (const c of cs.slice(0, 5)) expect(c).toEqual({ model_name: 'sim-7b', model_version: '1', text_output: expect.stringMatching(/./), finish_reason: 'None', num_input_tokens: 4, num_output_tokens: 1 });
    expect(cs[5]).toEqual({ model_name: 'sim-7b', model_version: '1', text_output: '', finish_reason: 'length', num_input_tokens: 4, num_output_tokens: 0 });
    expect(ex.headers['x-request-id']).toMatch(/^triton-sim/);
  });

  it('answers /generate with one object, parameters given as top-level inputs too; the extra outputs only when asked', async () => {
    const res = await fetch(generate('llama/versions/2/generate'), { method: 'POST', body: JSON.stringify({ text_input: 'abc', max_tokens: 3, temperature: 0 }) });
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({ model_name: 'llama', model_version: '1', text_output: expect.any(String) });
    expect((body.text_output as string).length).toBeGreaterThan(0);
    const counted = (await (await fetch(generate('m/generate'), { method: 'POST', body: JSON.stringify({ text_input: 'abc', parameters: { max_new_tokens: 4, ...asked } }) })).json()) as Record<string, unknown>;
    expect(counted).toMatchObject({ finish_reason: 'length', num_input_tokens: 1, num_output_tokens: 4 });
  });

  it('gives the same text as /v1/completions for the same prompt, length and seed', async () => {
    const triton = (await (await fetch(generate('m/generate'), { method: 'POST', body: JSON.stringify({ text_input: 'Tell me', parameters: { max_tokens: 12, seed: 7 } }) })).json()) as { text_output: string };
    const openai = (await (await fetch(completionsUrl(), { method: 'POST', body: JSON.stringify({ model: 'm', prompt: 'Tell me', max_tokens: 12, seed: 7 }) })).json()) as { choices: { text: string }[] };
    expect(triton.text_output).toBe(openai.choices[0].text);
  });

  it('400 in Triton\'s shape without text_input, 405 for GET', async () => {
    const ex = await post(generate('m/generate'), { parameters: { max_tokens: 3 } });
    expect(ex.status).toBe(400);
    expect(JSON.parse(ex.body)).toEqual({ error: "Missing required input 'text_input'." });
    expect((await fetch(generate('m/generate'))).status).toBe(405);
  });
});

describe('errors in OpenAI shape', () => {
  it.each([
    ['bad JSON', '{"model":', null, null],
    ['missing model', { messages: [{ role: 'user', content: 'x' }] }, 'model', 'missing_required_parameter'],
    ['missing messages', { model: 'm' }, 'messages', 'missing_required_parameter'],
    ['a wrong type', { model: 'm', messages: [{ role: 'user', content: 'x' }], max_tokens: 'ten' }, 'max_tokens', 'invalid_type'],
    ['a bad fault header', { model: 'm', messages: [{ role: 'user', content: 'x' }] }, null, 'invalid_fault'],
  ])('400 for %s', async (name, body, param, code) => {
    const headers = name === 'a bad fault header' ? { 'x-simulator-fault': 'explode' } : undefined;
    const ex = await post(chatUrl(), body, { headers });
    expect(ex.status).toBe(400);
    expect(ex.headers['content-type']).toBe('application/json');
    expect(JSON.parse(ex.body)).toEqual({ error: { message: expect.any(String), type: 'invalid_request_error', param, code } });
  });

  it('404 for an unknown path, 405 for a wrong method', async () => {
    const r404 = await getJson(`${sim.baseUrl}/embeddings`);
    expect(r404).toEqual({ status: 404, body: { error: { message: 'Invalid URL (GET /v1/embeddings)', type: 'invalid_request_error', param: null, code: null } } });
    const r405 = await getJson(chatUrl());
    expect(r405.status).toBe(405);
    expect(r405.body.error.type).toBe('invalid_request_error');
  });
});

describe('determinism', () => {
  const text = async (url: string, extra: Record<string, unknown>) => {
    const res = await fetch(url, { method: 'POST', body: JSON.stringify(chatBody({ max_tokens: 20, ...extra })) });
    return ((await res.json()) as any).choices[0].message.content as string;
  };

  it('same seed and temperature give the same text; another seed another text; temperature 0 ignores the seed', async () => {
    const a = await text(chatUrl(), { seed: 1, temperature: 0.7 });
    expect(await text(chatUrl(), { seed: 1, temperature: 0.7 })).toBe(a);
    expect(await text(chatUrl(), { seed: 2, temperature: 0.7 })).not.toBe(a);
    expect(await text(chatUrl(), { seed: 1, temperature: 0 })).toBe(await text(chatUrl(), { seed: 2, temperature: 0 }));
  });

  it('two servers with the same seed give the same texts and the same fault draws', async () => {
    const run = async (seed: number) => {
      const s = await startSimulator({ ...FAST, seed, fault_rate: 0.5, faults: ['429', '503'] });
      const out: string[] = [];
      for (let i = 0; i < 12; i++) {
        const res = await fetch(`${s.baseUrl}/chat/completions`, { method: 'POST', body: JSON.stringify(chatBody({ max_tokens: 3 })) });
        out.push(res.status === 200 ? ((await res.json()) as any).choices[0].message.content : String(res.status));
      }
      await s.close();
      return out;
    };
    const first = await run(9);
    expect(await run(9)).toEqual(first);
    const faulted = first.filter((x) => x === '429' || x === '503');
    expect(faulted.length).toBeGreaterThan(0);
    expect(faulted.length).toBeLessThan(first.length);
    expect(await run(10)).not.toEqual(first);
  });
});

describe('faults', () => {
  const fault = (value: string) => ({ headers: { 'x-simulator-fault': value } });

  it('429 and 503 with Retry-After (default 1 s, or as the header says)', async () => {
    const a = await post(chatUrl(), chatBody({ stream: true }), fault('429'));
    expect([a.status, a.headers['retry-after']]).toEqual([429, '1']);
    expect(JSON.parse(a.body).error).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded' });
    const b = await post(chatUrl(), chatBody(), fault('429;retry-after=0'));
    expect([b.status, b.headers['retry-after']]).toEqual([429, '0']);
    const c = await post(chatUrl(), chatBody(), fault('503;retry-after=2'));
    expect([c.status, c.headers['retry-after']]).toEqual([503, '2']);
    expect(JSON.parse(c.body).error.type).toBe('server_error');
  });

  it('500 with an HTML body', async () => {
    const ex = await post(chatUrl(), chatBody({ stream: true }), fault('500'));
    expect(ex.status).toBe(500);
    expect(ex.headers['content-type']).toMatch(/^text\/html/);
    expect(ex.body).toContain('<h1>500 Internal Server Error</h1>');
  });

  it('reset: the socket dies after `after` content chunks', async () => {
    const ex = await post(chatUrl(), chatBody({ stream: true, max_tokens: 20 }), fault('reset;after=3'));
    expect(ex.status).toBe(200);
    expect(ex.error?.code).toBe('ECONNRESET');
    expect(contentEvents(ex)).toHaveLength(3);
    expect(ex.body).not.toContain('[DONE]');
  });

  it('reset on a non-streaming request: no response at all', async () => {
    const ex = await post(chatUrl(), chatBody({ max_tokens: 5 }), fault('reset'));
    expect(ex.status).toBeUndefined();
    expect(ex.error?.code).toBe('ECONNRESET');
  });

  it('stall: no byte after `after` chunks, and close() still ends the server promptly', async () => {
    const s = await startSimulator(FAST);
    const pending = post(`${s.baseUrl}/chat/completions`, chatBody({ stream: true, max_tokens: 20 }), {
      ...fault('stall;after=2'),
      idleMs: 300,
    });
    const ex = await pending;
    expect(ex.idle).toBe(true);
    expect(contentEvents(ex)).toHaveLength(2);
    // A second stalled stream is still open when the server closes: close() drops it.
    let stalled!: () => void;
    const reached = new Promise<void>((r) => (stalled = r));
    const open = post(`${s.baseUrl}/chat/completions`, chatBody({ stream: true, max_tokens: 20 }), {
      ...fault('stall;after=1'),
      onEvent: (e) => {
        if (e.data.includes('"content":"') && !e.data.includes('"content":""')) stalled();
      },
    });
    await reached;
    const t = performance.now();
    await s.close();
    expect(performance.now() - t).toBeLessThan(1000);
    const closed = await open;
    expect(closed.error).toBeDefined();
    expect(contentEvents(closed)).toHaveLength(1);
  });

  it('malformed: one data line is not JSON, the stream goes on to [DONE]', async () => {
    const ex = await post(chatUrl(), chatBody({ stream: true, max_tokens: 4 }), fault('malformed;after=1'));
    const bad = ex.events.filter((e) => {
      try {
        JSON.parse(e.data);
        return false;
      } catch {
        return e.data !== '[DONE]';
      }
    });
    expect(bad).toHaveLength(1);
    expect(ex.events.indexOf(bad[0])).toBe(2); // role chunk, one token, then the bad line
    expect(contentEvents({ ...ex, events: ex.events.filter((e) => e !== bad[0]) })).toHaveLength(4);
    expect(ex.body.endsWith('data: [DONE]\n\n')).toBe(true);
  });

  it('malformed on a non-streaming request: 200 with a body that is not JSON', async () => {
    const ex = await post(chatUrl(), chatBody({ max_tokens: 3 }), fault('malformed'));
    expect(ex.status).toBe(200);
    expect(() => JSON.parse(ex.body)).toThrow();
  });

  it('slow: the inter-token delay is multiplied (default 10x)', { retry: 2 }, async () => {
    const s = await startSimulator({ ...FAST, itl_ms: 3 });
    const ex = await post(`${s.baseUrl}/chat/completions`, chatBody({ stream: true, max_tokens: 6 }), fault('slow'));
    await s.close();
    expect(meanGap(contentEvents(ex))).toBeGreaterThan(25);
    expect(meanGap(contentEvents(ex))).toBeLessThan(40);
  });

  it('fault_rate draws faults by itself; the header "none" overrides it', async () => {
    const s = await startSimulator({ ...FAST, fault_rate: 1, faults: ['503'] });
    const url = `${s.baseUrl}/chat/completions`;
    expect((await post(url, chatBody())).status).toBe(503);
    expect((await post(url, chatBody({ max_tokens: 2 }), fault('none'))).status).toBe(200);
    await s.close();
  });
});

describe('client aborts', () => {
  it('free the batch slot at once', async () => {
    const opts: Partial<SimulatorServerOptions> = { ...FAST, max_batch: 1, itl_ms: 20, ttft_ms: 10 };
    const s = await startSimulator(opts);
    const url = `${s.baseUrl}/chat/completions`;
    // A long generation (~20 s) that the client abandons after its first token.
    await post(url, chatBody({ stream: true, max_tokens: 1000 }), {
      onEvent: (e, req) => {
        if (e.data.includes('"content":"') && !e.data.includes('"content":""')) req.destroy();
      },
    });
    const next = await post(url, chatBody({ stream: true, max_tokens: 2 }));
    await s.close();
    expect(contentEvents(next)[0].at).toBeLessThan(500);
  });
});
