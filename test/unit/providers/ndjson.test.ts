import { describe, expect, it } from 'vitest';
import { createNdjsonParser } from '../../../src/providers/ndjson.js';
import { bytewise, everyCutSubset, feed, feedBytewiseWithin, splitAt, utf8, whole } from '../../helpers/feed.js';

const ndjson = (out: string[]) => createNdjsonParser((line) => out.push(line));
const parse = (text: string): string[] => feed(ndjson, whole(utf8(text)));

/** Byte positions where splitting in two changes the lines (empty when none). */
function badSplits(bytes: Uint8Array, expected: string[]): number[] {
  const bad: number[] = [];
  for (let at = 0; at <= bytes.length; at++) {
    const got = feed(ndjson, splitAt(bytes, at));
    if (got.length !== expected.length || got.some((l, i) => l !== expected[i])) bad.push(at);
  }
  return bad;
}

// The shape of Ollama's /api/chat stream.
const OLLAMA =
  '{"model":"llama3","created_at":"2024-05-01T00:00:00Z","message":{"role":"assistant","content":"Hel"},"done":false}\n' +
  '{"model":"llama3","created_at":"2024-05-01T00:00:00Z","message":{"role":"assistant","content":"lo ✓"},"done":false}\n' +
  '{"model":"llama3","created_at":"2024-05-01T00:00:01Z","message":{"role":"assistant","content":""},"done":true,' +
  '"done_reason":"stop","prompt_eval_count":26,"eval_count":2,"eval_duration":4709213000}\n';

describe('createNdjsonParser', () => {
  it('delivers each line as raw text', () => {
    const lines = parse(OLLAMA);
    expect(lines).toHaveLength(3);
    expect(lines.map((l) => JSON.parse(l).message.content)).toEqual(['Hel', 'lo ✓', '']);
    expect(lines.join('\n') + '\n').toBe(OLLAMA);
  });

  it('gives the same lines split in two at every byte position, and byte by byte', () => {
    const bytes = utf8(OLLAMA);
    const expected = parse(OLLAMA);
    expect(badSplits(bytes, expected)).toEqual([]);
    expect(feed(ndjson, bytewise(bytes))).toEqual(expected);
  });

  it('strips the \\r of \\r\\n, also when \\r\\n is split between chunks', () => {
    expect(parse('{"a":1}\r\n{"b":2}\r\n')).toEqual(['{"a":1}', '{"b":2}']);
    expect(feed(ndjson, ['{"a":1}\r', '\n{"b":2}\r', '\n'].map(utf8))).toEqual(['{"a":1}', '{"b":2}']);
  });

  it('does not end a line at a lone \\r (JSON whitespace)', () => {
    expect(parse('{"a":\r1}\n')).toEqual(['{"a":\r1}']);
  });

  it('skips blank and whitespace-only lines', () => {
    expect(parse('\n\n{"a":1}\n\r\n  \n\t\r\n{"b":2}\n\n')).toEqual(['{"a":1}', '{"b":2}']);
    expect(parse('\n\r\n')).toEqual([]);
  });

  it('keeps multi-byte characters split across chunks in every way', () => {
    const bytes = utf8('{"t":"😀é"}\n');
    const at = bytes.indexOf(0xf0);
    for (const chunks of everyCutSubset(bytes, [at, at + 1, at + 2, at + 3, at + 4, at + 5])) {
      expect(feed(ndjson, chunks)).toEqual(['{"t":"😀é"}']);
    }
  });

  it('delivers a last line without newline at end(), and not before', () => {
    const got: string[] = [];
    const parser = createNdjsonParser((l) => got.push(l));
    parser.push(utf8('{"a":1}\n{"done":'));
    expect(got).toEqual(['{"a":1}']);
    parser.push(utf8('true}'));
    expect(got).toEqual(['{"a":1}']);
    parser.end();
    expect(got).toEqual(['{"a":1}', '{"done":true}']);
  });

  it('strips a trailing \\r from a last line without newline', () => {
    expect(parse('{"a":1}\r')).toEqual(['{"a":1}']);
  });

  it('drops a UTF-8 BOM at the start', () => {
    expect(parse('\uFEFF{"a":1}\n')).toEqual(['{"a":1}']);
  });

  it('is linear: a 2 MB line fed one byte at a time', () => {
    const line = `{"content":"${'x'.repeat(2_000_000)}"}`;
    const got: string[] = [];
    feedBytewiseWithin(ndjson(got), utf8(`${line}\n`), 5_000);
    expect(got).toHaveLength(1);
    expect(got[0] === line).toBe(true);
  });
});
