/**
 * The Wilson score interval for a proportion (a check pass rate, an SLO attainment): the
 * interval that the normal approximation gives when it is solved for p instead of being
 * centred on the observed rate. Unlike the plain (Wald) interval it never leaves [0, 1] and
 * stays honest at 0 or n successes and at small n, which is where a benchmark cell lives
 * (20 requests, 19 passed). Newcombe (1998) compares the alternatives.
 */

/** A proportion with its two-sided confidence interval. */
export interface ProportionInterval {
  /** successes / trials, 0 to 1. */
  rate: number;
  /** Lower bound, 0 to 1. */
  low: number;
  /** Upper bound, 0 to 1. */
  high: number;
  /** Two-sided confidence level the bounds are for, e.g. 0.95. */
  confidence: number;
}

/**
 * Wilson score interval of `successes` out of `trials` at two-sided `confidence` (default
 * 0.95); undefined for no trials, where there is no rate to bound.
 */
export function wilsonInterval(successes: number, trials: number, confidence = 0.95): ProportionInterval | undefined {
  if (!(trials > 0)) return undefined;
  if (!(successes >= 0 && successes <= trials)) throw new RangeError(`successes ${successes} not within 0..${trials}`);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence ${confidence} not within (0, 1)`);
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const p = successes / trials;
  const z2n = (z * z) / trials;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z / (1 + z2n)) * Math.sqrt((p * (1 - p)) / trials + z2n / (4 * trials));
  // At 0 or n successes the bound is exactly 0 or 1; rounding would put it a hair off.
  const low = successes === 0 ? 0 : Math.max(0, centre - half);
  const high = successes === trials ? 1 : Math.min(1, centre + half);
  return { rate: p, low, high, confidence };
}

/**
 * The standard normal quantile (inverse CDF) at probability `p` in (0, 1): Acklam's rational
 * approximation (relative error below 1.2e-9), plenty for an interval bound.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`probability ${p} not within (0, 1)`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const tail = 0.02425;
  if (p < tail) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - tail) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}
