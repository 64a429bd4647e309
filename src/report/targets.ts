/**
 * The report's "Targets side by side" section: the comparison of compare/targets.ts as an
 * HTML table, one block of rows per group of other parameters. Pure.
 */
import type { TargetsComparison } from '../compare/targets.js';
import { fmtValue } from '../compare/format.js';
import { axisCell } from '../records/columns.js';
import { formatLevel } from '../ui/format.js';
import { diffText, groupAxes } from '../ui/targets-table.js';
import { escapeHtml as esc } from './html.js';


/** The section's body (the table and how to read it); empty when there is nothing to compare. */
export function targetsHtml(c: TargetsComparison | undefined): string {
  if (!c) return '';
  const axes = groupAxes(c);
  const head = [...axes, 'target', ...c.metrics.map((m) => m.label)]
    .map((h, i) => `<th scope="col"${i >= axes.length + 1 ? ' class="num"' : ''}>${esc(h)}</th>`)
    .join('');
  const body = c.groups
    .flatMap((g) =>
      g.rows.map((row, i) => {
        const lead = axes.map((a) => `<td>${i === 0 ? esc(axisCell(g.params[a])) : ''}</td>`).join('');
        const cells = c.metrics
          .map((m, j) => {
            const d = row.diffs?.[j];
            const text = diffText(m.key, d);
            const tone = d?.verdict === 'significant' ? (d.better ? ' good' : ' bad') : '';
            const diff = text ? ` <span class="diff${tone}">${esc(text)}</span>` : '';
            return `<td class="num">${esc(fmtValue(m.key, row.values[j]))}${diff}</td>`;
          })
          .join('');
        return `<tr${i === 0 ? ' class="group-start"' : ''}>${lead}<td>${esc(row.target)}${i === 0 ? ' <span class="note">(reference)</span>' : ''}</td>${cells}</tr>`;
      }),
    )
    .join('');
  const how =
    c.tested > 0
      ? `Each target against the first of its group (${esc(c.targets[0])} where it ran). sig: the difference is significant — its bootstrap interval ` +
        `(${c.resamples} resamples, seed ${c.seed}) excludes 0, at ${formatLevel(c.interval_level)} per interval so that all ${c.tested} ` +
        `together keep ${formatLevel(c.confidence)} confidence; n.s.: it is within the noise. Green is better, red worse. ` +
        'The same test gates CI with <code>llm-sweep compare &lt;dir&gt; --by target</code>.'
      : `Each target against the first of its group.${c.untested ? ` Not tested: ${esc(c.untested)}.` : ''}`;
  return `<p class="note">${how}</p><div class="table-wrap"><table class="targets"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
}
