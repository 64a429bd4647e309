/**
 * A cell's check pass rate: the share of checked answers that passed every check, with its
 * Wilson score interval. Counted per answer, not per check, because answers are the
 * independent trials the interval assumes (two checks on one answer are not). Failed
 * requests have no answer and are not checked; error_rate counts them.
 */
import { wilsonInterval } from './wilson.js';

export interface CheckPassRate {
  /** Answers that were checked. */
  checked: number;
  /** Of those, answers that passed every check. */
  passed: number;
  /** passed / checked, 0 to 1. */
  rate: number;
  /** Wilson interval bounds at `confidence`, 0 to 1. */
  low: number;
  high: number;
  confidence: number;
}

/** From each request's checks_passed and checks_total (NaN or undefined: not checked). */
export function checkPassRate(
  passed: ArrayLike<number | undefined>,
  total: ArrayLike<number | undefined>,
  confidence = 0.95,
): CheckPassRate | undefined {
  let checked = 0;
  let all = 0;
  for (let i = 0; i < total.length; i++) {
    const t = total[i];
    if (t === undefined || !(t > 0)) continue;
    checked++;
    if (passed[i] === t) all++;
  }
  const w = wilsonInterval(all, checked, confidence);
  return w && { checked, passed: all, rate: w.rate, low: w.low, high: w.high, confidence };
}
