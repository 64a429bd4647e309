/** The table printed at the end of a run: one row per cell. Pure: returns a string. */
import type { CellSummary } from '../metrics/summary.js';
import { paint } from './color.js';
import { fmtNum, valueText } from './format.js';
import { makeTable } from './table.js';

export function formatSummaryTable(summaries: readonly CellSummary[], axes: readonly string[], color: boolean): string {
  const table = makeTable(
    [...axes, 'ok', 'err', 'p50 lat ms', 'p95 lat ms', 'p50 TTFT ms', 'out tok/s', ...(summaries.some((s) => s.threshold) ? ['check'] : [])],
    color,
  );
  const withCheck = summaries.some((s) => s.threshold);
  for (const s of summaries) {
    const err = s.errors > 0 ? paint(String(s.errors), 'red', color) : '0';
    const row = [
      ...axes.map((a) => valueText(s.params[a])),
      String(s.ok),
      err,
      fmtNum(s.latency_ms?.p50),
      fmtNum(s.latency_ms?.p95),
      fmtNum(s.ttft_ms?.p50),
      fmtNum(s.output_tokens_per_s),
    ];
    if (withCheck) row.push(s.threshold === 'fail' ? paint('FAIL', 'red', color) : s.threshold === 'pass' ? paint('pass', 'green', color) : '');
    table.push(row);
  }
  return table.toString();
}
