// TEMPORARY: replaced by the real parser from branch `sse`.
import type { StreamParser } from './stream-parser.js';
export function createNdjsonParser(onLine: (line: string) => void): StreamParser {
  const dec = new TextDecoder();
  let buf = '';
  return {
    push(chunk) {
      buf += dec.decode(chunk, { stream: true });
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const l = buf.slice(0, i).replace(/\r$/, '');
        buf = buf.slice(i + 1);
        if (l.trim()) onLine(l);
      }
    },
    end() {
      buf += dec.decode();
      if (buf.trim()) onLine(buf);
    },
  };
}
