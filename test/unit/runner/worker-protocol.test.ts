import { describe, expect, it } from 'vitest';
import type { ExchangeResult } from '../../../src/runner/exchange.js';
import { shiftTimes } from '../../../src/runner/worker-protocol.js';

const result = (over: Partial<ExchangeResult> = {}): ExchangeResult => ({
  ok: true,
  attempts: 1,
  sentAt: 100,
  endAt: 400,
  firstTokenAt: 180,
  gaps: [10, 12],
  text: 'x',
  reasoning: '',
  streamed: true,
  ...over,
});

describe('timestamps from a worker thread', () => {
  it('move onto the main clock; durations and gaps stay as they are', () => {
    const r = shiftTimes(result(), -25.5);
    expect([r.sentAt, r.firstTokenAt, r.endAt]).toEqual([74.5, 154.5, 374.5]);
    expect(r.gaps).toEqual([10, 12]);
    expect(r.endAt - r.sentAt).toBe(300);
  });

  it('leave an absent first token absent', () => {
    expect(shiftTimes(result({ firstTokenAt: undefined }), 10).firstTokenAt).toBeUndefined();
  });
});
