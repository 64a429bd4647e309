/** summary.csv, rewritten whole as cells end (paced: results/writer.ts) and at the end. */
import { join } from 'node:path';
import { serializeSummaryCsv } from '../summary-csv.js';
import type { Exporter } from '../types.js';
import { atomicWrite } from './atomic.js';

export const SUMMARY_CSV = 'summary.csv';

export const summaryCsv: Exporter = {
  file: SUMMARY_CSV,
  open: async (dir, _run, scrub) => ({
    write: async (run) => atomicWrite(join(dir, SUMMARY_CSV), scrub(serializeSummaryCsv(run.cells, run.axes))),
  }),
};
