import { describe, expect, it } from 'vitest';
import { openaiChat } from '../../../src/providers/openai.js';
import { withChunkTemplates } from '../../../src/providers/chunk-template.js';
import type { StreamDelta, StreamEvent } from '../../../src/providers/types.js';
import { mulberry32 } from '../../../src/random.js';

/** The full decoder, never a template: a fresh per-stream decoder for every event. */
const full = (ev: StreamEvent) => openaiChat.streamDecoder({})(ev);

const chunk = (delta: Record<string, unknown>, extra: Record<string, unknown> = {}, id = 'chatcmpl-1') =>
  JSON.stringify({ id, object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: null }], ...extra });

const PIECES = ['a', ' the', '"', '\\', '\n', '\t', 'é', '日本', '🙂', '\u0001', '{"x":1}', '":"', ' ', ',', 'null', '\u2028'];

function randomToken(random: () => number): string {
  let s = '';
  const n = 1 + Math.floor(random() * 3);
  for (let i = 0; i < n; i++) s += PIECES[Math.floor(random() * PIECES.length)];
  return s;
}

/** Decodes every event with the templated decoder and with the full one; returns both. */
function both(events: StreamEvent[], decode = openaiChat.streamDecoder({})): [(StreamDelta | undefined)[], (StreamDelta | undefined)[]] {
  return [events.map((e) => decode(e)), events.map(full)];
}

describe('the chunk template path', () => {
  it('decodes exactly as the full decoder: random tokens with quotes, escapes and unicode', () => {
    const random = mulberry32(7);
    for (let stream = 0; stream < 50; stream++) {
      const events: StreamEvent[] = [{ event: undefined, data: chunk({ role: 'assistant', content: '' }) }];
      for (let i = 0; i < 40; i++) {
        let data = chunk({ content: randomToken(random) });
        // Some servers escape non-ASCII (\u00e9): the same text, another literal.
        if (random() < 0.2) data = data.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
        events.push({ event: undefined, data });
        if (random() < 0.1) events.push({ event: undefined, data: chunk({ reasoning_content: randomToken(random) }) });
      }
      events.push({ event: undefined, data: chunk({}, { choices: [{ index: 0, delta: {}, finish_reason: 'length' }] }) });
      events.push({ event: undefined, data: JSON.stringify({ id: 'chatcmpl-1', choices: [], usage: { prompt_tokens: 3, completion_tokens: 40, total_tokens: 43 } }) });
      events.push({ event: undefined, data: '[DONE]' });
      const [fast, slow] = both(events);
      expect(fast).toEqual(slow);
    }
  });

  it('falls back to the full decoder when a chunk differs from the template (another id, a finish reason, an error)', () => {
    const events: StreamEvent[] = [
      { event: undefined, data: chunk({ content: 'one' }) },
      { event: undefined, data: chunk({ content: 'two' }) },
      { event: undefined, data: chunk({ content: 'three' }, {}, 'chatcmpl-2') },
      { event: undefined, data: chunk({ content: 'four' }, { choices: [{ index: 0, delta: { content: 'four' }, finish_reason: 'stop' }] }) },
      { event: undefined, data: chunk({ content: '' }) },
      { event: 'error', data: chunk({ content: 'five' }) },
      { event: undefined, data: JSON.stringify({ error: { message: 'boom', code: 500 } }) },
    ];
    const [fast, slow] = both(events);
    expect(fast).toEqual(slow);
    expect(fast[2]).toEqual({ text: 'three' });
    expect(fast[3]).toMatchObject({ text: 'four', finishReason: 'stop' });
    expect(fast[5]).toHaveProperty('error');
  });

  it('reads token chunks after the first by template, without calling the decoder', () => {
    let calls = 0;
    const plain = (ev: StreamEvent): StreamDelta | undefined => {
      calls++;
      const j = JSON.parse(ev.data) as { choices: { delta: { content?: string } }[] };
      const t = j.choices[0].delta.content;
      return t ? { text: t } : undefined;
    };
    const decode = withChunkTemplates(plain);
    const tokens = Array.from({ length: 100 }, (_, i) => `t${i} "q" \\ é`);
    expect(tokens.map((t) => decode({ event: undefined, data: chunk({ content: t }) }))).toEqual(tokens.map((text) => ({ text })));
    // The first chunk in full, once more with the sentinel to verify the template; no more.
    expect(calls).toBe(2);
  });

  it('learns nothing from a decoder that does not put the token back as is', () => {
    // A decoder that upper-cases: the sentinel check fails, so every chunk takes it in full.
    let calls = 0;
    const upper = (ev: StreamEvent): StreamDelta | undefined => {
      calls++;
      const j = JSON.parse(ev.data) as { choices: { delta: { content?: string } }[] };
      const t = j.choices[0].delta.content;
      return t ? { text: t.toUpperCase() } : undefined;
    };
    const decode = withChunkTemplates(upper);
    const out = ['ab', 'cd', 'ef', 'gh', 'ij'].map((t) => decode({ event: undefined, data: chunk({ content: t }) }));
    expect(out).toEqual(['AB', 'CD', 'EF', 'GH', 'IJ'].map((text) => ({ text })));
    expect(calls).toBeGreaterThanOrEqual(5);
  });
});
