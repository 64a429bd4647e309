import { describe, expect, it } from 'vitest';
import { idleBudget, readResponseConnection } from '../../../src/http/connection.js';
import { readWireText } from '../../helpers/wire-fixtures.js';

/** Headers of a recorded response (`Name: value` lines after the status line), lower-cased names. */
function recordedHeaders(file: string): Record<string, string> {
  const lines = readWireText(file).split(/\r?\n/).slice(1);
  const out: Record<string, string> = {};
  for (const l of lines) {
    const i = l.indexOf(':');
    if (i > 0) out[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
  }
  return out;
}

describe('readResponseConnection', () => {
  it('llama-server 2026-08: a stream says keep-alive for 5 s (and closes anyway); an error says close', () => {
    expect(readResponseConnection('1.1', recordedHeaders('llama-server-2026-08/chat-stream.headers'))).toEqual({
      closes: false,
      keepAliveMs: 5000,
      streamed: true,
    });
    expect(readResponseConnection('1.1', recordedHeaders('llama-server-2026-08/chat.headers'))).toEqual({
      closes: false,
      keepAliveMs: 5000,
      streamed: false,
    });
    expect(readResponseConnection('1.1', recordedHeaders('llama-server-2026-08/too-long.headers')).closes).toBe(true);
  });

  it('HTTP/1.0 closes unless it says keep-alive', () => {
    expect(readResponseConnection('1.0', {}).closes).toBe(true);
    expect(readResponseConnection('1.0', { connection: 'keep-alive', 'content-length': '2' }).closes).toBe(false);
    expect(readResponseConnection('1.1', { connection: 'Keep-Alive, Close' }).closes).toBe(true);
  });
});

describe('idleBudget', () => {
  const learnt = (...k: ('streamed' | 'sized')[]) => new Set(k);
  it('keeps a socket for our own cap, shortened by the server\'s Keep-Alive timeout less a margin', () => {
    expect(idleBudget({ closes: false, streamed: false }, learnt(), 60_000)).toBe(60_000);
    expect(idleBudget({ closes: false, streamed: false, keepAliveMs: 5000 }, learnt(), 60_000)).toBe(4000);
    expect(idleBudget({ closes: false, streamed: false, keepAliveMs: 1000 }, learnt(), 60_000)).toBe(0);
  });

  it('never keeps what the server said or showed it closes', () => {
    expect(idleBudget({ closes: true, streamed: false }, learnt(), 60_000)).toBe(0);
    expect(idleBudget({ closes: false, streamed: true, keepAliveMs: 5000 }, learnt('streamed'), 60_000)).toBe(0);
    // What was learnt about streams says nothing about sized answers.
    expect(idleBudget({ closes: false, streamed: false, keepAliveMs: 5000 }, learnt('streamed'), 60_000)).toBe(4000);
  });
});
