/**
 * The `targets` section after a run's summary table: per group of other parameters, each
 * target's numbers with the difference to the group's first target and the verdict
 * ("sig" = significant, "n.s." = not). Pure: returns a string.
 */
import { fmtChange, fmtValue } from '../compare/format.js';
import type { TargetDiff, TargetsComparison } from '../compare/targets.js';
import { axisCell } from '../records/columns.js';
import { paint } from './color.js';
import { formatLevel } from './format.js';
import { makeTable } from './table.js';

/** The other parameters that vary between groups (fixed ones would only repeat). */
export function groupAxes(c: TargetsComparison): string[] {
  const keys: string[] = [];
  for (const g of c.groups) for (const k of Object.keys(g.params)) if (!keys.includes(k)) keys.push(k);
  return keys.filter((k) => new Set(c.groups.map((g) => axisCell(g.params[k]))).size > 1);
}

/** A difference as text: the change, then sig / n.s. when it was tested. */
export function diffText(metric: string, d: TargetDiff | undefined): string {
  if (!d || d.change === undefined) return '';
  const change = fmtChange({ metric, change: d.change, change_rel: d.change_rel });
  return d.verdict === 'untested' ? change : `${change} ${d.verdict === 'significant' ? 'sig' : 'n.s.'}`;
}

export function formatTargetsTable(c: TargetsComparison, color: boolean): string {
  const axes = groupAxes(c);
  const table = makeTable([...axes, 'target', ...c.metrics.map((m) => m.label)], color);
  for (const g of c.groups) {
    g.rows.forEach((row, i) => {
      const cells = c.metrics.map((m, j) => {
        const value = fmtValue(m.key, row.values[j]);
        const d = row.diffs?.[j];
        const text = diffText(m.key, d);
        if (!text) return value;
        const styled = d?.verdict === 'significant' ? paint(text, d.better ? 'green' : 'red', color) : text;
        return `${value} ${styled}`;
      });
      table.push([...axes.map((a) => (i === 0 ? axisCell(g.params[a]) : '')), row.target, ...cells]);
    });
  }
  const tested = c.tested > 0;
  const legend = tested
    ? `vs each group's first target: sig = significant, n.s. = within the noise\n` +
      `(seeded bootstrap, ${c.resamples} resamples, seed ${c.seed}; each interval at ${formatLevel(c.interval_level)}, so all ${c.tested} keep ${formatLevel(c.confidence)})`
    : `vs each group's first target${c.untested ? ` (untested: ${c.untested})` : ''}`;
  return [`targets (${c.targets.join(' vs ')})`, table.toString(), legend].join('\n');
}
