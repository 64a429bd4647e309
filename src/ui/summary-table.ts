/** The table printed at the end of a run: one row per cell. Pure: returns a string. */
import type { CellSummary } from '../metrics/summary.js';
import { paint } from './color.js';
import { axisCell } from '../records/columns.js';
import { formatPercent, formatValue } from './format.js';
import { makeTable } from './table.js';

export function formatSummaryTable(summaries: readonly CellSummary[], axes: readonly string[], color: boolean): string {
  const withCheck = summaries.some((s) => s.threshold);
  const withGoodput = summaries.some((s) => s.slo_attainment !== undefined);
  const withClient = summaries.some((s) => s.client?.bound);
  const table = makeTable(
    [
      ...axes,
      'ok',
      'err',
      'p50 lat ms',
      'p95 lat ms',
      'p50 TTFT ms',
      'out tok/s',
      ...(withGoodput ? ['SLO met'] : []),
      ...(withCheck ? ['check'] : []),
      ...(withClient ? ['client'] : []),
    ],
    color,
  );
  for (const s of summaries) {
    const err = s.errors > 0 ? paint(String(s.errors), 'red', color) : '0';
    const row = [
      ...axes.map((a) => axisCell(s.params[a])),
      String(s.ok),
      err,
      formatValue(s.latency_ms?.p50),
      formatValue(s.latency_ms?.p95),
      formatValue(s.ttft_ms?.p50),
      formatValue(s.output_tokens_per_s),
    ];
    if (withGoodput) row.push(formatPercent(s.slo_attainment));
    if (withCheck) row.push(s.threshold === 'fail' ? paint('FAIL', 'red', color) : s.threshold === 'pass' ? paint('pass', 'green', color) : '');
    if (withClient) row.push(s.client?.bound ? paint('BOUND', 'yellow', color) : '');
    table.push(row);
  }
  return table.toString();
}

/** One line per cell whose numbers the client, not the server, may have limited. */
export function clientWarnings(summaries: readonly CellSummary[]): string[] {
  return summaries
    .filter((s) => s.client?.bound)
    .map(
      (s) =>
        `warning: cell ${s.cell}: the client may have limited this measurement (${s.client!.reason}); ` +
        'lower the concurrency, or split the run across machines with --shard',
    );
}
