/**
 * The exporters a spec's `output.formats` selects, by format. A new format is its file in
 * this folder, one entry here and one member of OUTPUT_FORMATS; the compiler names a
 * format without an exporter. A format may write several files (csv: summary.csv, and
 * capacity.csv for a search).
 */
import type { Exporter, OutputFormat } from '../types.js';
import { capacityCsv } from './capacity-csv.js';
import { reportHtml } from './report-html.js';
import { runJson } from './run-json.js';
import { summaryCsv } from './summary-csv.js';
import { xlsx } from './xlsx.js';

export const EXPORTERS = {
  csv: [summaryCsv, capacityCsv],
  json: [runJson],
  html: [reportHtml],
  xlsx: [xlsx],
} satisfies Record<OutputFormat, readonly Exporter[]>;
