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
import type { CellSeconds } from './cell-seconds.js';
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
  data: { datasets: { data: unknown[] }[] };
  setDatasetVisibility(i: number, visible: boolean): void;
  update(mode?: string): void;
  /** Where pointLabels put its labels, for the browser test. */
  $labels?: { x0: number; y0: number; x1: number; y1: number; text: string }[];
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

export function reportClient(
  fmt: (v: number) => string,
  theme: { PALETTE: string[]; DASHES: number[][]; REFERENCE: string; BAR_OFFSET: number },
): void {
  const dataEl = document.getElementById('report-data');
  const data = JSON.parse(dataEl?.textContent ?? '{}') as { charts: Record<string, ChartSpec>; seconds?: CellSeconds[] };
  const { PALETTE, DASHES, REFERENCE, BAR_OFFSET } = theme;
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

  // Legends are HTML under each canvas (html.ts): they wrap rather than clip.
  const common = () => ({
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    devicePixelRatio: ratio,
    plugins: { legend: { display: false }, title: { display: false } },
  });

  // Labels next to the points of a curve (throughput vs latency: the load of each point),
  // each put at the first of eight places where it covers no other label, point or line.
  // The knee of a curve gets a ring. Where no place is free the label is left out (its
  // point's tooltip still says it) rather than drawn over another.
  const pointLabels = (spec: Extract<ChartSpec, { kind: 'line' }>) => ({
    id: 'pointLabels',
    afterDatasetsDraw(chart: ChartInstance) {
      const ctx = chart.ctx;
      const area = chart.chartArea;
      type Rect = { x0: number; y0: number; x1: number; y1: number };
      const taken: Rect[] = [];
      const segments: [number, number, number, number][] = [];
      const visible = spec.series.map((_, i) => chart.isDatasetVisible(i));
      spec.series.forEach((_, i) => {
        if (!visible[i]) return;
        let prev: { x: number; y: number } | undefined;
        for (const el of chart.getDatasetMeta(i).data) {
          const p = el.getProps(['x', 'y'], true);
          taken.push({ x0: p.x - 5, y0: p.y - 5, x1: p.x + 5, y1: p.y + 5 });
          if (prev) segments.push([prev.x, prev.y, p.x, p.y]);
          prev = { x: p.x, y: p.y };
        }
      });
      // Does the segment cross the rectangle? (Liang-Barsky clipping.)
      const crosses = (r: Rect, [x0, y0, x1, y1]: [number, number, number, number]) => {
        let t0 = 0;
        let t1 = 1;
        const dx = x1 - x0;
        const dy = y1 - y0;
        const edges: [number, number][] = [[-dx, x0 - r.x0], [dx, r.x1 - x0], [-dy, y0 - r.y0], [dy, r.y1 - y0]];
        for (const [p, q] of edges) {
          if (p === 0) {
            if (q < 0) return false;
          } else {
            const t = q / p;
            if (p < 0) t0 = Math.max(t0, t);
            else t1 = Math.min(t1, t);
            if (t0 > t1) return false;
          }
        }
        return true;
      };
      const free = (r: Rect) =>
        r.x0 >= area.left && r.x1 <= area.right && r.y0 >= area.top && r.y1 <= area.bottom &&
        taken.every((q) => r.x1 < q.x0 || r.x0 > q.x1 || r.y1 < q.y0 || r.y0 > q.y1) &&
        segments.every((sg) => !crosses(r, sg));
      const placed: (Rect & { text: string })[] = [];
      ctx.save();
      ctx.font = '11px system-ui, sans-serif';
      ctx.textBaseline = 'top';
      const h = 12;
      spec.series.forEach((s, i) => {
        if (!visible[i]) return;
        chart.getDatasetMeta(i).data.forEach((el, j) => {
          const point = s.points[j];
          const text = point?.label;
          if (!text) return;
          const p = el.getProps(['x', 'y'], true);
          if (point.knee) {
            ctx.strokeStyle = '#1f2328';
            ctx.lineWidth = 1.5;
            ctx.beginPath();
            (ctx as unknown as { arc(x: number, y: number, r: number, a: number, b: number): void }).arc(p.x, p.y, 8, 0, 2 * Math.PI);
            ctx.stroke();
          }
          const w = ctx.measureText(text).width;
          const places = [[6, -h - 4], [6, 4], [-w - 6, -h - 4], [-w - 6, 4], [-w / 2, -h - 9], [-w / 2, 9], [10, -h / 2], [-w - 10, -h / 2]];
          for (const [dx, dy] of places) {
            const r = { x0: p.x + dx, y0: p.y + dy, x1: p.x + dx + w, y1: p.y + dy + h };
            if (!free(r)) continue;
            taken.push(r);
            placed.push({ ...r, text });
            ctx.fillStyle = point.knee ? '#1f2328' : color(i);
            ctx.fillText(text, r.x0, r.y0);
            break;
          }
        });
      });
      ctx.restore();
      chart.$labels = placed;
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
      const base = common();
      const stretch = (axis: 'x' | 'y') => {
        const vs = (spec.limits ?? []).filter((l) => l.axis === axis).map((l) => l.value);
        return vs.length > 0 ? { suggestedMax: Math.max(...vs) * 1.08 } : {};
      };
      const failed = (c: { raw?: unknown }) => Boolean((c.raw as { failed?: boolean } | undefined)?.failed);
      return {
        type: 'line',
        data: {
          datasets: spec.series.map((s, i) =>
            s.reference
              ? { label: s.label, data: s.points, borderColor: REFERENCE, borderDash: [4, 4], borderWidth: 1.25, pointRadius: 0, pointHoverRadius: 0, tension: 0 }
              : {
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
                  showLine: !spec.scatter && s.showLine !== false,
                  tension: 0,
                },
          ),
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
      const base = common();
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
    const base = common();
    return {
      type: 'bar',
      data: {
        labels: spec.categories,
        datasets: spec.series.map((s, i) => ({ label: s.label, data: s.values, backgroundColor: color(i + BAR_OFFSET), stack: 'errors' })),
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
    const chart = new Chart(canvas, configFor(spec));
    charts.push(chart);
    // The HTML legend's entries show and hide their series.
    for (const b of fig.querySelectorAll('ul.legend button[data-series]')) {
      b.addEventListener('click', () => {
        const on = b.getAttribute('aria-pressed') !== 'true';
        b.setAttribute('aria-pressed', String(on));
        chart.setDatasetVisibility(Number(b.dataset.series), on);
        chart.update();
      });
    }
  }

  // One cell over its own time; the list picks the cell.
  const timelineFig = document.querySelector('figure[data-timeline]');
  const timelineCanvas = timelineFig?.querySelector('canvas');
  const picker = document.getElementById('timeline-cell') as (El & { value: string }) | null;
  if (timelineCanvas && picker && data.seconds && data.seconds.length > 0) {
    const series = (t: CellSeconds) => {
      const at = (ys: (number | null)[]) => t.t.map((x, i) => ({ x, y: ys[i] }));
      return [at(t.latency_p50), at(t.ttft_p50), at(t.in_flight), at(t.errors)];
    };
    const first = series(data.seconds[0]);
    const labels = ['latency p50 (ms)', 'TTFT p50 (ms)', 'in flight (requests)', 'errors (requests)'];
    const base = common();
    const chart = new Chart(timelineCanvas, {
      type: 'line',
      data: {
        datasets: first.map((d, i) => ({
          label: labels[i],
          data: d,
          yAxisID: i < 2 ? 'y' : 'y2',
          borderColor: color(i),
          backgroundColor: color(i),
          borderDash: i === 2 ? [6, 4] : [],
          borderWidth: 2,
          pointRadius: i === 3 ? (c: { raw?: { y: number } }) => ((c.raw?.y ?? 0) > 0 ? 3.5 : 0) : 0,
          showLine: i !== 3,
          spanGaps: false,
          tension: 0,
        })),
      },
      options: {
        ...base,
        interaction: { mode: 'index', intersect: false },
        scales: {
          x: { type: 'linear', min: 0, title: { display: true, text: "seconds since the cell's first send", font: { weight: 'bold' } }, grid: { color: '#e6e8eb' } },
          y: { type: 'linear', beginAtZero: true, position: 'left', title: { display: true, text: 'ms', font: { weight: 'bold' } }, ticks: { callback: (v: number | string) => fmt(Number(v)) }, grid: { color: '#e6e8eb' } },
          y2: { type: 'linear', beginAtZero: true, position: 'right', title: { display: true, text: 'requests', font: { weight: 'bold' } }, ticks: { precision: 0 }, grid: { display: false } },
        },
      },
    });
    charts.push(chart);
    picker.addEventListener('change', () => {
      const next = series(data.seconds![Number(picker.value)]);
      chart.data.datasets.forEach((d, i) => (d.data = next[i]));
      chart.update();
    });
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
