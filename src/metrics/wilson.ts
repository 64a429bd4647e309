/**
 * The Wilson score interval of a proportion (successes out of trials), and the standard
 * normal quantile it needs. Wilson rather than the normal ("Wald") interval because the
 * proportions we bound sit near 0 or 1 (SLO attainment 0.95, a check pass rate 0.99), where
 * the Wald interval is too narrow, can leave [0, 1], and collapses to a point at 0 or n
 * successes. Wilson's stays inside [0, 1] and keeps close to its nominal coverage even for
 * a few dozen trials (Brown, Cai and DasGupta, "Interval Estimation for a Binomial
 * Proportion", 2001).
 */

// Acklam's rational approximation of the normal quantile (relative error < 1.2e-9), so no
// dependency is needed for one function: simple-statistics' probit is a closed-form
// approximation good to ~1e-3 only, and jstat ships no types for its accurate one.
const A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
const P_LOW = 0.02425;

/** Tail region: q = sqrt(-2 ln p) for the lower tail. */
function tail(q: number): number {
  return (
    (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) /
    ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1)
  );
}

/** The standard normal quantile: z with P(Z <= z) = p. -Infinity at 0, Infinity at 1, NaN outside [0, 1]. */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p < P_LOW) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - P_LOW) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q) /
    (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1)
  );
}

/**
 * Two-sided Wilson score interval `[low, high]` of the proportion successes / trials at the
 * given confidence (0.9 = a 90% interval). No trials: [0, 1], nothing is known.
 */
export function wilsonInterval(successes: number, trials: number, confidence: number): [number, number] {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  if (!(trials > 0)) return [0, 1];
  if (!(successes >= 0 && successes <= trials)) throw new RangeError(`successes ${successes} outside 0..${trials}`);
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const z2 = z * z;
  const p = successes / trials;
  const denom = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  // At 0 or n successes one end is exactly 0 or 1; rounding would leave 1e-17 off it.
  const low = successes === 0 ? 0 : Math.max(0, centre - half);
  const high = successes === trials ? 1 : Math.min(1, centre + half);
  return [low, high];
}
