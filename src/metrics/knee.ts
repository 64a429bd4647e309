/**
 * The knee of a throughput-latency curve (docs/metrics.md): walking the points in order of
 * load, the last point before the first step where throughput grows by less than
 * KNEE.throughputGain while latency grows by more than KNEE.latencyGrowth. Past it, more load
 * buys latency, not throughput. Pure.
 */

export const KNEE = {
  /** A step that adds less throughput than this share (0.1 = 10%) ... */
  throughputGain: 0.1,
  /** ... while adding more latency than this share (0.2 = 20%) is past the knee. */
  latencyGrowth: 0.2,
} as const;

export interface CurvePoint {
  /** Throughput at this load, e.g. output tokens/s. */
  throughput: number;
  /** Latency at this load, e.g. p95 ms. */
  latency: number;
}

/** Index of the knee among `points` (in load order); undefined when the curve has none. */
export function kneeIndex(points: readonly CurvePoint[], k: { throughputGain: number; latencyGrowth: number } = KNEE): number | undefined {
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1];
    const b = points[i];
    if (!(a.throughput > 0) || !(a.latency > 0)) continue;
    const gain = (b.throughput - a.throughput) / a.throughput;
    const growth = (b.latency - a.latency) / a.latency;
    if (gain < k.throughputGain && growth > k.latencyGrowth) return i - 1;
  }
  return undefined;
}
