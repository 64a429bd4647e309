/**
 * report.html, rebuilt as cells end (paced: results/writer.ts) and at the end, from the run.json document and the finished cells'
 * details (box numbers and error tallies, kept as each cell ends), so the report never
 * re-reads requests.csv during a run. `llm-sweep report <dir>` feeds the same exporter from
 * `loadResult`, so both write the same file.
 *
 * A run of several targets also keeps its cells' rows, for the targets side by side: the
 * numbers after every cell, the significance tests once, when the run ends.
 */
import { join } from 'node:path';
import { targetsOf } from '../../compare/targets.js';
import { providerFor } from '../../providers/index.js';
import { cellDetail, buildReportData, type CellDetail } from '../../report/data.js';
import { renderReportHtml } from '../../report/html.js';
import type { ReportInput } from '../../report/types.js';
import { TARGET_KEY } from '../../spec/params.js';
import type { ResultCell } from '../load.js';
import type { RunJson } from '../run-json.js';
import type { Exporter } from '../types.js';
import { atomicWrite } from './atomic.js';

export const REPORT_HTML = 'report.html';

/** report.html's text; axis units come from the run's provider. */
export function reportText(input: Omit<ReportInput, 'units'>): string {
  const spec = input.run?.spec;
  // Axis units are the provider's; with several targets, the first target's.
  const units = providerFor((spec?.target ?? Object.values(spec?.targets ?? {})[0])?.provider)?.units;
  return renderReportHtml(buildReportData({ ...input, units }));
}

export const reportHtml: Exporter = {
  file: REPORT_HTML,
  async open(dir, first, scrub) {
    const details = new Map<string, CellDetail>();
    // Rows are kept only when there are targets to compare.
    const kept = first.axes.includes(TARGET_KEY) ? new Map<string, ResultCell>() : undefined;
    let last: RunJson = first;
    const render = (run: RunJson, test: boolean) =>
      atomicWrite(
        join(dir, REPORT_HTML),
        scrub(reportText({ run, cells: run.cells, axes: run.axes, details, targets: kept ? targetsOf([...kept.values()], test) : undefined })),
      );
    return {
      cell: ({ summary, columns }) => {
        details.set(summary.cell, cellDetail(columns));
        kept?.set(summary.cell, { cell: summary.cell, params: summary.params, summary, columns, slo: last.spec.slo });
      },
      write: async (run) => {
        last = run;
        await render(run, false);
      },
      close: async () => {
        if (kept && kept.size > 0) await render(last, true);
      },
    };
  },
};
