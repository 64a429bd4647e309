import { describe, expect, it } from 'vitest';
import { createSseParser, type SseEvent } from '../../../src/providers/sse.js';
import {
  bytewise,
  everyCutSubset,
  feed,
  feedBytewiseWithin,
  prng,
  randomChunks,
  splitAt,
  utf8,
  whole,
} from '../../helpers/feed.js';
import { readWire } from '../../helpers/wire-fixtures.js';

const sse = (out: SseEvent[]) => createSseParser((e) => out.push(e));
const parse = (text: string | Uint8Array): SseEvent[] =>
  feed(sse, whole(typeof text === 'string' ? utf8(text) : text));
/** Events with only data (no event type, no id). */
const plain = (...data: string[]): SseEvent[] => data.map((d) => ({ event: undefined, data: d, id: undefined }));

/** Compare two event lists quickly (for the split-everywhere loops), true when equal. */
function sameEvents(a: SseEvent[], b: SseEvent[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i].data !== b[i].data || a[i].event !== b[i].event || a[i].id !== b[i].id) return false;
  }
  return true;
}

/** Byte positions where splitting `bytes` in two changes the parse (empty when none). */
function badSplits(bytes: Uint8Array, expected: SseEvent[]): number[] {
  const bad: number[] = [];
  for (let at = 0; at <= bytes.length; at++) {
    if (!sameEvents(feed(sse, splitAt(bytes, at)), expected)) bad.push(at);
  }
  return bad;
}

describe('createSseParser on recordings of real servers', () => {
  const fixtures = [
    // file, events, finish_reason and usage.completion_tokens of the last JSON chunk
    { file: 'llama-server/chat-stream.sse', events: 14, finish: 'length', completion: 12 },
    { file: 'llama-server/chat-stream-natural-stop.sse', events: 321, finish: 'stop', completion: 319 },
    { file: 'llama-server/completions-stream.sse', events: 10, finish: 'length', completion: 8 },
    { file: 'mock-llm/chat-stream.sse', events: 24, finish: 'stop', completion: undefined },
  ];

  for (const f of fixtures) {
    describe(f.file, () => {
      const bytes = readWire(f.file);
      const events = parse(bytes);

      it(`parses ${f.events} events ending in [DONE]`, () => {
        expect(events).toHaveLength(f.events);
        expect(events.at(-1)).toEqual({ event: undefined, data: '[DONE]', id: undefined });
        for (const e of events.slice(0, -1)) expect(() => JSON.parse(e.data)).not.toThrow();
        const last = JSON.parse(events.at(-2)!.data);
        expect(last.choices[0].finish_reason).toBe(f.finish);
        expect(last.usage?.completion_tokens).toBe(f.completion);
        expect(events.every((e) => e.event === undefined && e.id === undefined)).toBe(true);
        // Every byte but the `data: ` prefixes and blank lines ends up in the data (ASCII files).
        const dataChars = events.reduce((n, e) => n + e.data.length, 0);
        expect(dataChars).toBe(bytes.length - f.events * 'data: \n\n'.length);
      });

      it('gives the same events split in two at every byte position', () => {
        expect(badSplits(bytes, events)).toEqual([]);
      });

      it('gives the same events fed one byte at a time', () => {
        expect(feed(sse, bytewise(bytes))).toEqual(events);
      });
    });
  }

  it('mock-llm: the content deltas spell the mock text', () => {
    const text = parse(readWire('mock-llm/chat-stream.sse'))
      .slice(0, -1)
      .map((e) => JSON.parse(e.data).choices[0].delta.content ?? '')
      .join('');
    expect(text).toBe('The quick brown fox jumps over the lazy dog. The quick brown fox jumps over the lazy dog.');
  });
});

describe('createSseParser fields', () => {
  it('parses a data line and dispatches on the blank line', () => {
    expect(parse('data: hello\n\n')).toEqual(plain('hello'));
  });

  it('strips exactly one space after the colon, and accepts none', () => {
    expect(parse('data:hello\n\ndata: hello\n\ndata:  hello\n\ndata:\thello\n\n')).toEqual(
      plain('hello', 'hello', ' hello', '\thello'),
    );
  });

  it('keeps colons inside the value', () => {
    expect(parse('data: {"a":"b:c"}\n\n')).toEqual(plain('{"a":"b:c"}'));
  });

  it('joins multi-line data with \\n, empty data lines included', () => {
    expect(parse('data: a\ndata: b\ndata:\n\n')).toEqual(plain('a\nb\n'));
    expect(parse('data: {\ndata:  "x": 1\ndata: }\n\n')).toEqual(plain('{\n "x": 1\n}'));
  });

  it('dispatches an empty data field (with or without a colon) as an empty string', () => {
    expect(parse('data\n\ndata:\n\ndata: \n\n')).toEqual(plain('', '', ''));
  });

  it('does not dispatch an event without data lines, and forgets its fields', () => {
    expect(parse('event: ping\n\n')).toEqual([]);
    expect(parse('id: 1\nevent: ping\n\ndata: x\n\n')).toEqual(plain('x'));
  });

  it('reads event: error with its data', () => {
    const body = '{"error":{"message":"model overloaded","type":"server_error"}}';
    expect(parse(`event: error\ndata: ${body}\n\n`)).toEqual([{ event: 'error', data: body, id: undefined }]);
  });

  it('leaves event undefined when the field is absent or empty, and per event', () => {
    expect(parse('event: delta\ndata: a\n\ndata: b\n\nevent:\ndata: c\n\n')).toEqual([
      { event: 'delta', data: 'a', id: undefined },
      ...plain('b', 'c'),
    ]);
  });

  it('takes the last event field of an event', () => {
    expect(parse('event: a\nevent: b\ndata: x\n\n')).toEqual([{ event: 'b', data: 'x', id: undefined }]);
  });

  it('reads the id field of each event; an id with NUL is ignored', () => {
    expect(parse('id: 42\ndata: x\n\ndata: y\n\nid\ndata: z\n\nid: a\0b\ndata: w\n\n')).toEqual([
      { event: undefined, data: 'x', id: '42' },
      { event: undefined, data: 'y', id: undefined },
      { event: undefined, data: 'z', id: '' },
      { event: undefined, data: 'w', id: undefined },
    ]);
  });

  it('delivers an {"error":...} payload as a normal event', () => {
    const body = '{"error":{"message":"Rate limit reached","type":"rate_limit_error","code":429}}';
    expect(parse(`data: ${body}\n\n`)).toEqual(plain(body));
  });

  it('delivers [DONE] as data, and keeps parsing after it', () => {
    expect(parse('data: [DONE]\n\ndata: after\n\n')).toEqual(plain('[DONE]', 'after'));
  });

  it('ignores comment lines, including a comment-only block', () => {
    expect(parse(': ping\n\n:\n: another\ndata: x\n: between\ndata: y\n\n')).toEqual(plain('x\ny'));
  });

  it('ignores unknown fields; field names are exact and case-sensitive', () => {
    const text =
      'retry: 1000\nfoo: bar\nDATA: no\nData: no\ndata : no\ndatas: no\nevents: no\nidx: no\n' +
      'dat: no\ndata: yes\n\n';
    expect(parse(text)).toEqual(plain('yes'));
  });
});

describe('createSseParser line endings', () => {
  it('accepts \\n, \\r\\n and \\r, also mixed in one stream', () => {
    expect(parse('data: a\r\ndata: b\r\n\r\n')).toEqual(plain('a\nb'));
    expect(parse('data: a\rdata: b\r\rdata: c\r\r')).toEqual(plain('a\nb', 'c'));
    expect(parse('data: a\r\ndata: b\rdata: c\n\r\ndata: d\r\n\n')).toEqual(plain('a\nb\nc', 'd'));
  });

  it('treats \\r\\n split between chunks as one line ending', () => {
    const chunks = ['data: a\r', '\ndata: b\r', '\n\r', '\n'].map(utf8);
    expect(feed(sse, chunks)).toEqual(plain('a\nb'));
  });

  it('treats \\r then a chunk starting with \\r as two line endings', () => {
    expect(feed(sse, ['data: a\r', '\rdata: b\r', '\r'].map(utf8))).toEqual(plain('a', 'b'));
  });

  it('gives the same result for every cut of a CRLF-heavy stream', () => {
    const bytes = utf8('data: a\r\n\r\ndata: b\r\rdata: c\n\n: x\r\ndata: d\r\n\r\n');
    const expected = plain('a', 'b', 'c', 'd');
    expect(parse(bytes)).toEqual(expected);
    expect(badSplits(bytes, expected)).toEqual([]);
    expect(feed(sse, bytewise(bytes))).toEqual(expected);
  });

  it('dispatches as soon as the blank line arrives, without waiting for a possible \\n', () => {
    const got: SseEvent[] = [];
    const parser = createSseParser((e) => got.push(e));
    parser.push(utf8('data: a\n\n'));
    expect(got).toEqual(plain('a'));
    parser.push(utf8('data: b\r\r'));
    expect(got).toEqual(plain('a', 'b'));
    parser.push(utf8('\ndata: c\r\n\r\n')); // the \n completes the \r\r's CRLF: not a blank line
    expect(got).toEqual(plain('a', 'b', 'c'));
    parser.end();
    expect(got).toEqual(plain('a', 'b', 'c'));
  });
});

describe('createSseParser UTF-8', () => {
  it('decodes a 4-byte emoji split across chunks in every way', () => {
    const bytes = utf8('data: a😀b\n\n');
    const at = bytes.indexOf(0xf0);
    expect(bytes.subarray(at, at + 4)).toEqual(new Uint8Array([0xf0, 0x9f, 0x98, 0x80]));
    const chunkings = everyCutSubset(bytes, [at, at + 1, at + 2, at + 3, at + 4]);
    expect(chunkings).toHaveLength(32);
    for (const chunks of chunkings) expect(feed(sse, chunks)).toEqual(plain('a😀b'));
  });

  it('decodes 2-, 3- and 4-byte characters fed one byte at a time', () => {
    const text = 'data: é € 😀 日本語\n\ndata: 🎉\n\n';
    expect(feed(sse, bytewise(utf8(text)))).toEqual(plain('é € 😀 日本語', '🎉'));
  });

  it('decodes a character split right before the line ending', () => {
    const bytes = utf8('data: 😀\r\n\r\n');
    expect(feed(sse, [bytes.subarray(0, 8), bytes.subarray(8, 10), bytes.subarray(10)])).toEqual(plain('😀'));
  });

  it('drops a UTF-8 BOM at the very start, however it is split', () => {
    const bytes = utf8('\uFEFFdata: x\n\n');
    expect(bytes.subarray(0, 3)).toEqual(new Uint8Array([0xef, 0xbb, 0xbf]));
    for (const chunks of everyCutSubset(bytes, [1, 2, 3, 4])) expect(feed(sse, chunks)).toEqual(plain('x'));
  });

  it('keeps U+FEFF that is not at the start of the stream', () => {
    // A second BOM, or one after the first event, makes the field name unknown.
    expect(parse('\uFEFF\uFEFFdata: x\n\n')).toEqual([]);
    expect(parse('data: a\n\n\uFEFFdata: b\n\n')).toEqual(plain('a'));
    expect(parse('data: \uFEFFa\n\n')).toEqual(plain('\uFEFFa'));
  });

  it('replaces invalid and truncated UTF-8 with U+FFFD', () => {
    const bytes = new Uint8Array([...utf8('data: a'), 0xff, ...utf8('b\n\ndata: '), 0xf0, 0x9f]);
    expect(parse(bytes)).toEqual(plain('a\uFFFDb', '\uFFFD'));
    expect(feed(sse, bytewise(bytes))).toEqual(plain('a\uFFFDb', '\uFFFD'));
  });
});

describe('createSseParser end()', () => {
  it('dispatches a final event that has data but no blank line (deliberately, unlike the spec)', () => {
    expect(parse('data: a\n\ndata: [DONE]\n')).toEqual(plain('a', '[DONE]'));
    expect(parse('data: a\n\ndata: [DONE]')).toEqual(plain('a', '[DONE]'));
    expect(parse('event: error\ndata: {"error":"cut"}\r')).toEqual([
      { event: 'error', data: '{"error":"cut"}', id: undefined },
    ]);
  });

  it('does not dispatch a final block without data', () => {
    expect(parse('data: a\n\nevent: x\nid: 1\n: c')).toEqual(plain('a'));
  });

  it('delivers nothing for an empty stream, nor twice on a second end()', () => {
    expect(feed(sse, [])).toEqual([]);
    const got: SseEvent[] = [];
    const parser = createSseParser((e) => got.push(e));
    parser.push(utf8('data: x'));
    expect(got).toEqual([]);
    parser.end();
    parser.end();
    expect(got).toEqual(plain('x'));
  });
});

describe('createSseParser against a naive whole-buffer reference', () => {
  /** The spec's algorithm written the obvious way, over the whole decoded text. */
  function reference(bytes: Uint8Array): SseEvent[] {
    const lines = new TextDecoder().decode(bytes).split(/\r\n|\r|\n/);
    const out: SseEvent[] = [];
    let data: string[] = [];
    let event = '';
    let id: string | undefined;
    const dispatch = () => {
      if (data.length > 0) out.push({ event: event || undefined, data: data.join('\n'), id });
      data = [];
      event = '';
      id = undefined;
    };
    lines.forEach((line, i) => {
      if (i === lines.length - 1 && line === '') return; // text ended with a line ending
      if (line === '') return dispatch();
      if (line.startsWith(':')) return;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'data') data.push(value);
      else if (field === 'event') event = value;
      else if (field === 'id' && !value.includes('\0')) id = value;
    });
    dispatch();
    return out;
  }

  const pieces: (string | number[])[] = [
    'data', 'data:', 'data: ', 'event: ', 'event:error', 'id: ', 'id:7', 'retry: 9', ':', ': ping',
    ' ', 'x', '{"a":1}', '[DONE]', 'é', '€', '😀', '\uFEFF', '\0', '\r', '\n', '\r\n', '\n\n', '\r\r',
    [0xff], [0xf0, 0x9f], [0xc3],
  ];

  it('matches it on 400 random streams, each cut at random', () => {
    const rand = prng(20240601);
    for (let n = 0; n < 400; n++) {
      const parts: number[] = [];
      const count = 1 + Math.floor(rand() * 40);
      for (let k = 0; k < count; k++) {
        const p = pieces[Math.floor(rand() * pieces.length)];
        parts.push(...(typeof p === 'string' ? utf8(p) : p));
      }
      const bytes = new Uint8Array(parts);
      const expected = reference(bytes);
      const label = `case ${n}: ${JSON.stringify(new TextDecoder().decode(bytes))}`;
      expect(parse(bytes), label).toEqual(expected);
      expect(feed(sse, bytewise(bytes)), label).toEqual(expected);
      expect(feed(sse, randomChunks(bytes, rand, 7)), label).toEqual(expected);
    }
  });
});

describe('createSseParser is linear in the input', () => {
  it('parses a 2 MB data line fed one byte at a time', () => {
    const payload = 'x'.repeat(2_000_000);
    const got: SseEvent[] = [];
    feedBytewiseWithin(sse(got), utf8(`data: ${payload}\n\n`), 5_000);
    expect(got).toHaveLength(1);
    expect(got[0].data.length).toBe(2_000_000);
    expect(got[0].data === payload).toBe(true);
  });

  it('parses 100,000 \\n-terminated events delivered in one chunk', () => {
    // A parser that looks for the next \r from the line start each time rescans the whole
    // remaining chunk per line: quadratic here.
    const bytes = utf8('data: {"choices":[{"delta":{"content":"tok"}}]}\n\n'.repeat(100_000));
    const t0 = performance.now();
    let count = 0;
    const parser = createSseParser(() => count++);
    parser.push(bytes);
    parser.end();
    expect(count).toBe(100_000);
    expect(performance.now() - t0).toBeLessThan(5_000);
  });
});
