import { describe, expect, it } from 'vitest';
import { checkPassRate } from '../../../src/metrics/check-pass-rate.js';

describe('checkPassRate', () => {
  it('counts answers that passed every check, with the Wilson interval', () => {
    // 20 checked answers, 19 passed all of their 2 checks; two failed requests (NaN) not checked.
    const total = [...Array(20).fill(2), NaN, NaN];
    const passed = [...Array(19).fill(2), 1, NaN, NaN];
    const r = checkPassRate(passed, total)!;
    expect(r).toMatchObject({ checked: 20, passed: 19, rate: 0.95, confidence: 0.95 });
    expect(r.low).toBeCloseTo(0.763868806553258, 9);
    expect(r.high).toBeCloseTo(0.9911185511992047, 9);
  });
  it('is undefined when nothing was checked', () => {
    expect(checkPassRate([NaN], [NaN])).toBeUndefined();
    expect(checkPassRate([], [])).toBeUndefined();
  });
});
