/**
 * Quantiles of a Prometheus histogram, as histogram_quantile() computes them: find the
 * bucket holding the rank and interpolate linearly inside it (the lowest bucket starts at 0);
 * a rank in the +Inf bucket gives the highest finite bound. Exact only to a bucket's width,
 * which is why the docs compare the server's quantiles to the client's within a bucket.
 */

/** One cumulative bucket: observations <= `le`. */
export interface Bucket {
  le: number;
  count: number;
}

/** Quantile q in [0, 1] of cumulative buckets; undefined when they hold no observation. */
export function histogramQuantile(buckets: readonly Bucket[], q: number): number | undefined {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  if (sorted.length === 0) return undefined;
  // Bucket increases read from separate scrapes can tear by a count or two: keep them cumulative.
  let running = 0;
  const cum = sorted.map((b) => {
    running = Math.max(running, b.count);
    return { le: b.le, count: running };
  });
  const total = cum[cum.length - 1].count;
  if (!(total > 0)) return undefined;
  const rank = q * total;
  const i = cum.findIndex((b) => b.count >= rank);
  const b = cum[i];
  if (b.le === Infinity) {
    const finite = cum.filter((c) => c.le !== Infinity);
    return finite.length > 0 ? finite[finite.length - 1].le : undefined;
  }
  const lower = i === 0 ? Math.min(0, b.le) : cum[i - 1].le;
  const below = i === 0 ? 0 : cum[i - 1].count;
  const inBucket = b.count - below;
  if (inBucket <= 0) return b.le;
  return lower + (b.le - lower) * ((rank - below) / inBucket);
}

/** The bucket bounds (lower, upper] that hold `value`, from a list of upper bounds. */
export function bucketAround(bounds: readonly number[], value: number): { lower: number; upper: number } {
  const sorted = [...bounds].sort((a, b) => a - b);
  let lower = Math.min(0, sorted[0] ?? 0);
  for (const upper of sorted) {
    if (value <= upper) return { lower, upper };
    lower = upper;
  }
  return { lower, upper: Infinity };
}
