/** `llm-sweep compare` in the terminal: one row per cell and rule, verdicts coloured. Pure. */
import type { CompareReport, Verdict } from '../compare/types.js';
import { ciHeader, compareRows, countsLine, headline, methodLine } from '../compare/format.js';
import { paint, type Style } from './color.js';
import { makeTable } from './table.js';

const STYLE: Record<Verdict, Style | undefined> = { regression: 'red', improved: 'green', noise: 'yellow', ok: undefined, 'n/a': 'dim' };

export function formatCompareTable(report: CompareReport, color: boolean): string {
  const table = makeTable(['cell', 'metric', 'rule', 'baseline', 'current', 'change', ciHeader(report), 'verdict'], color);
  let last = '';
  for (const r of compareRows(report)) {
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
  for (const r of compareRows(report)) if (r.note && r.verdict !== 'ok') lines.push(`  ${r.cell} ${r.metric}: ${r.note}`);
  const fate = report.strict ? 'failed: --strict' : 'not failed';
  if (report.only_baseline.length > 0) lines.push(`only in the baseline (${fate}): ${report.only_baseline.join('  ')}`);
  if (report.only_current.length > 0) lines.push(`only in the current result (${fate}): ${report.only_current.join('  ')}`);
  lines.push(methodLine(report));
  const head = `${headline(report)} — ${countsLine(report)}`;
  lines.push(paint(head, report.passed ? 'green' : 'red', color));
  return lines.join('\n');
}
