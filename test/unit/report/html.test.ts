import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requestTable } from '../../../src/records/columns.js';
import { chartJsSource } from '../../../src/report/assets.js';
import { reportClient } from '../../../src/report/client.js';
import { buildReportData } from '../../../src/report/data.js';
import { embedJson, renderReportHtml } from '../../../src/report/html.js';
import { csvLine } from '../../../src/results/exporters/requests-csv.js';
import { rebuildReport } from '../../../src/results/rebuild.js';
import { serializeRunJson } from '../../../src/results/run-json.js';
import { tempDir } from '../../helpers/cli.js';
import { details, fakeRun, grid } from './fixtures.js';

const FAKE_CHART_JS = '/* chart.js */';

function render(matrix: Record<string, unknown[]>, run: Record<string, unknown> = {}, opts: Parameters<typeof grid>[2] = {}) {
  const { cells, axes, records } = grid(matrix, 5, opts);
  const input = { run: fakeRun(run), cells, axes, details: details(records) };
  return renderReportHtml(buildReportData(input, new Date('2026-01-01T00:00:00Z')), { chartJs: FAKE_CHART_JS });
}

/** A threshold check as run.json holds it. */
const check = (cell: string, metric: string, status: 'pass' | 'fail' | 'skip') => ({ cell, threshold: `${metric}: < 1`, metric, op: '<', limit: 1, status });

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
        'pareto',
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
    const failed = render({ concurrency: [1, 2] }, { thresholds: [check('c=2', 'latency_ms.p95', 'fail')] });
    expect(failed.indexOf('id="thresholds"')).toBeGreaterThan(0);
    expect(failed.indexOf('id="thresholds"')).toBeLessThan(failed.indexOf('class="cards"'));
    expect(failed).toContain('Thresholds failed: 1 check');
    const passed = render({ concurrency: [1, 2] }, {
      thresholds: [check('c=2', 'latency_ms.p95', 'pass'), check('c=1', 'ttft_ms.p50', 'skip')],
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
    expect(src).toMatch(/^function reportClient\(fmt, theme\)/);
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

describe('rebuilding report.html for a results folder', () => {
  it('writes report.html and summary.csv from requests.csv, over what only run.json knows', () => {
    const dir = tempDir();
    const { records, axes, cells } = grid({ concurrency: [1, 2] }, 4);
    const table = requestTable(axes);
    writeFileSync(join(dir, 'requests.csv'), [table.header(), ...records.map(table.row)].map(csvLine).join(''));
    const given = cells.map((c, i) => ({ ...c, latency_ms: undefined, threshold: i === 1 ? ('fail' as const) : ('pass' as const) }));
    writeFileSync(join(dir, 'run.json'), serializeRunJson(fakeRun({ spec_name: 'demo', axes, cells: given })));
    const written = rebuildReport(dir);
    expect(written).toEqual({ report: join(dir, 'report.html'), summary: join(dir, 'summary.csv') });
    expect(existsSync(written.report)).toBe(true);
    const summary = readFileSync(written.summary, 'utf8').split('\n');
    expect(summary[0]).toMatch(/^cell,concurrency,requests,/);
    // The rows give latency back; the verdict comes from run.json.
    expect(summary[1]).toMatch(/^c=1,1,4,4,0,.*,pass,/);
    expect(summary[2]).toMatch(/^c=2,2,4,4,0,.*,fail,/);
    const html = readFileSync(written.report, 'utf8');
    expect(html).toContain('<h1>demo</h1>');
    expect(html).toContain('How the numbers are measured');
  });

  it('writes into another folder when asked', () => {
    const dir = tempDir();
    const { records, axes } = grid({ concurrency: [1] }, 2);
    const table = requestTable(axes);
    writeFileSync(join(dir, 'requests.csv'), [table.header(), ...records.map(table.row)].map(csvLine).join(''));
    const out = join(tempDir(), 'elsewhere');
    expect(rebuildReport(dir, out)).toEqual({ report: join(out, 'report.html'), summary: join(out, 'summary.csv') });
    expect(existsSync(join(dir, 'report.html'))).toBe(false);
  });
});
