// TEMPORARY: replaced by the real parser from branch `sse`.
import type { StreamParser } from './stream-parser.js';
export type { StreamParser } from './stream-parser.js';
export interface SseEvent { event?: string; data: string; id?: string }
export function createSseParser(onEvent: (e: SseEvent) => void): StreamParser {
  const dec = new TextDecoder();
  let buf = '';
  let data: string[] = [];
  let event: string | undefined;
  const line = (l: string) => {
    if (l === '') {
      if (data.length) onEvent({ event, data: data.join('\n') });
      data = [];
      event = undefined;
      return;
    }
    if (l.startsWith(':')) return;
    const i = l.indexOf(':');
    const f = i < 0 ? l : l.slice(0, i);
    let v = i < 0 ? '' : l.slice(i + 1);
    if (v.startsWith(' ')) v = v.slice(1);
    if (f === 'data') data.push(v);
    else if (f === 'event') event = v;
  };
  return {
    push(chunk) {
      buf += dec.decode(chunk, { stream: true });
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        line(buf.slice(0, i).replace(/\r$/, ''));
        buf = buf.slice(i + 1);
      }
    },
    end() {
      buf += dec.decode();
      if (buf) line(buf);
      line('');
    },
  };
}
