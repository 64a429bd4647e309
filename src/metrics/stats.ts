/**
 * metrics/: pure functions from records to numbers. Percentiles are exact, from the sorted
 * recorded values, with linear interpolation between closest ranks (numpy's default, which
 * vLLM's serving benchmark uses), so our p99 and theirs agree on the same data.
 */

export interface Stats {
  count: number;
  mean: number;
  min: number;
  max: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  /** Further percentiles the spec asked for (`percentiles: [99.9]` gives `p99.9`). */
  [extra: `p${number}`]: number;
}

/** The percentiles every summary has; `percentiles:` in a spec adds to them. */
export const BASE_PERCENTILES = [50, 90, 95, 99] as const;

/** The key of percentile q in a Stats object: 99.9 -> `p99.9`. */
export function percentileKey(q: number): `p${number}` {
  return `p${q}` as `p${number}`;
}

/** Percentile q in [0, 100] of ascending-sorted values; NaN for no values. */
export function percentileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  if (n === 1) return sorted[0];
  const pos = (q / 100) * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function percentile(values: readonly number[], q: number): number {
  return percentileSorted(Float64Array.from(values).sort(), q);
}

/** Summary statistics of the finite values, with any `extra` percentiles; undefined when there are none. */
export function stats(values: Iterable<number | undefined>, extra: readonly number[] = []): Stats | undefined {
  const finite: number[] = [];
  for (const v of values) if (v !== undefined && Number.isFinite(v)) finite.push(v);
  if (finite.length === 0) return undefined;
  const sorted = Float64Array.from(finite).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  const out: Stats = {
    count: sorted.length,
    mean: sum / sorted.length,
    min: sorted[0],
    max: sorted[sorted.length - 1],
    p50: percentileSorted(sorted, 50),
    p90: percentileSorted(sorted, 90),
    p95: percentileSorted(sorted, 95),
    p99: percentileSorted(sorted, 99),
  };
  for (const q of extra) out[percentileKey(q)] = percentileSorted(sorted, q);
  return out;
}

export function mean(values: Iterable<number | undefined>): number | undefined {
  let sum = 0;
  let n = 0;
  for (const v of values) {
    if (v !== undefined && Number.isFinite(v)) {
      sum += v;
      n++;
    }
  }
  return n > 0 ? sum / n : undefined;
}

/** Median of a small unsorted array (a request's inter-token gaps); undefined when empty. */
export function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  return percentileSorted(Float64Array.from(values).sort(), 50);
}

/**
 * Smallest and largest of `values` (Infinity and -Infinity when there are none), by a loop:
 * `Math.max(...values)` throws RangeError past ~120,000 values, which one long cell has.
 */
export function extent(values: Iterable<number>): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

/** Rounds to `digits` decimals; keeps undefined. */
export function round(v: number | undefined, digits = 3): number | undefined {
  if (v === undefined || !Number.isFinite(v)) return undefined;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
