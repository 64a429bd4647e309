/** The warning for a client-bound cell, shared by the terminal and the report. Pure. */
import type { CellSummary } from '../metrics/summary.js';
import { formatNumber } from './format.js';

/** Under this share of its concurrency held in flight, a bound closed-loop cell says how much load it sent. */
const HELD_SHARE = 0.9;

/**
 * `cell <label>: the client may have limited this measurement (why); what to do`. A closed
 * loop held under 90% of its slots also says how many it kept in flight: past its capacity a
 * client keeps its timestamps but sends less than asked, which the latencies alone hide.
 */
export function boundWarning(s: Pick<CellSummary, 'client' | 'concurrency_mean'>, label: string): string {
  const health = s.client!;
  const why = [health.reason];
  const c = health.concurrency;
  const held = s.concurrency_mean;
  if (!health.open_loop && c !== undefined && Number.isFinite(c) && held !== undefined && held < HELD_SHARE * c) {
    why.push(`${formatNumber(held)} of ${formatNumber(c)} requests in flight on average`);
  }
  const text = why.filter(Boolean).join('; ');
  return `cell ${label}: the client may have limited this measurement${text ? ` (${text})` : ''}; ${clientAdvice(health)}`;
}

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
