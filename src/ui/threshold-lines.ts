/** Threshold failures for the terminal: which cell, which threshold, the measured value. Pure. */
import { RATE_METRICS } from '../compare/gate-metrics.js';
import type { ThresholdResult } from '../compare/types.js';
import { round } from '../metrics/stats.js';
import { paint } from './color.js';

/** Full precision (3 decimals), so a value just over its limit never prints as the limit. */
function measured(r: ThresholdResult): string {
  if (r.value === undefined) return r.note ?? 'not measured';
  return RATE_METRICS.includes(r.metric) ? `measured ${round(r.value * 100, 3)}%` : `measured ${round(r.value, 3)}`;
}

export function formatThresholdFailures(results: readonly ThresholdResult[], color: boolean): string {
  const failed = results.filter((r) => r.status === 'fail');
  const cells = new Set(failed.map((r) => r.cell)).size;
  const lines = failed.map((r) => `${paint('threshold failed', 'red', color)}: cell ${r.cell}: ${r.threshold} — ${measured(r)}`);
  lines.push(`${failed.length} threshold check${failed.length === 1 ? '' : 's'} failed in ${cells} cell${cells === 1 ? '' : 's'}`);
  return `${lines.join('\n')}\n`;
}
