/**
 * Server-Sent Events framing, after the WHATWG "event stream interpretation"
 * (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation).
 * Bytes in, events out; what an event's data means (JSON chunk, `[DONE]`, an error object)
 * is the provider's business, so `[DONE]` is delivered as ordinary data.
 */
import { createLineSplitter, type StreamParser } from './stream-parser.js';

export type { StreamParser } from './stream-parser.js';

/** One dispatched event. */
export interface SseEvent {
  /** event field, undefined when absent (or empty) */
  event?: string;
  /** data lines joined with \n */
  data: string;
  /** id field of this event, undefined when absent (not the stream's last event ID) */
  id?: string;
}

const SPACE = 32;

/**
 * Parse an SSE byte stream and call `onEvent` for each event that has at least one `data`
 * line. Lines end in `\n`, `\r\n` or `\r`; a line starting with `:` is a comment; a line
 * without a colon is a field with an empty value; one space after the colon is dropped;
 * unknown fields (and `retry`) are ignored.
 *
 * Two choices where a client library differs from a browser's EventSource:
 * - `event` is undefined when the field is absent or empty (a browser says "message").
 * - `id` is the id field of this event's lines (undefined when it had none), not the
 *   stream-wide "last event ID" a browser keeps for reconnecting; we never reconnect.
 *   An id containing U+0000 is ignored, as the spec says.
 */
export function createSseParser(onEvent: (e: SseEvent) => void): StreamParser {
  let data: string | undefined;
  let eventType: string | undefined;
  let id: string | undefined;

  function dispatch(): void {
    if (data !== undefined) {
      // Same property order every time, so the runner's code that reads events stays
      // monomorphic.
      onEvent({ event: eventType, data, id });
    }
    data = undefined;
    eventType = undefined;
    id = undefined;
  }

  function onLine(line: string): void {
    const n = line.length;
    if (n === 0) {
      dispatch();
      return;
    }
    const colon = line.indexOf(':');
    if (colon === 0) return; // comment, e.g. `: ping` keep-alives
    let value: string;
    let nameLength: number;
    if (colon === -1) {
      nameLength = n;
      value = '';
    } else {
      nameLength = colon;
      const from = colon + 1 < n && line.charCodeAt(colon + 1) === SPACE ? colon + 2 : colon + 1;
      value = line.slice(from);
    }
    // Compare the name in place (startsWith + length) rather than slicing it out per line.
    switch (nameLength) {
      case 4:
        if (line.startsWith('data')) data = data === undefined ? value : data + '\n' + value;
        break;
      case 5:
        if (line.startsWith('event')) eventType = value === '' ? undefined : value;
        break;
      case 2:
        if (line.startsWith('id') && !value.includes('\0')) id = value;
        break;
      default:
        break; // unknown field (or `retry`, which only matters to a reconnecting client)
    }
  }

  const lines = createLineSplitter(onLine, 'cr-lf-crlf');
  return {
    push: lines.push,
    end(): void {
      lines.end();
      // Deliberate deviation from the spec, which discards an event whose blank line never
      // came: real servers (and proxies that cut the stream) end with `data: ...` and no
      // blank line, and dropping that event would lose a final chunk or an error.
      dispatch();
    },
  };
}
