/**
 * Watches the measuring client itself during a cell: event-loop delay (a late loop means
 * late timestamps: inflated TTFT and ITL), CPU use of this process, and open-loop dispatch
 * lag. When they cross the thresholds below, the cell is flagged: the numbers describe the
 * client's limit, not the server's.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { availableParallelism } from 'node:os';
import type { ClientHealth } from '../metrics/summary.js';
import { percentile, round } from '../metrics/stats.js';
import type { ThreadLoad } from './cell-exchanger.js';

/** Stated limits (docs/metrics.md): past any of them a cell is flagged client-bound. */
export const CLIENT_LIMITS = {
  /** p99 event-loop delay, ms: timestamps can be this late. */
  loopDelayP99Ms: 20,
  /**
   * Share of one core per event loop that stamps requests: one loop on one thread, so ~1.0
   * means saturated; with worker threads, this times the loops the cores can run at once.
   */
  cpu: 0.9,
  /** p99 open-loop dispatch lag, ms. */
  dispatchLagP99Ms: 10,
  /**
   * Cell wall time needed before the client is judged, ms: in a very short cell one garbage
   * collection or first-use compile would be "the p99".
   */
  minWallMs: 500,
  /**
   * Loop delay counts only past this share of the shortest time the cell measured (TTFT or
   * latency p50): a 30 ms late timestamp skews a 100 ms TTFT, not a 2-second request.
   */
  loopDelayShare: 0.1,
} as const;

/** What the cell measured and how it was loaded, to judge the client's delay against. */
export interface CellContext {
  /** p50 time to first token of the cell, ms. */
  ttftP50Ms?: number;
  /** p50 latency of the cell, ms. */
  latencyP50Ms?: number;
  /** Requests in flight at most. */
  concurrency: number;
  /** Open-loop rate, requests/s; undefined in closed loop. */
  rate?: number;
}

export interface HealthWatch {
  /** Record how late an open-loop arrival was dispatched, ms. */
  dispatchLag(ms: number): void;
  /** Record how late the client itself saw a request's first token, ms (ExchangeResult.firstTokenLateMs). */
  ttftDelay(ms: number): void;
  /**
   * Ends the watch. `threads`: the worker threads' loops that ran the cell's exchanges; when
   * there are any, theirs is the loop delay that matters (they took the timestamps).
   */
  stop(cell?: CellContext, threads?: readonly ThreadLoad[]): ClientHealth;
}

export function watchClientHealth(limits = CLIENT_LIMITS): HealthWatch {
  // 5 ms resolution: fine enough to see a loop that makes timestamps late, cheap enough not
  // to be the load itself.
  const histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const lags: number[] = [];
  const ttftDelays: number[] = [];
  return {
    dispatchLag(ms) {
      lags.push(ms);
    },
    ttftDelay(ms) {
      ttftDelays.push(ms);
    },
    stop(cell, threads = []) {
      histogram.disable();
      const wallMs = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      const cpuShare = wallMs > 0 ? (cpu.user + cpu.system) / 1000 / wallMs : 0;
      // The histogram counts the sampling interval itself; subtract it to get the delay.
      const resolution = 5;
      let p99 = histogram.count > 0 ? Math.max(0, histogram.percentile(99) / 1e6 - resolution) : 0;
      let max = histogram.count > 0 ? Math.max(0, histogram.max / 1e6 - resolution) : 0;
      if (threads.length > 0) {
        p99 = Math.max(...threads.map((t) => t.loopDelayP99Ms));
        max = Math.max(...threads.map((t) => t.loopDelayMaxMs));
      }
      const lagP99 = lags.length > 0 ? percentile(lags, 99) : undefined;
      const loops = Math.max(1, Math.min(threads.length, availableParallelism()));
      const some = ttftDelays.length > 0;
      return judgeClient(
        {
          loopDelayP99Ms: p99,
          loopDelayMaxMs: max,
          cpu: cpuShare,
          dispatchLagP99Ms: lagP99,
          wallMs,
          loops,
          workers: threads.length > 0 ? threads.length : undefined,
          ttftDelayP50Ms: some ? percentile(ttftDelays, 50) : undefined,
          ttftDelayP99Ms: some ? percentile(ttftDelays, 99) : undefined,
        },
        limits,
        cell,
      );
    },
  };
}

export interface ClientMeasurements {
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  cpu: number;
  dispatchLagP99Ms?: number;
  wallMs: number;
  /** Event loops the cores can run at once (1 without worker threads): the CPU limit is per loop. */
  loops?: number;
  /** Worker threads that ran the cell; undefined when the main thread did. */
  workers?: number;
  /** p50 and p99 of the client's own delay in seeing first tokens, ms; undefined when none streamed. */
  ttftDelayP50Ms?: number;
  ttftDelayP99Ms?: number;
}

/** Decides whether the client limited a cell, and says why. Pure. */
export function judgeClient(m: ClientMeasurements, limits = CLIENT_LIMITS, cell?: CellContext): ClientHealth {
  const reasons: string[] = [];
  const judged = m.wallMs >= limits.minWallMs;
  const shortest = shortestTiming(cell);
  if (judged && m.loopDelayP99Ms > limits.loopDelayP99Ms && (!shortest || m.loopDelayP99Ms > limits.loopDelayShare * shortest.ms)) {
    const against = shortest ? ` (${((m.loopDelayP99Ms / shortest.ms) * 100).toFixed(0)}% of ${shortest.name} ${shortest.ms.toFixed(0)} ms)` : '';
    reasons.push(`event-loop delay p99 ${m.loopDelayP99Ms.toFixed(1)} ms${against}`);
  }
  if (judged && m.cpu > limits.cpu * (m.loops ?? 1)) reasons.push(`client CPU ${(m.cpu * 100).toFixed(0)}% of a core`);
  if (m.dispatchLagP99Ms !== undefined && m.dispatchLagP99Ms > limits.dispatchLagP99Ms) {
    reasons.push(`dispatch lag p99 ${m.dispatchLagP99Ms.toFixed(1)} ms`);
  }
  // Measurements are finite numbers: round() keeps them numbers.
  return {
    loop_delay_p99_ms: round(m.loopDelayP99Ms) ?? 0,
    loop_delay_max_ms: round(m.loopDelayMaxMs) ?? 0,
    cpu: round(m.cpu) ?? 0,
    dispatch_lag_p99_ms: round(m.dispatchLagP99Ms),
    ttft_delay_p50_ms: round(m.ttftDelayP50Ms),
    ttft_delay_p99_ms: round(m.ttftDelayP99Ms),
    workers: m.workers,
    bound: reasons.length > 0,
    reason: reasons.length > 0 ? reasons.join(', ') : undefined,
    concurrency: cell?.concurrency,
    open_loop: cell ? cell.rate !== undefined : undefined,
  };
}

/** Of two rounds' health of one cell, the one to report: a bound round, else the later loop. */
export function worseHealth(a: ClientHealth | undefined, b: ClientHealth): ClientHealth {
  if (!a) return b;
  if (a.bound !== b.bound) return a.bound ? a : b;
  return b.loop_delay_p99_ms > a.loop_delay_p99_ms ? b : a;
}

/** The shortest of the cell's TTFT and latency p50s: the time a late timestamp skews most. */
function shortestTiming(cell: CellContext | undefined): { name: string; ms: number } | undefined {
  const candidates = [
    { name: 'TTFT p50', ms: cell?.ttftP50Ms },
    { name: 'latency p50', ms: cell?.latencyP50Ms },
  ].filter((c): c is { name: string; ms: number } => c.ms !== undefined && Number.isFinite(c.ms) && c.ms > 0);
  return candidates.sort((a, b) => a.ms - b.ms)[0];
}
