/**
 * server-metrics.csv: every sample of every metrics scrape (target.metrics), appended as
 * scrapes end; a failed scrape is a row with its reason. Created on the first scrape, so a
 * run without target.metrics has no such file.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parse } from 'csv-parse/sync';
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

/**
 * The server-metrics.csv of merged shards (results/merge.ts): each shard's rows as written,
 * grouped by cell in plan `order` (a cell's scrapes stay in time order: one shard ran it).
 * A torn last row (a shard killed mid-write) is dropped; undefined when no shard has the file.
 */
export function mergeServerMetricsCsv(texts: readonly (string | undefined)[], order: readonly string[]): string | undefined {
  if (!texts.some((t) => t !== undefined)) return undefined;
  const byCell = new Map<string, string[]>();
  for (const text of texts) {
    if (text === undefined) continue;
    // Whole lines only: the shard appends one line at a time, so anything after the last newline is torn.
    const whole = text.slice(0, text.lastIndexOf('\n') + 1);
    let records: { record: string[]; raw: string }[];
    try {
      records = parse(whole, { raw: true, relax_column_count: true, skip_empty_lines: true, bom: true }) as unknown as { record: string[]; raw: string }[];
    } catch {
      continue; // not a CSV this version wrote: the merge keeps the other shards' rows
    }
    for (const { record, raw } of records.slice(1)) {
      const cell = record[0] ?? '';
      const line = raw.endsWith('\n') ? raw : `${raw}\n`;
      const rows = byCell.get(cell);
      if (rows) rows.push(line);
      else byCell.set(cell, [line]);
    }
  }
  return csvLine(RAW_HEADER) + order.flatMap((id) => byCell.get(id) ?? []).join('');
}
