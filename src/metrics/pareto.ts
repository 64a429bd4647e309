/**
 * The Pareto front of the grid: the cells no other cell beats on both per-user speed and
 * total throughput (vLLM's `plot_pareto`). A cell is on it when no other cell is at least as
 * good on both and better on one. Pure.
 */
import type { CellSummary } from './summary.js';

/**
 * Output tokens/s one user sees: mean completion tokens / mean latency, so the wait for the
 * first token counts. Undefined without successful requests.
 */
export function perUserTokensPerS(s: CellSummary): number | undefined {
  const tokens = s.completion_tokens_mean;
  const latency = s.latency_ms?.mean;
  return tokens === undefined || latency === undefined || !(latency > 0) ? undefined : (tokens / latency) * 1000;
}

/** The points not dominated on (x, y), both larger-is-better, in ascending x. Non-finite points are left out. */
export function paretoFront<T>(points: readonly T[], x: (p: T) => number | undefined, y: (p: T) => number | undefined): T[] {
  const finite = points
    .map((p) => ({ p, x: x(p), y: y(p) }))
    .filter((q): q is { p: T; x: number; y: number } => Number.isFinite(q.x) && Number.isFinite(q.y));
  // Sweep from the largest x down: a point is on the front when its y beats every y so far.
  finite.sort((a, b) => b.x - a.x || b.y - a.y);
  const front: T[] = [];
  let best = -Infinity;
  for (const q of finite) {
    if (q.y > best) {
      front.push(q.p);
      best = q.y;
    }
  }
  return front.reverse();
}
