import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import { recordToRow, requestColumns } from '../../../src/records/columns.js';
import type { RequestRecord } from '../../../src/records/types.js';
import { chartJsSource } from '../../../src/report/assets.js';
import { reportClient } from '../../../src/report/client.js';
import { buildReportData } from '../../../src/report/data.js';
import { embedJson, renderReportHtml } from '../../../src/report/html.js';
import { readRequestsIncrementally, writeReport } from '../../../src/results/exporters/report-html.js';
import { tempDir } from '../../helpers/cli.js';
import { grid } from './fixtures.js';

const FAKE_CHART_JS = '/* chart.js */';

function render(matrix: Record<string, unknown[]>, meta: Record<string, unknown> = {}, opts: Parameters<typeof grid>[2] = {}) {
  const { cells, axes, records } = grid(matrix, 5, opts);
  return renderReportHtml(buildReportData({ meta, cells, axes, records }, new Date('2026-01-01T00:00:00Z')), { chartJs: FAKE_CHART_JS });
}

function embedded(html: string): { charts: Record<string, { kind: string }> } {
  const m = /<script type="application\/json" id="report-data">([^<]*)<\/script>/.exec(html);
  if (!m) throw new Error('no embedded data');
  return JSON.parse(m[1]) as { charts: Record<string, { kind: string }> };
}

describe('report.html', () => {
  it('embeds the chart data as JSON and places one figure per chart', () => {
    const html = render({ concurrency: [1, 2, 4], temperature: [0, 1] });
    const ids = Object.keys(embedded(html).charts);
    expect(ids.sort()).toEqual(
      [
        'axis-concurrency-latency_p50',
        'axis-concurrency-latency_p95',
        'axis-concurrency-ttft_p50',
        'axis-temperature-latency_p50',
        'axis-temperature-latency_p95',
        'axis-temperature-ttft_p50',
        'dist-latency',
        'dist-ttft',
        'throughput',
      ].sort(),
    );
    for (const id of ids) expect(html).toContain(`data-chart="${id}"`);
    expect(html).toContain('No request failed.');
  });

  it('loads nothing from the network', () => {
    const html = render({ concurrency: [1, 2] });
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(\s*["']?https?:/i);
  });

  it('cannot be broken out of by values that look like HTML', () => {
    const evil = '</script><script>alert(1)</script>';
    const html = render({ model: [evil, 'ok'] }, { spec_name: '<b>x</b>' }, {
      fail: (i) => (i === 0 ? { http_status: 500, error: `HTTP 500: ${evil}`, error_kind: 'http' } : undefined),
    });
    expect(html).not.toContain('<script>alert(1)');
    expect(html).not.toContain('<b>x</b>');
    expect(embedded(html).charts['axis-model-latency_p50']).toBeDefined();
    expect(embedJson({ a: '</script><!--' })).toBe('{"a":"\\u003c/script>\\u003c!--"}');
  });

  it('puts failed threshold verdicts before everything else, passed ones at the end', () => {
    const failed = render({ concurrency: [1, 2] }, { thresholds: [{ cell: 'c=2', metric: 'latency_ms.p95', pass: false }] });
    expect(failed.indexOf('id="thresholds"')).toBeGreaterThan(0);
    expect(failed.indexOf('id="thresholds"')).toBeLessThan(failed.indexOf('class="cards"'));
    expect(failed).toContain('Thresholds failed: 1 check');
    const passed = render({ concurrency: [1, 2] }, {
      thresholds: [
        { cell: 'c=2', metric: 'latency_ms.p95', status: 'pass' },
        { cell: 'c=1', metric: 'ttft_ms.p50', status: 'skip' },
      ],
    });
    expect(passed.indexOf('id="thresholds"')).toBeGreaterThan(passed.indexOf('id="cells"'));
    expect(passed).toContain('Thresholds: all passed');
    // Passed and skipped checks are folded away.
    expect(passed).toContain('<details><summary>1 passed, 1 skipped (not applicable)</summary>');
  });

  it('says so when nothing was swept, and draws no axis chart', () => {
    const html = render({ concurrency: [4] });
    expect(html).toContain('Nothing was swept');
    expect(Object.keys(embedded(html).charts).sort()).toEqual(['dist-latency', 'dist-ttft']);
  });

  it('inlines a client script that runs on its own', () => {
    const src = reportClient.toString();
    expect(src).toMatch(/^function reportClient\(fmt\)/);
    // Bundler helpers or imports would be undefined in the page.
    expect(src).not.toMatch(/__name|require\(|\bimport\b|\bexports\b/);
  });

  it('inlines Chart.js from node_modules, without a source map reference', () => {
    const js = chartJsSource();
    expect(js).toMatch(/^\/\*!\s*\n\s*\* Chart\.js v4/);
    expect(js).not.toContain('sourceMappingURL');
    expect(js.toLowerCase()).not.toContain('</script');
    expect(js.length).toBeLessThan(400_000);
  });
});

describe('writing report.html for a results folder', () => {
  const rows = (records: RequestRecord[], axes: string[]) => stringify(records.map((r) => recordToRow(r, axes)));

  it('reads requests.csv incrementally: new rows only, a partial line waits, a new file starts over', () => {
    const dir = tempDir();
    const path = join(dir, 'requests.csv');
    const { records, axes } = grid({ concurrency: [1, 2] }, 3);
    writeFileSync(path, stringify([requestColumns(axes)]) + rows(records.slice(0, 2), axes));
    expect(readRequestsIncrementally(path).count).toBe(2);
    const next = rows(records.slice(2, 4), axes);
    appendFileSync(path, next.slice(0, next.length - 10));
    expect(readRequestsIncrementally(path).count).toBe(3);
    appendFileSync(path, next.slice(next.length - 10));
    const all = readRequestsIncrementally(path);
    expect(all.count).toBe(4);
    expect([...all.byCell].map(([cell, rows]) => [cell, rows.columns.length])).toEqual([['c=1', 3], ['c=2', 1]]);
    expect(all.axes).toEqual(['concurrency']);
    rmSync(path);
    writeFileSync(path, stringify([requestColumns(axes)]) + rows(records.slice(0, 1), axes));
    expect(readRequestsIncrementally(path).count).toBe(1);
  });

  it('writes report.html and returns summaries rebuilt from the rows over the given ones', () => {
    const dir = tempDir();
    const { records, axes, cells } = grid({ concurrency: [1, 2] }, 4);
    writeFileSync(join(dir, 'requests.csv'), stringify([requestColumns(axes)]) + rows(records, axes));
    const given = cells.map((c, i) => ({ ...c, latency_ms: undefined, threshold: i === 1 ? ('fail' as const) : ('pass' as const) }));
    const written = writeReport(dir, { spec_name: 'demo', cells: given });
    expect(written.path).toBe(join(dir, 'report.html'));
    expect(existsSync(written.path)).toBe(true);
    expect(written.axes).toEqual(['concurrency']);
    expect(written.cells.map((c) => [c.cell, c.threshold, c.latency_ms?.p50])).toEqual([
      ['c=1', 'pass', 101.5],
      ['c=2', 'fail', 201.5],
    ]);
    const html = readFileSync(written.path, 'utf8');
    expect(html).toContain('<h1>demo</h1>');
    expect(html).toContain('How the numbers are measured');
  });
});
