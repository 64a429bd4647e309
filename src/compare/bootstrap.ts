/**
 * Two-sample percentile bootstrap of the change in a statistic (current - baseline): both
 * sides are resampled with replacement, the statistic recomputed, and the interval read
 * from the quantiles of the differences. Chosen over Mann-Whitney U because it tests the
 * very statistic a rule gates on (a p95 regression confined to the tail moves the p95 but
 * hardly the rank sum), and works the same for means, percentiles, rates and ratios.
 * Seeded, so the same inputs always give the same verdict.
 */
import { mulberry32 } from '../random.js';
import { percentileSorted } from '../metrics/stats.js';
import type { RequestSample } from './gate-metrics.js';

export interface BootstrapOptions {
  /** Number of resamples. */
  resamples: number;
  /** Confidence level of the interval, e.g. 0.95. */
  confidence: number;
  seed: number;
  /**
   * The values the interval is centred on, baseline and current: the cell summary's, which
   * the compare row shows. Each resampled statistic is mapped onto them (see `anchored`), so
   * the interval describes the change the row prints and always surrounds it.
   */
  anchor?: [number, number];
}

export interface BootstrapResult {
  /** The statistic on the full samples, baseline and current. */
  estimate: [number, number];
  /** Interval of current - baseline at the given confidence. */
  ci: [number, number];
  /** Two-sided p-value of "no change": twice the share of resampled differences on the far side of 0. */
  p: number;
  n: [number, number];
}

/** Undefined when either side has no values. */
export function bootstrapDifference(a: RequestSample, b: RequestSample, opts: BootstrapOptions): BootstrapResult | undefined {
  const na = a.x.length;
  const nb = b.x.length;
  if (na === 0 || nb === 0) return undefined;
  const random = mulberry32(opts.seed);
  const ea = a.stat(a.x, a.y);
  const eb = b.stat(b.x, b.y);
  const diffs = new Float64Array(opts.resamples);
  const [va, vb] = opts.anchor ?? [ea, eb];
  const bufA = anchored(resampler(a, na), ea, va, a.scale);
  const bufB = anchored(resampler(b, nb), eb, vb, b.scale);
  let below = 0;
  let above = 0;
  let count = 0;
  for (let i = 0; i < opts.resamples; i++) {
    const d = bufB(random) - bufA(random);
    if (!Number.isFinite(d)) continue;
    diffs[count++] = d;
    if (d <= 0) below++;
    if (d >= 0) above++;
  }
  const sorted = diffs.subarray(0, count).sort();
  const alpha = 1 - opts.confidence;
  return {
    estimate: [ea, eb],
    ci: [percentileSorted(sorted, (alpha / 2) * 100), percentileSorted(sorted, (1 - alpha / 2) * 100)],
    p: count > 0 ? Math.min(1, (2 * Math.min(below, above)) / count) : 1,
    n: [na, nb],
  };
}

/**
 * A resampled statistic t* mapped onto the shown value v: v + (t* - t) for a statistic that is
 * the metric itself (they differ only by the summary's rounding), v * t* / t for a proxy
 * (`scale`), whose relative spread stands for the metric's (cell throughput has no
 * per-request value). At t* = t both give v, so the interval is the interval of the change
 * the row shows, never of another statistic's.
 */
function anchored(draw: (random: () => number) => number, t: number, v: number, scale?: boolean): (random: () => number) => number {
  if (scale && t !== 0 && Number.isFinite(t)) return (random) => (v * draw(random)) / t;
  return (random) => v + (draw(random) - t);
}

/** A function drawing one resample of `s` (same size) and returning its statistic. */
function resampler(s: RequestSample, n: number): (random: () => number) => number {
  const x = new Float64Array(n);
  const y = s.y ? new Float64Array(n) : undefined;
  return (random) => {
    for (let i = 0; i < n; i++) {
      const j = Math.floor(random() * n);
      x[i] = s.x[j];
      if (y) y[i] = s.y![j];
    }
    return s.stat(x, y);
  };
}
