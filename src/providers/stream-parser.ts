/**
 * The byte-to-line layer shared by the stream framing parsers (sse.ts, ndjson.ts): bytes
 * arrive in chunks cut anywhere, even inside a UTF-8 character or between `\r` and `\n`,
 * and come out as whole decoded lines. It runs once per streamed chunk at high concurrency,
 * so it is linear in the input however the chunks are cut.
 */

/** A push parser for one response body. */
export interface StreamParser {
  /** feed raw bytes as they arrive */
  push(chunk: Uint8Array): void;
  /** end of stream: flush a pending event that had data but no blank line */
  end(): void;
}

/** Which characters end a line. */
export type LineEndings =
  /** `\n`, `\r\n` and a lone `\r` (SSE). */
  | 'cr-lf-crlf'
  /** `\n` only; a `\r` before it stays in the line for the caller to strip (NDJSON). */
  | 'lf';

const LF = 10;
const BOM = 0xfeff;

/**
 * Split a byte stream into lines (without their terminators) and call `onLine` for each.
 * `end()` delivers a last line that had no terminator, if it is not empty. After `end()`
 * the splitter is fresh again (a new stream).
 *
 * A UTF-8 BOM at the very start of the stream is dropped (also when split across chunks);
 * U+FEFF anywhere else is kept. Invalid UTF-8 becomes U+FFFD, as the SSE spec's
 * "UTF-8 decode" does.
 */
export function createLineSplitter(
  onLine: (line: string) => void,
  endings: LineEndings,
): StreamParser {
  const splitCr = endings === 'cr-lf-crlf';
  // Carries a UTF-8 character split across chunks. Both decoders keep a BOM, and the
  // splitter drops it itself, so that either decoder may see the first bytes.
  let streaming = new TextDecoder('utf-8', { ignoreBOM: true });
  // Node's one-shot decode is several times faster than `{ stream: true }` (which goes
  // through ICU), and it gives the same text whenever the streaming decoder holds no partial
  // character and the chunk ends in an ASCII byte. SSE and NDJSON chunks nearly always end
  // in `\n`, so that is the common case.
  const oneShot = new TextDecoder('utf-8', { ignoreBOM: true });
  // The streaming decoder holds no partial character: nothing fed yet, or the last chunk
  // ended in an ASCII byte (which always leaves a UTF-8 decoder with nothing pending).
  let clean = true;
  // No text decoded yet: the first character, if U+FEFF, is the BOM.
  let atStart = true;
  // Text of the line in progress, one entry per chunk that did not finish it; joined once
  // when the line ends, so a long line cut into many chunks costs O(length), not O(length²).
  const pending: string[] = [];
  // The previous chunk ended with `\r`: an `\n` at the start of the next is its other half.
  let skipLf = false;

  function emit(text: string, start: number, end: number): void {
    if (pending.length === 0) {
      onLine(text.slice(start, end));
      return;
    }
    pending.push(text.slice(start, end));
    const line = pending.join('');
    pending.length = 0;
    onLine(line);
  }

  function scan(text: string): void {
    const n = text.length;
    if (n === 0) return; // the chunk held only part of a UTF-8 character
    let start = 0;
    if (atStart) {
      atStart = false;
      if (text.charCodeAt(0) === BOM) start = 1;
    }
    if (skipLf) {
      skipLf = false;
      if (start < n && text.charCodeAt(start) === LF) start++;
    }
    // Next `\n` and `\r` at or after `start`, each searched again only once consumed: a
    // chunk with many `\n` and no `\r` must not rescan the rest of the chunk for `\r` per line.
    let lf = text.indexOf('\n', start);
    let cr = splitCr ? text.indexOf('\r', start) : -1;
    while (lf !== -1 || cr !== -1) {
      if (cr === -1 || (lf !== -1 && lf < cr)) {
        emit(text, start, lf);
        start = lf + 1;
        lf = text.indexOf('\n', start);
      } else {
        emit(text, start, cr);
        start = cr + 1;
        if (start === n) {
          skipLf = true;
        } else if (text.charCodeAt(start) === LF) {
          start++;
          lf = text.indexOf('\n', start);
        }
        cr = text.indexOf('\r', start);
      }
    }
    if (start < n) pending.push(start === 0 ? text : text.slice(start));
  }

  return {
    push(chunk: Uint8Array): void {
      const n = chunk.length;
      if (n === 0) return;
      const endsAscii = chunk[n - 1] < 0x80;
      scan(clean && endsAscii ? oneShot.decode(chunk) : streaming.decode(chunk, { stream: true }));
      clean = endsAscii;
    },
    end(): void {
      // A truncated UTF-8 sequence at the very end becomes U+FFFD here.
      if (!clean) scan(streaming.decode());
      const last = pending.join('');
      pending.length = 0;
      streaming = new TextDecoder('utf-8', { ignoreBOM: true });
      clean = true;
      atStart = true;
      skipLf = false;
      if (last.length > 0) onLine(last);
    },
  };
}
