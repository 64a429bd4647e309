import { describe, expect, it } from 'vitest';
import { summarizeCell } from '../../../src/metrics/summary.js';
import { cellId } from '../../../src/plan/cell-id.js';
import { axisCharts } from '../../../src/report/charts.js';
import { buildReportData } from '../../../src/report/data.js';
import { renderReportHtml } from '../../../src/report/html.js';
import { chartMarks } from '../../../src/report/meta.js';
import { failedChecks, qualityChart } from '../../../src/report/quality.js';
import { details, fakeRun, recordsFor } from './fixtures.js';

/** Cells over temperature x max_tokens whose answers pass checks at `rate(params)`. */
function cells(rate: (p: Record<string, number>) => number) {
  const combos = [0, 1].flatMap((t) => [16, 64].map((m) => ({ temperature: t, max_tokens: m })));
  const records = combos.flatMap((p) =>
    recordsFor(p, 10).map((r, i) => ({ ...r, checks_total: 1, checks_passed: i < rate(p) * 10 ? 1 : 0, cost: 0.001 })),
  );
  const summaries = combos.map((p) => summarizeCell(cellId(p), p, records.filter((r) => r.cell === cellId(p)), { checks: true, priced: true }));
  return { records, summaries };
}

describe('qualityChart', () => {
  it('plots each cell as a point: latency p95 against pass rate %, labelled with its swept values, coloured by the first axis', () => {
    const { summaries } = cells((p) => (p.max_tokens === 64 ? 0.9 : 0.3) - 0.2 * p.temperature);
    const chart = qualityChart(summaries, ['temperature', 'max_tokens'], chartMarks(undefined));
    if (chart?.kind !== 'line') throw new Error('expected a line chart');
    expect(chart).toMatchObject({ id: 'quality', scatter: true, pointLabels: true, y: { min: 0, max: 100 } });
    expect(chart.series.map((s) => s.label)).toEqual(['temperature=0', 'temperature=1']);
    expect(chart.series[0].points.map((p) => [p.label, p.y])).toEqual([
      ['t=0,mt=16', 30],
      ['t=0,mt=64', 90],
    ]);
    for (const s of chart.series) for (const p of s.points) expect(typeof p.x).toBe('number');
  });

  it('is absent without pass rates, and the axis charts then have no pass-rate chart', () => {
    const plain = [summarizeCell('c', { temperature: 0 }, recordsFor({ temperature: 0 }))];
    expect(qualityChart(plain, ['temperature'], chartMarks(undefined))).toBeUndefined();
    expect(axisCharts(plain, ['temperature'])[0].charts.map((c) => c.id)).not.toContain('axis-temperature-check_pass_rate');
    const { summaries } = cells(() => 0.5);
    expect(axisCharts(summaries, ['temperature'])[0].charts.map((c) => c.id)).toContain('axis-temperature-check_pass_rate');
  });
});

describe('failed checks in the report', () => {
  const tally = [
    { name: 'json', type: 'json', total: 10, passed: 10, examples: [] },
    { name: 'right answer', type: 'equals', total: 10, passed: 4, examples: [{ cell: 'c1', prompt_id: 3, repeat: 0, reason: 'is "5", not "4"', answer: '<b>5</b>' }] },
    { name: 'short', type: 'max-length', total: 10, passed: 8, examples: [{ cell: 'c2', prompt_id: 0, repeat: 1, reason: '9 chars (most 3)', answer: '' }] },
  ];

  it('lists the checks that failed, most failures first', () => {
    expect(failedChecks(tally).map((c) => c.name)).toEqual(['right answer', 'short']);
    expect(failedChecks(undefined)).toEqual([]);
  });

  it('renders them with their examples, answers escaped, and the quality chart', () => {
    const { summaries, records } = cells(() => 0.5);
    const data = buildReportData({ run: fakeRun({ checks: tally, spec: { pricing: { currency: 'EUR' } } }), cells: summaries, axes: ['temperature', 'max_tokens'], details: details(records) });
    const html = renderReportHtml(data, { chartJs: '/* chart.js */' });
    expect(html).toContain('<h2>Failed checks</h2>');
    expect(html).toContain('right answer <span class="values">equals · failed 6 of 10 (60%)</span>');
    expect(html).toContain('<pre class="answer">&lt;b&gt;5&lt;/b&gt;</pre>');
    expect(html).toContain('(empty answer)');
    expect(html).toContain('Quality vs latency');
    expect(data.overview.find((c) => c.label === 'Cost')?.value).toBe('0.04 EUR');
    expect(data.overview.find((c) => c.label === 'Best check pass rate')?.value).toMatch(/^50%/);
  });
});
