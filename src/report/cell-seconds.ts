/**
 * A cell over its own time, in 1 s buckets from its first send: p50 latency and TTFT of the
 * requests sent in each second, the mean number in flight during it, and the failures sent
 * in it. It shows what percentiles hide: warm-up, a server that degrades, a burst of errors.
 * Pure; a few numbers per second of the cell, whatever the request count.
 */
import type { CellColumns } from '../metrics/cell-columns.js';
import { percentileSorted } from '../metrics/stats.js';

/** Bucket width, s. */
export const TIMELINE_BUCKET_S = 1;
/** Most buckets kept: a longer cell gets wider buckets, so the report stays small. */
const MAX_BUCKETS = 600;

export interface CellSeconds {
  /** Bucket width, s (1, or more for a cell longer than 10 minutes). */
  bucket_s: number;
  /** Start of each bucket, s since the cell's first send. */
  t: number[];
  /** p50 latency of successful requests sent in the bucket, ms; null when none. */
  latency_p50: (number | null)[];
  /** p50 TTFT of successful streamed requests sent in the bucket, ms; null when none. */
  ttft_p50: (number | null)[];
  /** Mean requests in flight during the bucket. */
  in_flight: number[];
  /** Failed requests sent in the bucket. */
  errors: number[];
}

const median = (xs: number[]) => (xs.length === 0 ? null : Math.round(percentileSorted(Float64Array.from(xs).sort(), 50) * 1000) / 1000);

export function cellSeconds(c: CellColumns): CellSeconds | undefined {
  let t0 = Infinity;
  let end = -Infinity;
  for (let i = 0; i < c.length; i++) {
    const s = c.startMs[i];
    if (!Number.isFinite(s)) continue;
    t0 = Math.min(t0, s);
    end = Math.max(end, s + (Number.isFinite(c.latency[i]) ? c.latency[i] : 0));
  }
  if (!Number.isFinite(t0)) return undefined;
  const spanS = Math.max(0.001, (end - t0) / 1000);
  const bucket = Math.max(TIMELINE_BUCKET_S, Math.ceil(spanS / MAX_BUCKETS));
  const n = Math.max(1, Math.ceil(spanS / bucket));
  const lat: number[][] = Array.from({ length: n }, () => []);
  const ttft: number[][] = Array.from({ length: n }, () => []);
  const busyMs = new Float64Array(n);
  const errors = new Array<number>(n).fill(0);
  const bucketMs = bucket * 1000;
  for (let i = 0; i < c.length; i++) {
    const s = c.startMs[i] - t0;
    if (!Number.isFinite(s)) continue;
    const k = Math.min(n - 1, Math.floor(s / bucketMs));
    if (c.ok[i] === 1) {
      if (Number.isFinite(c.latency[i])) lat[k].push(c.latency[i]);
      if (Number.isFinite(c.ttft[i])) ttft[k].push(c.ttft[i]);
    } else errors[k]++;
    // In flight from send to end: its time spread over the buckets it overlaps.
    const e = s + (Number.isFinite(c.latency[i]) ? c.latency[i] : 0);
    for (let b = k; b < n && b * bucketMs < e; b++) {
      busyMs[b] += Math.min(e, (b + 1) * bucketMs) - Math.max(s, b * bucketMs);
    }
  }
  // The last bucket may be short: in flight is relative to the time it covers.
  const lastMs = Math.max(1, spanS * 1000 - (n - 1) * bucketMs);
  return {
    bucket_s: bucket,
    t: Array.from({ length: n }, (_, b) => b * bucket),
    latency_p50: lat.map(median),
    ttft_p50: ttft.map(median),
    in_flight: Array.from(busyMs, (ms, b) => Math.round((ms / (b === n - 1 ? Math.min(bucketMs, lastMs) : bucketMs)) * 100) / 100),
    errors,
  };
}
