/**
 * report.html, rebuilt after every cell from the run.json document and the finished cells'
 * details (box numbers and error tallies, kept as each cell ends), so the report never
 * re-reads requests.csv during a run. `llm-sweep report <dir>` feeds the same exporter from
 * `loadResult`, so both write the same file.
 */
import { join } from 'node:path';
import { providerFor } from '../../providers/index.js';
import { cellDetail, buildReportData, type CellDetail } from '../../report/data.js';
import { renderReportHtml } from '../../report/html.js';
import type { ReportInput } from '../../report/types.js';
import type { Exporter } from '../types.js';
import { atomicWrite } from './atomic.js';

export const REPORT_HTML = 'report.html';

/** report.html's text; axis units come from the run's provider. */
export function reportText(input: Omit<ReportInput, 'units'>): string {
  const units = providerFor(input.run?.spec.target?.provider)?.units;
  return renderReportHtml(buildReportData({ ...input, units }));
}

export const reportHtml: Exporter = {
  file: REPORT_HTML,
  async open(dir, _run, scrub) {
    const details = new Map<string, CellDetail>();
    return {
      cell: ({ summary, columns }) => void details.set(summary.cell, cellDetail(columns)),
      write: async (run) => atomicWrite(join(dir, REPORT_HTML), scrub(reportText({ run, cells: run.cells, axes: run.axes, details }))),
    };
  },
};
