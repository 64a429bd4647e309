import { describe, expect, it } from 'vitest';
import { judgeProportion } from '../../../src/search/criterion.js';
import { searchCapacity } from '../../../src/search/strategy.js';
import type { Measure, SearchOptions } from '../../../src/search/types.js';
import { formatCapacityLine, percent } from '../../../src/ui/capacity-line.js';

/** At value v, `good(v)` of every 100 requests meet the objective. */
function fixed(good: (v: number) => number): Measure {
  const seen = new Map<number, number>();
  return async (v, more) => {
    const n = (seen.get(v) ?? 0) + ('requests' in more ? more.requests : 0);
    seen.set(v, n);
    return { judgement: judgeProportion((good(v) * n) / 100, n, 0.95, 0.9, 'TTFT p95 <= 500 ms'), requests: n };
  };
}

const opts = (o: Partial<SearchOptions> = {}): SearchOptions => ({
  over: 'concurrency',
  min: 1,
  max: 64,
  budget: { requests: 100 },
  maxRounds: 2,
  maxSteps: 12,
  ...o,
});

describe('formatCapacityLine', () => {
  it('says the capacity, its attainment and interval, and the first fail', async () => {
    const r = await searchCapacity(opts(), fixed((v) => (v <= 24 ? 99 : 71)));
    expect(formatCapacityLine('model=llama3-8b', r, 0.9)).toBe(
      'model=llama3-8b: 24 concurrent requests meet TTFT p95 <= 500 ms (attainment 99%, 90% CI 95-99.8%); 25 do not (71%)',
    );
  });

  it('says < min and >= max in words', async () => {
    const below = await searchCapacity(opts(), fixed(() => 40));
    expect(formatCapacityLine('m', below, 0.9)).toBe(
      'm: even 1 concurrent request does not meet TTFT p95 <= 500 ms (attainment 40%, 90% CI 32-49%): capacity < 1',
    );
    const above = await searchCapacity(opts({ over: 'rate', min: 0.5, max: 20 }), fixed(() => 100));
    expect(formatCapacityLine('m', above, 0.9)).toBe(
      'm: 20 requests/s still meet TTFT p95 <= 500 ms (attainment 100%, 90% CI 97-100%): capacity >= 20, the highest tried',
    );
  });

  it('says when an end of the bracket was too close to call, and when max_steps ran out', async () => {
    const r = await searchCapacity(opts(), fixed((v) => (v < 16 ? 100 : v === 16 ? 95 : 50)));
    expect(formatCapacityLine('m', r, 0.9)).toMatch(/; not decided: 16 was too close to call after 200 requests$/);
    const short = await searchCapacity(opts({ maxSteps: 7 }), fixed((v) => (v <= 23 ? 100 : 50)));
    expect(formatCapacityLine('m', short, 0.9)).toMatch(/; max_steps ran out with the capacity between 16 and 24$/);
  });

  it('writes shares near 100% with a decimal', () => {
    expect(percent(0.956)).toBe('96');
    expect(percent(0.9956)).toBe('99.6');
    expect(percent(1)).toBe('100');
    expect(percent(0.9496, 'down')).toBe('94');
    expect(percent(0.9501, 'up')).toBe('96');
    expect(percent(0.998, 'up')).toBe('99.8');
    expect(percent(0.998, 'down')).toBe('99.8');
  });
});
