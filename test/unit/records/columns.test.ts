/**
 * The column tables of requests.csv and summary.csv: one table writes a row, reads it back
 * and documents it, so the three cannot drift apart.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { columnsMarkdown, requestReader, requestTable } from '../../../src/records/columns.js';
import type { RequestRecord } from '../../../src/records/types.js';
import { resultsJsonSchema } from '../../../src/results/schema.js';
import { parseSummaryCsv, SERVER_METRICS_COLUMNS, serializeSummaryCsv, summaryTable } from '../../../src/results/summary-csv.js';
import { summarizeCell } from '../../../src/metrics/summary.js';
import { REPO } from '../../helpers/cli.js';

const record: RequestRecord = {
  cell: 't=0.7,c=4',
  params: { temperature: 0.7, concurrency: 4 },
  prompt_id: 1,
  repeat: 2,
  started_at: '2026-01-01T00:00:00.000Z',
  status: 'error',
  http_status: 503,
  error: 'HTTP 503: busy, "try later"',
  error_kind: 'http',
  attempts: 3,
  queue_ms: undefined,
  latency_ms: 12.5,
  ttft_ms: undefined,
  tpot_ms: undefined,
  itl_p50_ms: undefined,
  prompt_tokens: undefined,
  completion_tokens: undefined,
  total_tokens: undefined,
  tokens_source: undefined,
  output_tokens_per_s: undefined,
  finish_reason: undefined,
  round: 1,
  timing: undefined,
};

describe('requests.csv', () => {
  it('reads back what it writes, field by field', () => {
    const table = requestTable(['temperature', 'concurrency']);
    const header = table.header();
    expect(header.slice(0, 5)).toEqual(['cell', 'temperature', 'concurrency', 'prompt_id', 'repeat']);
    expect(requestReader(header)(table.row(record))).toEqual(record);
  });

  it('skips columns it does not know and reads missing ones as empty', () => {
    const table = requestTable([]);
    const header = [...table.header(), 'from_a_newer_version'];
    const row = [...table.row({ ...record, params: {} }), 'x'];
    expect(requestReader(header)(row)).toMatchObject({ cell: record.cell, attempts: 3, latency_ms: 12.5 });
    const short = header.filter((h) => h !== 'attempts');
    expect(requestReader(short)(row.filter((_, i) => header[i] !== 'attempts'))?.attempts).toBe(1);
  });

  it('is documented in docs/metrics.md, column by column', () => {
    const doc = readFileSync(join(REPO, 'docs/metrics.md'), 'utf8');
    const block = (name: string) => new RegExp(`<!-- columns: ${name.replace('.', '\\.')} -->\\n([^]*?)\\n<!-- /columns -->`).exec(doc)?.[1];
    expect(block('requests.csv')).toBe(columnsMarkdown(requestTable([]).columns));
    expect(block('summary.csv')).toBe(columnsMarkdown(summaryTable([]).columns));
    const serverDoc = readFileSync(join(REPO, 'docs/server-metrics.md'), 'utf8');
    expect(/<!-- columns: server-metrics -->\n([^]*?)\n<!-- \/columns -->/.exec(serverDoc)?.[1]).toBe(columnsMarkdown(SERVER_METRICS_COLUMNS));
  });

  it('is described by the committed docs/results.schema.json (regenerate: node bin/llm-sweep.js schema --results > docs/results.schema.json)', () => {
    const committed = readFileSync(join(REPO, 'docs/results.schema.json'), 'utf8');
    expect(committed).toBe(`${JSON.stringify(resultsJsonSchema(), null, 2)}\n`);
  });
});

describe('summary.csv', () => {
  it('reads back the figures it writes', () => {
    const s = summarizeCell('c=1', { concurrency: 1 }, [{ ...record, status: 'ok', http_status: 200, error: undefined, error_kind: undefined, ttft_ms: 3.25 }]);
    s.threshold = 'pass';
    const back = parseSummaryCsv(serializeSummaryCsv([s], ['concurrency'])).summaries[0];
    expect(back).toMatchObject({ cell: 'c=1', params: { concurrency: 1 }, requests: 1, ok: 1, errors: 0, threshold: 'pass' });
    expect(back.latency_ms).toMatchObject({ p50: 12.5, p99: 12.5, mean: 12.5 });
    expect(back.ttft_ms?.p95).toBe(3.25);
    // summary.csv has no min, max or count: they read as not measured.
    expect(back.latency_ms?.min).toBeNaN();
  });
});
