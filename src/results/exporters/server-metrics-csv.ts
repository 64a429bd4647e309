/**
 * server-metrics.csv: every sample of every metrics scrape (target.metrics), appended as
 * scrapes end; a failed scrape is a row with its reason. Created on the first scrape, so a
 * run without target.metrics has no such file.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { RAW_HEADER, rawRows } from '../../server-metrics/raw-rows.js';
import type { Exporter } from '../types.js';
import { csvAppender } from './csv-appender.js';
import { csvLine } from './requests-csv.js';

export const SERVER_METRICS_CSV = 'server-metrics.csv';

export const serverMetricsCsv: Exporter = {
  file: SERVER_METRICS_CSV,
  async open(dir, _run, scrub) {
    const out = csvAppender(join(dir, SERVER_METRICS_CSV), csvLine(RAW_HEADER));
    return {
      scrape(cell, scrape) {
        for (const row of rawRows(cell, scrape, performance.timeOrigin)) out.push(scrub(csvLine(RAW_HEADER.map((k) => String(row[k])))));
      },
      write: () => out.flush(),
      close: () => out.close(),
    };
  },
};
