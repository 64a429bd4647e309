/**
 * report.html as one string: text, tables and verdicts rendered here (readable without
 * script and in print), charts drawn in the browser by Chart.js from the embedded JSON.
 * Pure apart from reading Chart.js (see assets.ts), which tests can pass in.
 */
import { chartJsSource, inlineScript } from './assets.js';
import { reportClient } from './client.js';
import { targetsHtml } from './targets.js';
import { formatNumber, formatPercent } from '../ui/format.js';
import { BAR_OFFSET, DASHES, PALETTE, REFERENCE } from './palette.js';
import type { ChartSpec, ReportData, TableColumn, TableRow, VerdictRow } from './types.js';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** JSON inside <script type="application/json">: no `<`, so no `</script>` or `<!--`. */
export function embedJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

const LINE_HEIGHT_PX = 250;
/** The throughput curve: taller, its labels need room. */
const LABELLED_HEIGHT_PX = 330;
const ROW_PX = 24;

function chartHeight(spec: ChartSpec): number {
  if (spec.kind === 'line') return spec.pointLabels ? LABELLED_HEIGHT_PX : LINE_HEIGHT_PX;
  return Math.max(140, 64 + ROW_PX * spec.categories.length);
}

/**
 * The legend as HTML under the canvas: it wraps instead of being clipped (a canvas legend
 * cut off after ~5 of 8 series), and each entry is a button that shows or hides its series,
 * so a crowded chart can be narrowed to the lines of interest. Readable without script.
 */
function legend(spec: ChartSpec): string {
  if (spec.kind === 'box') return '';
  const series = spec.series.map((s, i) => ({ label: s.label, i, reference: 'reference' in s && s.reference }));
  if (series.length < 2) return '';
  const items = series.map(({ label, i, reference }) => {
    const colour = reference ? REFERENCE : PALETTE[(i + (spec.kind === 'stacked-bar' ? BAR_OFFSET : 0)) % PALETTE.length];
    const dashed = reference || (spec.kind === 'line' && DASHES[Math.floor(i / PALETTE.length) % DASHES.length].length > 0);
    return (
      `<li><button type="button" data-series="${i}" aria-pressed="true" title="show or hide this series">` +
      `<span class="swatch${dashed ? ' dashed' : ''}" style="border-color:${colour}"></span>${escapeHtml(label)}</button></li>`
    );
  });
  return `<ul class="legend" aria-label="series (click to show or hide)">${items.join('')}</ul>`;
}

function figure(spec: ChartSpec, wide = false): string {
  return (
    `<figure class="chart${wide ? ' wide' : ''}" data-chart="${escapeHtml(spec.id)}">` +
    `<figcaption>${escapeHtml(spec.title)}</figcaption>` +
    `<div class="plot" style="height:${chartHeight(spec)}px"><canvas role="img" aria-label="${escapeHtml(spec.title)}"></canvas></div>` +
    legend(spec) +
    `</figure>`
  );
}

/**
 * Each cell over its own time: one chart, the cell picked from a list (every cell's buckets
 * are in the embedded JSON; the script swaps them in).
 */
function secondsSection(d: ReportData): string {
  if (d.seconds.length === 0) return '';
  const options = d.seconds.map((t, i) => `<option value="${i}">${escapeHtml(t.label)}</option>`).join('');
  const bucket = Math.max(...d.seconds.map((t) => t.buckets.bucket_s));
  return section(
    'timeline',
    'Each cell over time',
    `<p class="note">Per ${bucket === 1 ? 'second' : `${bucket} s`} of the cell, from its first send: p50 latency and TTFT of the successful requests sent then, ` +
      'the mean number of requests in flight, and the failed requests. Warm-up effects and a server that degrades show here; percentiles hide them.</p>' +
      `<label class="pick">cell <select id="timeline-cell">${options}</select></label>` +
      `<figure class="chart wide" data-timeline="1"><figcaption>Latency, TTFT, in flight and errors over the cell's time</figcaption>` +
      `<div class="plot" style="height:${LINE_HEIGHT_PX + 30}px"><canvas role="img" aria-label="the chosen cell over time"></canvas></div>` +
      `<ul class="legend static">${['latency p50 (ms)', 'TTFT p50 (ms)', 'in flight (requests)', 'errors (requests)']
        .map((l, i) => `<li><span class="swatch${i === 2 ? ' dashed' : ''}" style="border-color:${PALETTE[i]}"></span>${escapeHtml(l)}</li>`)
        .join('')}</ul></figure>`,
  );
}

function dl(rows: [string, string][], cls: string): string {
  if (rows.length === 0) return '';
  return `<dl class="${cls}">${rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`;
}

function section(id: string, title: string, body: string, cls = ''): string {
  return `<section id="${id}"${cls ? ` class="${cls}"` : ''}><h2>${escapeHtml(title)}</h2>${body}</section>`;
}

const VERDICT_TEXT = { fail: 'FAIL', pass: 'pass', skip: 'skip' } as const;

function verdictTable(rows: readonly VerdictRow[], columns: readonly string[]): string {
  if (rows.length === 0) return '';
  const head = `<tr><th></th>${columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr>`;
  const body = rows
    .map(
      (r) =>
        `<tr class="${r.state}"><td class="verdict">${VERDICT_TEXT[r.state]}</td>` +
        `${columns.map((c) => `<td>${escapeHtml(r.fields[c] ?? '')}</td>`).join('')}</tr>`,
    )
    .join('');
  return `<div class="table-wrap"><table class="plain verdict-table"><thead>${head}</thead><tbody>${body}</tbody></table></div>`;
}

/**
 * Failed checks in full; passed and skipped ones folded away (a sweep of 100 cells with 3
 * rules has 300 checks, and the failures are what a reader came for).
 */
function verdictSection(d: ReportData['verdicts']): string {
  if (!d.any) return '';
  const failed = d.rows.filter((r) => r.state === 'fail');
  const rest = d.rows.filter((r) => r.state !== 'fail');
  const title = d.anyFailed
    ? `Thresholds failed${failed.length > 0 ? `: ${failed.length} check${failed.length === 1 ? '' : 's'}` : ''}`
    : 'Thresholds: all passed';
  const cells =
    d.failedCells.length > 0
      ? `<p>Cells that failed a threshold: ${d.failedCells.map((c) => `<code>${escapeHtml(c)}</code>`).join(', ')}</p>`
      : '';
  const passed = rest.filter((r) => r.state === 'pass').length;
  const skipped = rest.length - passed;
  const restText = [passed > 0 ? `${passed} passed` : '', skipped > 0 ? `${skipped} skipped (not applicable)` : ''].filter(Boolean).join(', ');
  const folded = rest.length > 0 ? `<details><summary>${restText}</summary>${verdictTable(rest, d.columns)}</details>` : '';
  return section('thresholds', title, cells + verdictTable(failed, d.columns) + folded, d.anyFailed ? 'verdicts bad' : 'verdicts good');
}

function cellText(v: TableRow['values'][string]): { text: string; sortValue?: number } {
  if (v === undefined) return { text: '' };
  if (typeof v === 'number') return { text: formatNumber(v), sortValue: v };
  return { text: String(v) };
}

function cellTable(t: ReportData['table']): string {
  const grouped = t.columns.some((c) => c.group);
  const sortable = (c: TableColumn, i: number, extra = '') =>
    `<th data-col="${i}"${extra} class="${c.numeric ? 'num' : ''}${c.axis ? ' axis' : ''}${i === 0 ? ' sticky' : ''}" scope="col">` +
    `<button type="button" title="sort by ${escapeHtml(c.key.replace(/^axis:/, ''))}">${escapeHtml(c.label)}</button></th>`;
  let head: string;
  if (grouped) {
    let top = '';
    let bottom = '';
    t.columns.forEach((c, i) => {
      if (!c.group) top += sortable(c, i, ' rowspan="2"');
      else {
        if (t.columns[i - 1]?.group !== c.group) {
          const span = t.columns.slice(i).findIndex((x) => x.group !== c.group);
          top += `<th colspan="${span === -1 ? t.columns.length - i : span}" class="group" scope="colgroup">${escapeHtml(c.group)}</th>`;
        }
        bottom += sortable(c, i);
      }
    });
    head = `<tr>${top}</tr><tr>${bottom}</tr>`;
  } else {
    head = `<tr>${t.columns.map((c, i) => sortable(c, i)).join('')}</tr>`;
  }
  const body = t.rows
    .map((r) => {
      const tds = t.columns
        .map((c, i) => {
          const { text, sortValue } = cellText(r.values[c.key]);
          const cls = [c.numeric ? 'num' : '', i === 0 ? 'sticky' : '', c.key === 'errors' && Number(r.values[c.key]) > 0 ? 'bad' : '']
            .filter(Boolean)
            .join(' ');
          return `<td${cls ? ` class="${cls}"` : ''}${sortValue !== undefined ? ` data-v="${sortValue}"` : ''}>${escapeHtml(text)}</td>`;
        })
        .join('');
      return `<tr${r.failed ? ' class="fail"' : ''}>${tds}</tr>`;
    })
    .join('');
  return `<div class="table-wrap"><table class="sortable cells"><thead>${head}</thead><tbody>${body}</tbody></table></div>`;
}

function errorsSection(d: ReportData): string {
  if (d.errors.groups.length === 0) return section('errors', 'Errors', '<p class="ok-note">No request failed.</p>');
  const rows = d.errors.groups
    .map(
      (g) =>
        `<tr><td>${escapeHtml(g.key)}</td><td>${escapeHtml(g.kind)}</td><td class="num">${g.count}</td>` +
        `<td>${g.cells.map((c) => `<code>${escapeHtml(c)}</code>`).join(' ')}</td><td class="example">${escapeHtml(g.example)}</td></tr>`,
    )
    .join('');
  const table =
    `<div class="table-wrap"><table class="plain"><thead><tr><th>error</th><th>kind</th><th class="num">count</th><th>cells</th><th>example</th></tr></thead>` +
    `<tbody>${rows}</tbody></table></div>`;
  return section('errors', 'Errors by kind and status', (d.errors.chart ? figure(d.errors.chart, true) : '') + table);
}

function qualitySection(d: ReportData): string {
  if (!d.quality) return '';
  return section(
    'quality',
    'Quality vs latency',
    `<div class="with-aside">${figure(d.quality)}<p class="aside">Each point is one cell, labelled with its swept values: ` +
      'the share of its answers that passed every check, against its latency p95. Up and to the left is better; ' +
      'the points on the upper-left edge are the settings worth choosing from. The cell table holds each pass rate\'s ' +
      '95% interval (check_pass_rate_low, _high): two cells whose intervals overlap widely are not told apart.</p></div>',
  );
}

function checksSection(d: ReportData): string {
  if (d.failedChecks.length === 0) return '';
  const parts = d.failedChecks.map((c) => {
    const failed = c.total - c.passed;
    const rows = c.examples
      .map(
        (e) =>
          `<tr><td><code>${escapeHtml(e.cell)}</code></td><td class="num">${e.prompt_id}</td><td class="example">${escapeHtml(e.reason ?? '')}</td>` +
          `<td class="example">${e.answer === '' ? '<span class="note">(empty answer)</span>' : `<pre class="answer">${escapeHtml(e.answer)}</pre>`}</td></tr>`,
      )
      .join('');
    return (
      `<h3>${escapeHtml(c.name)} <span class="values">${escapeHtml(c.type)} · failed ${failed} of ${c.total} (${formatPercent(failed / c.total)})</span></h3>` +
      `<div class="table-wrap"><table class="plain"><thead><tr><th>cell</th><th class="num">prompt</th><th>why</th><th>answer</th></tr></thead><tbody>${rows}</tbody></table></div>`
    );
  });
  return section('checks', 'Failed checks', '<p class="note">Grouped by check, with example answers (the first 500 characters), spread over cells.</p>' + parts.join(''));
}

function axesSection(d: ReportData): string {
  if (d.axisCharts.length === 0) {
    return section('by-axis', 'By swept axis', '<p class="note">Nothing was swept (every axis has one value), so there is no chart against an axis.</p>');
  }
  const parts = d.axisCharts.map(
    (a) =>
      `<h3>${escapeHtml(a.axis)} <span class="values">${a.values.length} values</span></h3>` +
      `<div class="grid3">${a.charts.map((c) => figure(c)).join('')}</div>`,
  );
  const lines = d.axisCharts.flatMap((a) => a.charts).filter((c) => c.kind === 'line');
  const marked = [
    lines.some((c) => c.limits) ? 'dashed red lines: thresholds' : '',
    lines.some((c) => c.series.some((s) => s.points.some((p) => p.failed))) ? 'red diamonds: cells that failed the threshold on that metric' : '',
  ].filter(Boolean);
  const note =
    `<p class="note">${d.swept.length > 1 ? 'One line per combination of the other swept axes. ' : ''}Percentiles over successful requests.` +
    `${marked.length > 0 ? ` ${marked.join('; ').replace(/^./, (c) => c.toUpperCase())}.` : ''}</p>`;
  return section('by-axis', 'Latency and TTFT by swept axis', note + parts.join(''));
}

const CSS = `
:root { --fg:#1f2328; --muted:#5b636d; --line:#d8dce1; --soft:#f5f7f9; --accent:#4e79a7; --bad:#b42318; --bad-bg:#fef3f2; --good:#1f7a3a; --good-bg:#eff8f1; --warn-bg:#fff8e6; --warn:#8a5a00; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--fg); background: #fff; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
.page { max-width: 1320px; margin: 0 auto; padding: 20px 24px 32px; }
header.page-head { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 8px 32px; border-bottom: 2px solid var(--fg); padding-bottom: 12px; margin-bottom: 16px; }
.eyebrow { margin: 0; color: var(--muted); font-size: 12px; letter-spacing: .06em; text-transform: uppercase; }
h1 { margin: 2px 0 4px; font-size: 26px; line-height: 1.2; }
.desc { margin: 0 0 8px; color: var(--muted); }
h2 { font-size: 18px; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 16px 0 4px; }
h3 .values { color: var(--muted); font-weight: normal; font-size: 13px; margin-left: 6px; }
dl.meta, dl.sweep { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 2px 12px; margin: 0; font-size: 13px; }
dt { color: var(--muted); }
dd { margin: 0; overflow-wrap: anywhere; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--soft); padding: 0 3px; border-radius: 3px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); gap: 10px; margin: 12px 0 4px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; min-width: 0; overflow-wrap: anywhere; }
.card .k { color: var(--muted); font-size: 12px; }
.card .v { font-size: 17px; font-weight: 600; font-variant-numeric: tabular-nums; }
.card .d { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; color: var(--muted); margin-top: 2px; }
ul.legend { list-style: none; display: flex; flex-wrap: wrap; gap: 2px 12px; margin: 4px 0 0; padding: 0; font-size: 12px; }
ul.legend button { all: unset; cursor: pointer; display: inline-flex; align-items: center; gap: 6px; padding: 1px 2px; border-radius: 3px; }
ul.legend button:focus-visible { outline: 2px solid var(--accent); }
ul.legend button[aria-pressed="false"] { color: #a7afb8; text-decoration: line-through; }
ul.legend li { display: inline-flex; align-items: center; gap: 6px; min-width: 0; overflow-wrap: anywhere; }
.swatch { display: inline-block; width: 18px; border-top: 3px solid; flex: none; }
.swatch.dashed { border-top-style: dashed; }
label.pick { display: inline-block; margin: 4px 0 8px; font-size: 13px; color: var(--muted); }
label.pick select { font: inherit; margin-left: 6px; max-width: 100%; }
.card.bad { border-color: #f3b8b2; background: var(--bad-bg); } .card.bad .v { color: var(--bad); }
.card.good .v { color: var(--good); }
section.verdicts { border-radius: 6px; padding: 2px 14px 10px; margin: 12px 0; }
section.verdicts h2 { border: 0; margin-top: 10px; }
section.verdicts.bad { background: var(--bad-bg); border: 1px solid #f3b8b2; } section.verdicts.bad h2 { color: var(--bad); }
section.verdicts.good { background: var(--good-bg); border: 1px solid #b7dcc1; } section.verdicts.good h2 { color: var(--good); }
section.warnings { background: var(--warn-bg); border: 1px solid #f0d58c; border-radius: 6px; padding: 2px 14px 6px; margin: 12px 0; }
section.warnings h2 { border: 0; color: var(--warn); margin-top: 10px; }
section.warnings ul { margin: 0 0 6px; padding-left: 20px; }
.note { color: var(--muted); margin: 4px 0 8px; font-size: 13px; }
.ok-note { color: var(--good); }
.grid3 { display: grid; grid-template-columns: repeat(auto-fit, minmax(360px, 1fr)); gap: 12px 20px; }
.grid2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(480px, 1fr)); gap: 12px 20px; }
.grid3 { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 12px 20px; margin-bottom: 8px; }
figure.chart { margin: 0; min-width: 0; break-inside: avoid; page-break-inside: avoid; }
figure.chart.wide { max-width: 980px; }
figcaption { font-weight: 600; font-size: 13px; margin: 4px 0; }
.plot { position: relative; width: 100%; }
.plot canvas { display: block; }
.with-aside { display: grid; grid-template-columns: minmax(0, 2fr) minmax(220px, 1fr); gap: 20px; align-items: start; }
.verdict-line { font-weight: 600; margin: 4px 0 8px; }
.aside { color: var(--muted); font-size: 13px; border-left: 3px solid var(--line); padding-left: 12px; margin-top: 28px; }
.table-wrap { overflow-x: auto; border: 1px solid var(--line); border-radius: 6px; }
table { border-collapse: separate; border-spacing: 0; font-size: 12.5px; font-variant-numeric: tabular-nums; width: max-content; min-width: 100%; }
th, td { padding: 4px 8px; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
th { background: var(--soft); font-weight: 600; vertical-align: bottom; }
th.group { text-align: center; border-left: 1px solid var(--line); border-right: 1px solid var(--line); color: var(--muted); font-weight: 500; }
td.num, th.num { text-align: right; }
table.targets tr.group-start td { border-top: 2px solid var(--line); }
.diff { color: var(--muted); font-size: 12px; white-space: nowrap; } .diff.good { color: var(--good); font-weight: 600; } .diff.bad { color: var(--bad); font-weight: 600; }
tbody tr:last-child td { border-bottom: 0; }
tbody tr:hover td { background: #eef3f9; }
tr.fail td { background: var(--bad-bg); }
tr.fail td.verdict, td.bad { color: var(--bad); font-weight: 600; }
tr.pass td.verdict { color: var(--good); }
tr.skip td { color: var(--muted); }
details summary { cursor: pointer; margin: 6px 0; color: var(--muted); }
td.example { white-space: normal; min-width: 260px; color: var(--muted); }
pre.answer { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; max-height: 9em; overflow-y: auto; font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; color: var(--fg); }
.sticky { position: sticky; left: 0; z-index: 1; background: #fff; border-right: 1px solid var(--line); }
th.sticky { background: var(--soft); z-index: 2; }
tr.fail td.sticky { background: var(--bad-bg); }
th button { all: unset; cursor: pointer; display: block; width: 100%; }
th button:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
th button::after { content: " ↕"; color: #a7afb8; font-size: 10px; }
th[aria-sort="ascending"] button::after { content: " ▲"; color: var(--accent); }
th[aria-sort="descending"] button::after { content: " ▼"; color: var(--accent); }
th.axis { color: var(--accent); }
dl.defs { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 2px 12px; font-size: 12px; color: var(--muted); }
footer { color: var(--muted); font-size: 12px; margin-top: 24px; border-top: 1px solid var(--line); padding-top: 8px; }
@media (max-width: 900px) { header.page-head, .with-aside { grid-template-columns: 1fr; } }
@page { size: A4 landscape; margin: 10mm; }
@media print {
  body { font-size: 10pt; }
  .page { max-width: none; padding: 0; }
  h2 { break-after: avoid; page-break-after: avoid; }
  section { break-inside: auto; }
  .cards, section.verdicts, section.warnings, figure.chart, .with-aside { break-inside: avoid; page-break-inside: avoid; }
  .grid3 { grid-template-columns: repeat(3, minmax(0, 1fr)); }
  .grid2 { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  .table-wrap { overflow: visible; border: 0; }
  table.cells { font-size: 6.5pt; width: 100%; min-width: 0; }
  table.cells th, table.cells td { padding: 1px 3px; }
  th button::after { content: ""; }
  th[aria-sort="ascending"] button::after { content: " ▲"; }
  th[aria-sort="descending"] button::after { content: " ▼"; }
  tbody tr:hover td { background: none; }
  .sticky { position: static; }
  section.verdicts, section.warnings, .card.bad, tr.fail td { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`;

export interface RenderOptions {
  /** Chart.js source; read from node_modules when not given. */
  chartJs?: string;
}

export function renderReportHtml(d: ReportData, opts: RenderOptions = {}): string {
  const charts: Record<string, ChartSpec> = {};
  for (const c of [
    ...d.axisCharts.flatMap((a) => a.charts),
    ...(d.throughput ? [d.throughput] : []),
    ...(d.turns ? [d.turns] : []),
    ...(d.quality ? [d.quality] : []),
    ...(d.rate ? [d.rate] : []),
    ...(d.search ?? []).flatMap((s) => s.charts),
    ...(d.pareto ? [d.pareto] : []),
    ...d.distributions,
    ...d.timelines.flatMap((t) => t.charts),
    ...(d.errors.chart ? [d.errors.chart] : []),
  ]) {
    charts[c.id] = c;
  }
  const head =
    `<header class="page-head"><div><p class="eyebrow">llm-sweep report</p><h1>${escapeHtml(d.title)}</h1>` +
    `${d.description ? `<p class="desc">${escapeHtml(d.description)}</p>` : ''}${dl(d.sweep, 'sweep')}</div>` +
    `<div>${dl(d.meta, 'meta')}</div></header>`;
  const cards = `<div class="cards">${d.overview
    .map(
      (c) =>
        `<div class="card${c.tone ? ` ${c.tone}` : ''}"><div class="k">${escapeHtml(c.label)}</div><div class="v">${escapeHtml(c.value)}</div>` +
        `${c.detail ? `<div class="d">${escapeHtml(c.detail)}</div>` : ''}</div>`,
    )
    .join('')}</div>`;
  const warnings =
    d.warnings.length > 0
      ? section('warnings', `Warnings (${d.warnings.length})`, `<ul>${d.warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul>`, 'warnings')
      : '';
  const throughput = d.throughput
    ? section(
        'throughput',
        'Throughput vs latency',
        `<div class="with-aside">${figure(d.throughput)}<p class="aside">Each point is one cell, labelled with its load. ` +
          'Up and to the left is better. Where the curve turns flat, more load adds latency but no throughput: ' +
          'that knee is the useful capacity of the endpoint. The ringed point marked <b>knee</b> is the last one before a step ' +
          'that adds less than 10% throughput for more than 20% latency (docs/metrics.md).</p></div>' +
          (d.rate ? figure(d.rate, true) : ''),
      )
    : d.rate
      ? section('throughput', 'Offered vs achieved rate', figure(d.rate, true))
      : '';
  const search = d.search?.length
    ? section(
        'search',
        'Capacity search',
        '<p class="note">Each point is one step of the search (a cell of its own), labelled with its verdict: the Wilson interval of its attainment wholly at or above the target (pass), below it (fail, red diamond), or neither after its last round (undecided). Dashed lines: the target, the SLO and the capacity found. See docs/search.md.</p>' +
          d.search
            .map((s) => `<h3>${escapeHtml(s.label)}</h3><p class="verdict-line">${escapeHtml(s.line)}</p><div class="grid2">${s.charts.map((c) => figure(c)).join('')}</div>`)
            .join(''),
      )
    : '';
  const pareto = d.pareto
    ? section(
        'pareto',
        'Pareto front',
        `<div class="with-aside">${figure(d.pareto)}<p class="aside">Each point is one cell. Right is faster for each user, up is more ` +
          'throughput in total; the line joins the cells no other cell beats on both. Moving along it trades one for the other; ' +
          'a cell below it is beaten outright (as vLLM\'s <code>plot_pareto</code>).</p></div>',
      )
    : '';
  const turns = d.turns
    ? section(
        'turns',
        'TTFT by turn',
        `<div class="with-aside">${figure(d.turns)}<p class="aside">Each line is one cell of chat sessions. Turn t resends every earlier turn and answer, ` +
          'so its prompt grows; with a working prefix cache the server skips that history and TTFT stays flat.</p></div>',
      )
    : '';
  const distributions =
    d.distributions.length > 0
      ? section(
          'distributions',
          'Distributions per cell',
          '<p class="note">Successful requests. Box: p25–p75 · thick line: median · orange triangle: p95 · whiskers: min–max.</p>' +
            `<div class="grid2">${d.distributions.map((c) => figure(c)).join('')}</div>`,
        )
      : '';
  const timelines =
    d.timelines.length > 0
      ? section(
          'server',
          'Server and client over time',
          "<p class=\"note\">From the server's own metrics (target.metrics), scraped while each cell ran, on the same time axis as the client's requests. " +
            'Client in flight above server running means requests wait before the server starts them (in its queue or on the network).</p>' +
            d.timelines.map((t) => `<div class="grid3">${t.charts.map((c) => figure(c)).join('')}</div>`).join(''),
        )
      : '';
  const table = section(
    'cells',
    `All cells (${d.table.rows.length})`,
    d.table.rows.length > 0
      ? '<p class="note">Click a column header to sort. Every summary column; times in ms, rates per second.</p>' + cellTable(d.table)
      : '<p class="note">No cell has finished yet.</p>',
  );
  const defs = d.definitions.length > 0 ? section('definitions', 'How the numbers are measured', dl(d.definitions, 'defs')) : '';
  const targets = d.targets ? section('targets', `Targets side by side (${d.targets.targets.join(' vs ')})`, targetsHtml(d.targets)) : '';
  const failedFirst = d.verdicts.anyFailed ? verdictSection(d.verdicts) : '';
  const passedLater = d.verdicts.anyFailed ? '' : verdictSection(d.verdicts);
  const client = `(${reportClient.toString()})(${formatNumber.toString()}, ${JSON.stringify({ PALETTE, DASHES, REFERENCE, BAR_OFFSET })});`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="llm-sweep ${escapeHtml(d.toolVersion)}">
<title>${escapeHtml(d.title)} — llm-sweep report</title>
<style>${CSS}</style>
</head>
<body>
<div class="page">
${head}
<main>
${failedFirst}${warnings}${cards}
${targets}
${axesSection(d)}
${throughput}
${turns}
${qualitySection(d)}
${search}
${pareto}
${distributions}
${secondsSection(d)}
${timelines}
${errorsSection(d)}
${checksSection(d)}
${table}
${passedLater}
${defs}
</main>
<footer>Generated by llm-sweep ${escapeHtml(d.toolVersion)} on ${escapeHtml(d.generatedAt)} from requests.csv. Self-contained: charts by Chart.js (MIT), inlined.</footer>
</div>
<script type="application/json" id="report-data">${embedJson({ charts, seconds: d.seconds.map((t) => t.buckets) })}</script>
<script>${opts.chartJs ?? chartJsSource()}</script>
<script>${inlineScript(client)}</script>
</body>
</html>
`;
}
