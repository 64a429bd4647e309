/** Advice for a client-bound cell, shared by the terminal warnings and the report. Pure. */
import type { CellSummary } from '../metrics/summary.js';

/**
 * What to do about a client-bound cell, fitted to it: at concurrency 1 the client has
 * almost nothing to do, so a late loop means other processes took the CPU; open-loop
 * dispatch lag asks for a lower rate; otherwise the client's own load is the cause.
 */
export function clientAdvice(health: NonNullable<CellSummary['client']>): string {
  if (health.dispatch_lag_p99_ms !== undefined && /dispatch lag/.test(health.reason ?? '')) {
    return 'lower the rate, or split the run across machines with --shard';
  }
  if (health.concurrency !== undefined && health.concurrency <= 1) {
    return 'at concurrency 1 the client itself does little: the machine is busy (other processes took the CPU); run again on a quieter machine';
  }
  return 'lower the concurrency, or split the run across machines with --shard';
}
