/** `llm-sweep compare` in the terminal: one row per cell and rule, verdicts coloured. Pure. */
import type { CompareReport, Verdict } from '../compare/types.js';
import { ciHeader, compareRows, countsLine, headline, methodLine } from '../compare/format.js';
import { paint, type Style } from './color.js';
import { formatInt } from './format.js';
import { makeTable } from './table.js';

const STYLE: Record<Verdict, Style | undefined> = { regression: 'red', improved: 'green', noise: 'yellow', ok: undefined, 'n/a': 'dim' };

/**
 * Rows the terminal table shows at most. Past it, the rows that decide something come first
 * (regressions, then improvements, then changes within the noise) and the rest are counted
 * below the table: 2,000 cells give 12,000 rows, which cli-table3 laid out in ~25 s and no
 * one reads in a terminal. --json and --markdown keep every row.
 */
export const COMPARE_TABLE_MAX_ROWS = 200;

const RANK: Record<Verdict, number> = { regression: 0, improved: 1, noise: 2, ok: 3, 'n/a': 4 };

export function formatCompareTable(report: CompareReport, color: boolean): string {
  const table = makeTable(['cell', 'metric', 'rule', 'baseline', 'current', 'change', ciHeader(report), 'verdict'], color);
  const all = compareRows(report);
  // Stable: rows of one rank keep the report's order.
  const rows = all.length <= COMPARE_TABLE_MAX_ROWS ? all : all.map((r, i) => ({ r, i })).sort((a, b) => RANK[a.r.verdict] - RANK[b.r.verdict] || a.i - b.i).slice(0, COMPARE_TABLE_MAX_ROWS).sort((a, b) => a.i - b.i).map((x) => x.r);
  let last = '';
  for (const r of rows) {
    const style = STYLE[r.verdict];
    const right = (content: string) => ({ content, hAlign: 'right' as const });
    table.push([
      r.cell === last ? '' : r.cell,
      r.metric,
      r.rule,
      right(r.baseline),
      right(r.current),
      right(r.change),
      r.ci,
      style ? paint(r.verdict, style, color) : r.verdict,
    ]);
    last = r.cell;
  }
  const lines: string[] = [];
  if (report.cells.length > 0) lines.push(table.toString());
  if (rows.length < all.length) {
    const hidden = new Map<Verdict, number>();
    const shown = new Set(rows);
    for (const r of all) if (!shown.has(r)) hidden.set(r.verdict, (hidden.get(r.verdict) ?? 0) + 1);
    const parts = [...hidden].sort((a, b) => RANK[a[0]] - RANK[b[0]]).map(([v, n]) => `${formatInt(n)} ${v === 'n/a' ? 'not measured' : v}`);
    lines.push(`(${formatInt(all.length - rows.length)} of ${formatInt(all.length)} rows not shown: ${parts.join(', ')}; \`compare --json\` or \`--markdown\` lists every row)`);
  }
  for (const r of rows) if (r.note && r.verdict !== 'ok') lines.push(`  ${r.cell} ${r.metric}: ${r.note}`);
  const fate = report.strict ? 'failed: --strict' : 'not failed';
  if (report.only_baseline.length > 0) lines.push(`only in the baseline (${fate}): ${report.only_baseline.join('  ')}`);
  if (report.only_current.length > 0) lines.push(`only in the current result (${fate}): ${report.only_current.join('  ')}`);
  lines.push(methodLine(report));
  const head = `${headline(report)} — ${countsLine(report)}`;
  lines.push(paint(head, report.passed ? 'green' : 'red', color));
  return lines.join('\n');
}
