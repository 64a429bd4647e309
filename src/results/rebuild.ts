/**
 * `llm-sweep report <dir>`: report.html and summary.csv rebuilt from a folder's
 * requests.csv (and run.json, for what only it knows), with the exporters a run uses.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { cellDetail, type CellDetail } from '../report/data.js';
import { atomicWrite } from './exporters/atomic.js';
import { targetsOf } from '../compare/targets.js';
import { REPORT_HTML, reportText } from './exporters/report-html.js';
import { REQUESTS_CSV } from './exporters/requests-csv.js';
import { SUMMARY_CSV } from './exporters/summary-csv.js';
import { loadResult } from './load.js';
import { serializeSummaryCsv } from './summary-csv.js';

export interface Rebuilt {
  report: string;
  summary: string;
}

/** Rebuilds `dir`'s report.html and summary.csv into `out` (default: `dir`), or the report alone into `reportPath`. */
export function rebuildReport(dir: string, out = dir, reportPath = join(out, REPORT_HTML)): Rebuilt {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`${dir}: no such results folder`);
  if (!existsSync(join(dir, REQUESTS_CSV))) {
    throw new UserError(`${dir}: no requests.csv here; give the folder a run wrote (results/<name>/<timestamp>)`);
  }
  const result = loadResult(dir);
  const details = new Map<string, CellDetail>();
  for (const c of result.cells) if (c.columns) details.set(c.cell, cellDetail(c.columns));
  const cells = result.cells.map((c) => c.summary);
  mkdirSync(out, { recursive: true });
  atomicWrite(reportPath, reportText({ run: result.run, cells, axes: result.axes, details, dropped: result.dropped, targets: targetsOf(result.cells) }));
  const summary = join(out, SUMMARY_CSV);
  atomicWrite(summary, serializeSummaryCsv(cells, result.axes));
  return { report: reportPath, summary };
}
