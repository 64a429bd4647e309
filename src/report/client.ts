/**
 * The report's script, run in the browser. `renderReportHtml` inlines this function's
 * source (`reportClient.toString()`), so it must stay self-contained: no imports used at
 * run time, no references to this module's scope; helpers it needs come in as arguments.
 * It draws each `<figure data-chart="id">` from the embedded JSON with Chart.js and makes
 * `table.sortable` sortable by a click on a column header.
 *
 * The DOM and Chart.js are declared here with the few members used, module-scoped, so the
 * Node code elsewhere does not see browser globals.
 */
import type { BoxStats, ChartSpec } from './types.js';

interface El {
  textContent: string | null;
  dataset: Record<string, string | undefined>;
  style: Record<string, string>;
  children: ArrayLike<El> & Iterable<El>;
  getAttribute(name: string): string | null;
  setAttribute(name: string, value: string): void;
  removeAttribute(name: string): void;
  querySelector(selector: string): El | null;
  querySelectorAll(selector: string): ArrayLike<El> & Iterable<El>;
  addEventListener(type: string, listener: () => void): void;
  appendChild(child: El): El;
}

interface Ctx2d {
  save(): void;
  restore(): void;
  beginPath(): void;
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  closePath(): void;
  stroke(): void;
  fill(): void;
  fillText(text: string, x: number, y: number): void;
  fillRect(x: number, y: number, w: number, h: number): void;
  setLineDash(segments: number[]): void;
  measureText(text: string): { width: number };
  strokeStyle: string;
  fillStyle: string;
  lineWidth: number;
  font: string;
  textBaseline: string;
}

interface ChartElement {
  getProps(props: string[], final: boolean): Record<string, number>;
}

interface ChartInstance {
  ctx: Ctx2d;
  chartArea: { left: number; right: number; top: number; bottom: number };
  scales: Record<string, { getPixelForValue(v: number): number }>;
  getDatasetMeta(i: number): { hidden: boolean | null; data: ChartElement[] };
  isDatasetVisible(i: number): boolean;
  resize(): void;
}

interface ChartStatic {
  new (canvas: El, config: unknown): ChartInstance;
  defaults: { font: { family: string; size: number }; color: string };
}

interface TooltipItem {
  dataIndex: number;
  datasetIndex: number;
  raw: unknown;
  dataset: { label?: string };
}

declare const document: El & { getElementById(id: string): El | null };
declare const window: {
  devicePixelRatio?: number;
  addEventListener(type: string, listener: () => void): void;
  matchMedia?(query: string): { addEventListener?(type: string, listener: (e: { matches: boolean }) => void): void };
};
declare const Chart: ChartStatic;

export function reportClient(fmt: (v: number) => string): void {
  const dataEl = document.getElementById('report-data');
  const data = JSON.parse(dataEl?.textContent ?? '{}') as { charts: Record<string, ChartSpec> };
  // Tableau 10: distinct in colour and in lightness, readable on white and in greyscale print.
  const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
  const DASHES = [[], [6, 4], [2, 3], [10, 3, 2, 3]];
  const color = (i: number) => PALETTE[i % PALETTE.length];
  const BAD = '#b42318';
  const dash = (i: number) => DASHES[Math.floor(i / PALETTE.length) % DASHES.length];
  const ratio = Math.max(2, window.devicePixelRatio ?? 1);

  Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
  Chart.defaults.font.size = 12;
  Chart.defaults.color = '#3a3f45';

  const scale = (a: ChartSpec['x'], extra: Record<string, unknown> = {}) => {
    const numeric = a.scale !== 'category';
    const ticks = a.ticks;
    return {
      type: a.scale,
      labels: a.labels,
      min: a.min,
      max: a.max,
      title: { display: true, text: a.title, font: { weight: 'bold' } },
      grid: { color: '#e6e8eb' },
      ticks: numeric ? { callback: (v: number | string) => fmt(Number(v)), includeBounds: false } : { autoSkip: false },
      afterBuildTicks: ticks
        ? (s: { ticks: { value: number }[] }) => {
            s.ticks = ticks.map((value) => ({ value }));
          }
        : undefined,
      ...extra,
    };
  };

  const common = (legend: boolean) => ({
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    devicePixelRatio: ratio,
    plugins: {
      legend: { display: legend, position: 'bottom', labels: { boxWidth: 18, boxHeight: 2, padding: 10 } },
      title: { display: false },
    },
  });

  // Labels next to the points of a curve (throughput vs latency: the load of each point),
  // each put at the first of four corners where it hides no other label or point.
  const pointLabels = (spec: Extract<ChartSpec, { kind: 'line' }>) => ({
    id: 'pointLabels',
    afterDatasetsDraw(chart: ChartInstance) {
      const ctx = chart.ctx;
      const area = chart.chartArea;
      type Rect = { x0: number; y0: number; x1: number; y1: number };
      const taken: Rect[] = [];
      const visible = spec.series.map((_, i) => chart.isDatasetVisible(i));
      spec.series.forEach((_, i) => {
        if (!visible[i]) return;
        for (const el of chart.getDatasetMeta(i).data) {
          const p = el.getProps(['x', 'y'], true);
          taken.push({ x0: p.x - 4, y0: p.y - 4, x1: p.x + 4, y1: p.y + 4 });
        }
      });
      const free = (r: Rect) =>
        r.x0 >= area.left && r.x1 <= area.right + 40 && r.y0 >= area.top - 12 && r.y1 <= area.bottom &&
        taken.every((q) => r.x1 < q.x0 || r.x0 > q.x1 || r.y1 < q.y0 || r.y0 > q.y1);
      ctx.save();
      ctx.font = '11px system-ui, sans-serif';
      ctx.textBaseline = 'top';
      const h = 12;
      spec.series.forEach((s, i) => {
        if (!visible[i]) return;
        chart.getDatasetMeta(i).data.forEach((el, j) => {
          const text = s.points[j]?.label;
          if (!text) return;
          const p = el.getProps(['x', 'y'], true);
          const w = ctx.measureText(text).width;
          for (const [dx, dy] of [[5, -h - 3], [5, 3], [-w - 5, -h - 3], [-w - 5, 3]]) {
            const r = { x0: p.x + dx, y0: p.y + dy, x1: p.x + dx + w, y1: p.y + dy + h };
            if (!free(r)) continue;
            taken.push(r);
            ctx.fillStyle = color(i);
            ctx.fillText(text, r.x0, r.y0);
            break;
          }
        });
      });
      ctx.restore();
    },
  });

  // Whiskers (min-max), median line and p95 triangle over the p25-p75 floating bars.
  const boxMarks = (boxes: (BoxStats | null)[]) => ({
    id: 'boxMarks',
    afterDatasetsDraw(chart: ChartInstance) {
      const ctx = chart.ctx;
      const x = chart.scales.x;
      ctx.save();
      chart.getDatasetMeta(0).data.forEach((el, i) => {
        const b = boxes[i];
        if (!b) return;
        const p = el.getProps(['y', 'height'], true);
        const half = p.height / 2;
        const px = (v: number) => x.getPixelForValue(v);
        ctx.strokeStyle = '#2f4b6e';
        ctx.lineWidth = 1.25;
        ctx.beginPath();
        ctx.moveTo(px(b.min), p.y);
        ctx.lineTo(px(b.q1), p.y);
        ctx.moveTo(px(b.q3), p.y);
        ctx.lineTo(px(b.max), p.y);
        for (const v of [b.min, b.max]) {
          ctx.moveTo(px(v), p.y - half * 0.6);
          ctx.lineTo(px(v), p.y + half * 0.6);
        }
        ctx.stroke();
        ctx.lineWidth = 2.5;
        ctx.beginPath();
        ctx.moveTo(px(b.median), p.y - half);
        ctx.lineTo(px(b.median), p.y + half);
        ctx.stroke();
        // p95: an orange triangle pointing at its value.
        const d = Math.min(5, half);
        ctx.fillStyle = '#f28e2b';
        ctx.beginPath();
        ctx.moveTo(px(b.p95), p.y);
        ctx.lineTo(px(b.p95) + d, p.y - d * 1.2);
        ctx.lineTo(px(b.p95) - d, p.y - d * 1.2);
        ctx.closePath();
        ctx.fill();
      });
      ctx.restore();
    },
  });

  // Thresholds as dashed lines, labelled at their end.
  const limitLines = (spec: Extract<ChartSpec, { kind: 'line' }>) => ({
    id: 'limitLines',
    afterDatasetsDraw(chart: ChartInstance) {
      const ctx = chart.ctx;
      const area = chart.chartArea;
      ctx.save();
      ctx.strokeStyle = BAD;
      ctx.lineWidth = 1.25;
      ctx.setLineDash([5, 4]);
      ctx.font = '11px system-ui, sans-serif';
      for (const l of spec.limits ?? []) {
        const px = chart.scales[l.axis].getPixelForValue(l.value);
        ctx.beginPath();
        if (l.axis === 'y') {
          ctx.moveTo(area.left, px);
          ctx.lineTo(area.right, px);
        } else {
          ctx.moveTo(px, area.top);
          ctx.lineTo(px, area.bottom);
        }
        ctx.stroke();
        // Labels where curves rarely go: latency grows to the right and up, so a horizontal
        // line is labelled at its left end and a vertical one at its foot.
        const w = ctx.measureText(l.label).width;
        const [tx, ty] = l.axis === 'y' ? [area.left + 4, px - 2] : [Math.min(px + 4, area.right - w), area.bottom - 2];
        ctx.textBaseline = 'bottom';
        ctx.fillStyle = 'rgba(255, 255, 255, 0.85)';
        ctx.fillRect(tx - 2, ty - 13, w + 4, 13);
        ctx.fillStyle = BAD;
        ctx.fillText(l.label, tx, ty);
      }
      ctx.restore();
    },
  });

  const configFor = (spec: ChartSpec): unknown => {
    if (spec.kind === 'line') {
      const base = common(spec.series.length > 1);
      const stretch = (axis: 'x' | 'y') => {
        const vs = (spec.limits ?? []).filter((l) => l.axis === axis).map((l) => l.value);
        return vs.length > 0 ? { suggestedMax: Math.max(...vs) * 1.08 } : {};
      };
      const failed = (c: { raw?: unknown }) => Boolean((c.raw as { failed?: boolean } | undefined)?.failed);
      return {
        type: 'line',
        data: {
          datasets: spec.series.map((s, i) => ({
            label: s.label,
            data: s.points,
            borderColor: color(i),
            backgroundColor: color(i),
            borderDash: dash(i),
            borderWidth: 2,
            pointRadius: (c: { raw?: unknown }) => (failed(c) ? 6 : s.dense ? 0 : 3.5),
            pointHoverRadius: 7,
            pointStyle: (c: { raw?: unknown }) => (failed(c) ? 'rectRot' : 'circle'),
            pointBackgroundColor: (c: { raw?: unknown }) => (failed(c) ? BAD : color(i)),
            pointBorderColor: (c: { raw?: unknown }) => (failed(c) ? BAD : color(i)),
            showLine: !spec.scatter,
            tension: 0,
          })),
        },
        options: {
          ...base,
          interaction: { mode: 'nearest', intersect: false },
          plugins: {
            ...base.plugins,
            tooltip: {
              callbacks: {
                label: (item: TooltipItem) => {
                  const p = item.raw as { x: number | string; y: number; label?: string };
                  const where = p.label ? `${p.label}: ` : '';
                  const verdict = (p as { failed?: boolean }).failed ? ' — failed a threshold' : '';
                  return `${item.dataset.label ?? ''} — ${where}${fmt(p.y)} (${spec.y.title}) at ${typeof p.x === 'number' ? fmt(p.x) : p.x}${verdict}`;
                },
              },
            },
          },
          scales: { x: scale(spec.x, stretch('x')), y: scale(spec.y, { beginAtZero: true, ...stretch('y') }) },
        },
        plugins: [...(spec.pointLabels ? [pointLabels(spec)] : []), ...(spec.limits ? [limitLines(spec)] : [])],
      };
    }
    if (spec.kind === 'box') {
      const base = common(false);
      return {
        type: 'bar',
        data: {
          labels: spec.categories,
          datasets: [
            {
              label: 'p25–p75',
              data: spec.boxes.map((b) => (b ? [b.q1, b.q3] : null)),
              backgroundColor: 'rgba(78, 121, 167, 0.30)',
              borderColor: '#4e79a7',
              borderWidth: 1,
              borderSkipped: false,
              barPercentage: 0.7,
              categoryPercentage: 0.9,
            },
          ],
        },
        options: {
          ...base,
          indexAxis: 'y',
          plugins: {
            ...base.plugins,
            tooltip: {
              callbacks: {
                label: (item: TooltipItem) => {
                  const b = spec.boxes[item.dataIndex];
                  if (!b) return 'no successful request';
                  return [
                    `median ${fmt(b.median)} ms · p95 ${fmt(b.p95)} ms`,
                    `p25–p75 ${fmt(b.q1)}–${fmt(b.q3)} ms`,
                    `min–max ${fmt(b.min)}–${fmt(b.max)} ms · n=${b.count}`,
                  ];
                },
              },
            },
          },
          scales: {
            x: scale(spec.x),
            y: { ticks: { autoSkip: false }, grid: { display: false } },
          },
        },
        plugins: [boxMarks(spec.boxes)],
      };
    }
    const base = common(spec.series.length > 1);
    return {
      type: 'bar',
      data: {
        labels: spec.categories,
        datasets: spec.series.map((s, i) => ({ label: s.label, data: s.values, backgroundColor: color(i + 2), stack: 'errors' })),
      },
      options: {
        ...base,
        indexAxis: 'y',
        scales: {
          x: scale(spec.x, { stacked: true, beginAtZero: true, ticks: { precision: 0 } }),
          y: { stacked: true, ticks: { autoSkip: false }, grid: { display: false } },
        },
      },
    };
  };

  const charts: ChartInstance[] = [];
  for (const fig of document.querySelectorAll('figure[data-chart]')) {
    const spec = data.charts[fig.dataset.chart ?? ''];
    const canvas = fig.querySelector('canvas');
    if (!spec || !canvas) continue;
    charts.push(new Chart(canvas, configFor(spec)));
  }
  // Canvas charts keep their screen size unless told the page is being laid out for print.
  const resizeAll = () => charts.forEach((c) => c.resize());
  window.addEventListener('beforeprint', resizeAll);
  window.addEventListener('afterprint', resizeAll);
  window.matchMedia?.('print').addEventListener?.('change', resizeAll);

  for (const table of document.querySelectorAll('table.sortable')) {
    const body = table.querySelector('tbody');
    if (!body) continue;
    const headers = [...table.querySelectorAll('th[data-col]')];
    const sortBy = (th: El) => {
      const col = Number(th.dataset.col);
      const dir = th.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending';
      for (const h of headers) h.removeAttribute('aria-sort');
      th.setAttribute('aria-sort', dir);
      const sign = dir === 'ascending' ? 1 : -1;
      const key = (row: El) => {
        const td = row.children[col];
        const v = td?.dataset.v;
        return v !== undefined && v !== '' ? Number(v) : (td?.textContent ?? '').trim();
      };
      const rows = [...body.children];
      rows.sort((a, b) => {
        const ka = key(a);
        const kb = key(b);
        // Empty cells last, whichever the direction.
        if (ka === '' || kb === '') return ka === kb ? 0 : ka === '' ? 1 : -1;
        if (typeof ka === 'number' && typeof kb === 'number') return (ka - kb) * sign;
        return String(ka).localeCompare(String(kb), undefined, { numeric: true }) * sign;
      });
      for (const r of rows) body.appendChild(r);
    };
    for (const th of headers) th.querySelector('button')?.addEventListener('click', () => sortBy(th));
  }
}
