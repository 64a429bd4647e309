import { describe, expect, it } from 'vitest';
import { drawFault, FAULT_DEFAULTS, faultResponse, parseFaultHeader } from '../../../src/simulator/faults.js';
import { mulberry32 } from '../../../src/random.js';

describe('parseFaultHeader', () => {
  it('reads a kind with defaults', () => {
    expect(parseFaultHeader('429')).toEqual({ ok: true, fault: { kind: '429', ...FAULT_DEFAULTS } });
    expect(parseFaultHeader(' Reset ')).toEqual({ ok: true, fault: { kind: 'reset', ...FAULT_DEFAULTS } });
  });

  it('reads parameters', () => {
    expect(parseFaultHeader('429;retry-after=0')).toMatchObject({ ok: true, fault: { kind: '429', retryAfterS: 0 } });
    expect(parseFaultHeader('stall; after=5')).toMatchObject({ ok: true, fault: { kind: 'stall', after: 5 } });
    expect(parseFaultHeader('slow;factor=2.5')).toMatchObject({ ok: true, fault: { kind: 'slow', factor: 2.5 } });
  });

  it('turns faults off with none', () => {
    expect(parseFaultHeader('none')).toEqual({ ok: true, fault: undefined });
  });

  it.each([
    ['404', /unknown fault '404'.*429, 500, 503, reset, stall, malformed, slow or none/],
    ['429;wait=1', /unknown parameter 'wait'/],
    ['429;retry-after=-1', /bad value '-1' for retry-after/],
    ['reset;after=1.5', /bad value '1.5' for after/],
    ['slow;factor=0', /bad value '0' for factor/],
    ['slow;factor', /bad value '' for factor/],
  ])('rejects %j', (value, message) => {
    const r = parseFaultHeader(value);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
  });
});

describe('drawFault', () => {
  const count = (rate: number, n = 10_000) => {
    const random = mulberry32(1);
    let hits = 0;
    for (let i = 0; i < n; i++) if (drawFault(random, rate, ['500', 'reset'])) hits++;
    return hits / n;
  };

  it('hits about fault_rate of the requests', () => {
    expect(count(0)).toBe(0);
    expect(count(1)).toBe(1);
    expect(count(0.2)).toBeGreaterThan(0.18);
    expect(count(0.2)).toBeLessThan(0.22);
  });

  it('is deterministic under a seed and uses every kind', () => {
    const seq = (seed: number) => {
      const random = mulberry32(seed);
      return Array.from({ length: 200 }, () => drawFault(random, 0.5, ['429', 'stall'])?.kind ?? '-');
    };
    expect(seq(3)).toEqual(seq(3));
    expect(seq(3)).not.toEqual(seq(4));
    expect(new Set(seq(3))).toEqual(new Set(['-', '429', 'stall']));
  });
});

describe('faultResponse', () => {
  it('429 and 503 carry Retry-After and an OpenAI error body; 500 is HTML', () => {
    const r429 = faultResponse({ kind: '429', ...FAULT_DEFAULTS, retryAfterS: 0 });
    expect(r429.status).toBe(429);
    expect(r429.headers['retry-after']).toBe('0');
    expect(JSON.parse(r429.body)).toMatchObject({ error: { type: 'requests', code: 'rate_limit_exceeded' } });
    const r503 = faultResponse({ kind: '503', ...FAULT_DEFAULTS });
    expect([r503.status, r503.headers['retry-after']]).toEqual([503, '1']);
    const r500 = faultResponse({ kind: '500', ...FAULT_DEFAULTS });
    expect(r500.headers['content-type']).toMatch(/^text\/html/);
    expect(r500.body).toMatch(/^<html>/);
  });
});
