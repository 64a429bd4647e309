/** The table printed at the end of a run: one row per cell. Pure: returns a string. */
import type { CellSummary } from '../metrics/summary.js';
import { paint } from './color.js';
import { axisCell } from '../records/columns.js';
import { formatCost } from '../cost/format.js';
import { formatPercent, formatValue } from './format.js';
import { makeTable } from './table.js';

export interface SummaryTableOptions {
  /** The pricing currency, for the cost column's header. */
  currency?: string;
}

export function formatSummaryTable(summaries: readonly CellSummary[], axes: readonly string[], color: boolean, opts: SummaryTableOptions = {}): string {
  const withCheck = summaries.some((s) => s.threshold);
  const withPass = summaries.some((s) => s.check_pass_rate !== undefined);
  const withCost = summaries.some((s) => s.cost_total !== undefined);
  const withGoodput = summaries.some((s) => s.slo_attainment !== undefined);
  const withClient = summaries.some((s) => s.client?.bound);
  // target.metrics: the server's TTFT beside the client's, and its queue.
  const withServer = summaries.some((s) => s.server_metrics !== undefined);
  const table = makeTable(
    [
      ...axes,
      'ok',
      'err',
      'p50 lat ms',
      'p95 lat ms',
      'p50 TTFT ms',
      ...(withServer ? ['srv TTFT ms', 'srv running', 'srv waiting max'] : []),
      'out tok/s',
      ...(withGoodput ? ['SLO met'] : []),
      ...(withPass ? ['pass (95% CI)'] : []),
      ...(withCost ? [opts.currency ? `cost ${opts.currency}` : 'cost'] : []),
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
      ...(withServer
        ? [formatValue(s.server_metrics?.server_ttft_p50_ms), formatValue(s.server_metrics?.server_running_mean), formatValue(s.server_metrics?.server_waiting_max)]
        : []),
      formatValue(s.output_tokens_per_s),
    ];
    if (withGoodput) row.push(formatPercent(s.slo_attainment));
    if (withPass) row.push(passCell(s));
    if (withCost) row.push(s.cost_total === undefined ? '—' : `${formatCost(s.cost_total)}${s.cost_estimated ? ' (est.)' : ''}`);
    if (withCheck) row.push(s.threshold === 'fail' ? paint('FAIL', 'red', color) : s.threshold === 'pass' ? paint('pass', 'green', color) : '');
    if (withClient) row.push(s.client?.bound ? paint('BOUND', 'yellow', color) : '');
    table.push(row);
  }
  return table.toString();
}

/** "95% (76–99)": the pass rate and its interval bounds, in percent. */
function passCell(s: CellSummary): string {
  if (s.check_pass_rate === undefined) return '—';
  const bound = (v: number | undefined) => formatPercent(v).replace(/%$/, '');
  return `${formatPercent(s.check_pass_rate)} (${bound(s.check_pass_rate_low)}–${bound(s.check_pass_rate_high)})`;
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
