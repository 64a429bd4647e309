/**
 * Newline-delimited JSON framing (Ollama's /api/chat, TGI-style streams): one JSON value
 * per line. Bytes in, raw line text out; the provider JSON.parses each line.
 */
import { createLineSplitter, type StreamParser } from './stream-parser.js';

const CR = 13;

/**
 * Split an NDJSON byte stream on `\n` and call `onLine` with each non-blank line, a
 * trailing `\r` removed. A line holding only whitespace is blank (it is not JSON either).
 * A lone `\r` does not end a line: it is legal whitespace inside a JSON value.
 * `end()` delivers a last line that had no newline.
 */
export function createNdjsonParser(onLine: (line: string) => void): StreamParser {
  return createLineSplitter((line) => {
    const n = line.length;
    if (n === 0) return;
    const text = line.charCodeAt(n - 1) === CR ? line.slice(0, n - 1) : line;
    if (text.trim() === '') return;
    onLine(text);
  }, 'lf');
}
