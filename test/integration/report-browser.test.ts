/**
 * report.html from a real run (the CLI against a local fake server with a throughput knee
 * and some failures), opened in headless Chromium: no console errors, no network request
 * but the file itself, every expected chart drawn, the cell table sorts on a click. Saves
 * screenshots and a PDF print to test-results/report-browser/. Set UPDATE_DOCS_SCREENSHOT=1
 * to also refresh docs/report.png.
 *
 * Needs Debian's chromium (`.ci/run` installs it); skips with a message when there is none.
 */
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, runCli, tempDir } from '../helpers/cli.js';
import { startFakeServer, type FakeServer } from '../helpers/fake-openai.js';
import { kneeHandler } from '../helpers/knee-server.js';

function findChromium(): string | undefined {
  try {
    return execSync('command -v chromium', { shell: '/bin/sh', stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() || undefined;
  } catch {
    return undefined;
  }
}

const CHROMIUM = findChromium();
/** Refresh docs/report.png; more requests per cell make its p95 curves less noisy. */
const DOCS = Boolean(process.env.UPDATE_DOCS_SCREENSHOT);
const ARTIFACTS = join(REPO, 'test-results', 'report-browser');
const SKIP_NOTE = "skipped: no chromium binary on PATH (install Debian's chromium package; .ci/run does when it can)";

if (!CHROMIUM) console.warn(`report-browser.test.ts: ${SKIP_NOTE}`);

const EXPECTED_CHARTS = [
  'axis-concurrency-latency_p50',
  'axis-concurrency-latency_p95',
  'axis-concurrency-ttft_p50',
  'axis-concurrency-error_rate',
  'axis-temperature-latency_p50',
  'axis-temperature-latency_p95',
  'axis-temperature-ttft_p50',
  'axis-temperature-error_rate',
  'throughput',
  'pareto',
  'dist-latency',
  'dist-ttft',
  'errors',
];

describe.skipIf(!CHROMIUM)('report.html in headless Chromium', () => {
  let server: FakeServer;
  let out: string;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  const consoleErrors: string[] = [];
  const foreignRequests: string[] = [];

  beforeAll(async () => {
    // temperature 0.7 at concurrency 8: a few 503s, so the errors section has something.
    server = await startFakeServer(
      kneeHandler({ fail: (req) => (req.body.temperature === 0.7 && req.n % 9 === 4 ? 503 : undefined) }),
    );
    const dir = tempDir();
    out = join(dir, 'out');
    writeFileSync(
      join(dir, 'knee-demo.yaml'),
      `name: knee-demo
description: concurrency x temperature against a local OpenAI-compatible server with a batch size of 4
target:
  provider: openai-chat
  base_url: ${server.baseUrl}
  api_key: sk-test-never-shown
  retry: { retries: 0 }
prompts: ["Explain the KV cache in one paragraph.", "What limits decode throughput?"]
params: { model: demo-7b, max_tokens: 64 }
matrix:
  concurrency: [1, 2, 4, 8, 16]
  temperature: [0, 0.7]
requests: ${DOCS ? 80 : 16}
warmup: 2
thresholds:
  latency_ms.p95: "< 400"
  error_rate: "< 1%"
`,
    );
    // A relative spec path, as a user would type it (it shows in the report's header).
    const res = await runCli(['run', 'knee-demo.yaml', '--out', out, '--quiet'], { cwd: dir, timeoutMs: 120_000 });
    expect(res.stderr).not.toMatch(/^(error|internal error)\b/m);
    // The knee's slow cells fail latency_ms.p95 < 400, the cells with 503s error_rate < 1%:
    // run names them and exits 1.
    expect(res.stderr).toMatch(/^threshold failed: cell c=16,/m);
    expect(res.stderr).toMatch(/^threshold failed: cell c=8,t=0\.7: error_rate: < 1%/m);
    expect(res.code).toBe(1);
    expect(existsSync(join(out, 'report.html'))).toBe(true);

    profile = mkdtempSync(join(tmpdir(), 'llm-sweep-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-quic',
      ],
      viewport: { width: 1366, height: 768 },
      deviceScaleFactor: 1,
    });
    page = context.pages()[0] ?? (await context.newPage());
    const url = pathToFileURL(join(out, 'report.html')).href;
    await context.route('**/*', (route) => {
      if (route.request().url() === url) return route.continue();
      foreignRequests.push(route.request().url());
      return route.abort();
    });
    page.on('request', (r) => {
      if (r.url() !== url && !foreignRequests.includes(r.url())) foreignRequests.push(r.url());
    });
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') consoleErrors.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`));
    await page.goto(url, { waitUntil: 'load' });
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 150_000);

  afterAll(async () => {
    await context?.close();
    await server?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('loads with no console error and no network request', () => {
    expect(consoleErrors).toEqual([]);
    expect(foreignRequests).toEqual([]);
  });

  it('draws every expected chart on a non-empty canvas, and no other', async () => {
    const ids = await page.$$eval('figure[data-chart]', (figs) => figs.map((f) => (f as unknown as { dataset: { chart: string } }).dataset.chart));
    expect(ids.sort()).toEqual([...EXPECTED_CHARTS].sort());
    for (const id of EXPECTED_CHARTS) {
      const inked = await page.$eval(`figure[data-chart="${id}"] canvas`, (c) => {
        const canvas = c as unknown as { width: number; height: number; getContext(t: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } };
        const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
        let n = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
        return { n, w: canvas.width, h: canvas.height };
      });
      expect(inked.w, id).toBeGreaterThan(100);
      expect(inked.h, id).toBeGreaterThan(100);
      // Axes, labels and data: thousands of painted pixels, not a blank canvas.
      expect(inked.n, id).toBeGreaterThan(2000);
    }
  });

  it("draws the error rate threshold (\"< 1%\", read by the gate's own parser) as a line at 1%", async () => {
    const drawn = await page.$eval('figure[data-chart="axis-concurrency-error_rate"] canvas', (c) => {
      type Scale = { getPixelForValue(v: number): number };
      type Chart = { scales: { y: Scale }; chartArea: { left: number; right: number } };
      type Ctx = { drawImage(src: unknown, x: number, y: number): void; getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
      type Canvas = { width: number; height: number; clientWidth: number; getContext(t: '2d', o?: object): Ctx };
      const canvas = c as unknown as Canvas;
      const chart = (globalThis as unknown as { Chart: { getChart(el: unknown): Chart } }).Chart.getChart(c)!;
      const y = Math.round(chart.scales.y.getPixelForValue(1));
      const ratio = canvas.width / canvas.clientWidth;
      // Read a copy, so the page's own canvas is not read back twice (Chromium warns).
      const copy = (globalThis as unknown as { document: { createElement(t: 'canvas'): Canvas } }).document.createElement('canvas');
      copy.width = canvas.width;
      copy.height = canvas.height;
      const ctx = copy.getContext('2d', { willReadFrequently: true });
      ctx.drawImage(c, 0, 0);
      // Pixels of the limit's red along its row, right of its label.
      const from = Math.round((chart.chartArea.left + 140) * ratio);
      const to = Math.round(chart.chartArea.right * ratio);
      const { data } = ctx.getImageData(from, Math.round(y * ratio) - 1, to - from, 3);
      let red = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i] > 150 && data[i + 1] < 90 && data[i + 2] < 90 && data[i + 3] > 100) red++;
      return { red, width: to - from };
    });
    // A dashed line (5 on, 4 off) paints over half its row.
    expect(drawn.red).toBeGreaterThan(drawn.width * 0.3);
    const data = JSON.parse((await page.textContent('#report-data'))!) as { charts: Record<string, { limits?: unknown[] }> };
    expect(data.charts['axis-concurrency-error_rate'].limits).toEqual([{ axis: 'y', value: 1, label: 'threshold < 1%' }]);
  });

  it('shows the metadata with the key redacted, the errors and every cell', async () => {
    const text = await page.textContent('body');
    expect(text).toContain('knee-demo');
    expect(text).toContain(`openai-chat · ${server.baseUrl}`);
    expect(text).not.toContain('sk-test-never-shown');
    expect(await page.textContent('#errors')).toContain('HTTP 503');
    expect(await page.locator('#cells tbody tr').count()).toBe(10);
    // The rules show in the header, the run's verdicts in their own section.
    expect(await page.textContent('header')).toContain('latency_ms.p95 < 400');
    expect(await page.textContent('#thresholds')).toMatch(/Cells that failed a threshold: .*c=16,t=0/);
  });

  it('sorts the cell table on a click on a column header', async () => {
    const col = await page.$eval('#cells th[data-col] button[title="sort by latency_ms_p95"]', (b) =>
      Number((b as unknown as { parentElement: { dataset: { col: string } } }).parentElement.dataset.col),
    );
    const values = () =>
      page.$$eval(
        '#cells tbody tr',
        (rows, c) => rows.map((r) => Number((r as unknown as { children: { dataset: { v?: string } }[] }).children[c].dataset.v)),
        col,
      );
    const before = await values();
    await page.click('#cells button[title="sort by latency_ms_p95"]');
    const asc = await values();
    expect(asc).toEqual([...before].sort((a, b) => a - b));
    expect(await page.getAttribute(`#cells th[data-col="${col}"]`, 'aria-sort')).toBe('ascending');
    await page.click('#cells button[title="sort by latency_ms_p95"]');
    expect(await values()).toEqual([...before].sort((a, b) => b - a));
    expect(await page.getAttribute(`#cells th[data-col="${col}"]`, 'aria-sort')).toBe('descending');
    // Back to plan order and the top of the page for the screenshots.
    await page.reload({ waitUntil: 'load' });
    await page.evaluate('window.scrollTo(0, 0)');
  });

  for (const width of [1400, 800]) {
    it(`lays out at ${width} px: legends whole, y titles uncut, cards apart, curve labels apart (screenshot saved)`, async () => {
      await page.setViewportSize({ width, height: 900 });
      await page.reload({ waitUntil: 'load' });
      const layout = await page.evaluate(() => {
        type Rect = { left: number; right: number; top: number; bottom: number; width: number; height: number };
        type Node = { getBoundingClientRect(): Rect; querySelectorAll(s: string): ArrayLike<Node>; querySelector(s: string): Node | null; scrollWidth: number; clientWidth: number; textContent: string | null; dataset: Record<string, string> };
        type ChartLike = {
          data: { datasets: unknown[] };
          scales: Record<string, { height: number; width: number }>;
          options: { scales: Record<string, { title?: { display?: boolean; text?: string } }> };
          ctx: { font: string; measureText(t: string): { width: number } };
          chartArea: { left: number; right: number; top: number; bottom: number };
          $labels?: { x0: number; y0: number; x1: number; y1: number; text: string }[];
        };
        const g = globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<Node>; documentElement: { clientWidth: number } }; Chart: { getChart(el: unknown): ChartLike | undefined } };
        const doc = g.document;
        const problems: string[] = [];
        const inside = (a: Rect, b: Rect) => a.left >= b.left - 1 && a.right <= b.right + 1 && a.top >= b.top - 1 && a.bottom <= b.bottom + 1;
        const overlap = (a: Rect, b: Rect) => a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1;
        const pageWidth = doc.documentElement.clientWidth;
        let legends = 0;
        for (const fig of Array.from(doc.querySelectorAll('figure.chart'))) {
          const id = fig.dataset.chart ?? 'timeline';
          const canvas = fig.querySelector('canvas');
          const chart = canvas ? g.Chart.getChart(canvas) : undefined;
          if (!chart) continue;
          const box = fig.getBoundingClientRect();
          if (box.right > pageWidth + 1) problems.push(`${id}: figure wider than the page`);
          const items = Array.from(fig.querySelectorAll('ul.legend li'));
          if (items.length > 0) {
            legends++;
            if (fig.dataset.chart && items.length !== chart.data.datasets.length) problems.push(`${id}: ${items.length} legend entries for ${chart.data.datasets.length} series`);
            for (const li of items) {
              const r = li.getBoundingClientRect();
              if (r.width === 0 || r.height === 0 || !inside(r, box)) problems.push(`${id}: legend entry "${li.textContent}" clipped or outside its figure`);
            }
          }
          for (const [axis, sc] of Object.entries(chart.scales)) {
            const title = chart.options.scales[axis]?.title;
            if (!title?.display || !title.text || axis === 'x') continue;
            chart.ctx.font = 'bold 12px system-ui, sans-serif';
            const w = chart.ctx.measureText(title.text).width;
            if (w > sc.height) problems.push(`${id}: y title "${title.text}" (${Math.round(w)} px) longer than its axis (${Math.round(sc.height)} px)`);
          }
          if (chart.$labels) {
            const ls = chart.$labels;
            ls.forEach((a, i) => {
              const ra = { left: a.x0, right: a.x1, top: a.y0, bottom: a.y1, width: a.x1 - a.x0, height: a.y1 - a.y0 };
              const area = { left: chart.chartArea.left, right: chart.chartArea.right, top: chart.chartArea.top, bottom: chart.chartArea.bottom, width: 0, height: 0 };
              if (!inside(ra, area)) problems.push(`${id}: label ${a.text} outside the plot`);
              ls.slice(i + 1).forEach((b) => {
                if (overlap(ra, { left: b.x0, right: b.x1, top: b.y0, bottom: b.y1, width: 0, height: 0 })) problems.push(`${id}: labels ${a.text} and ${b.text} overlap`);
              });
            });
          }
        }
        const cards = Array.from(doc.querySelectorAll('.card'));
        cards.forEach((c, i) => {
          if (c.scrollWidth > c.clientWidth + 1) problems.push(`card "${c.textContent}" overflows`);
          cards.slice(i + 1).forEach((d) => {
            if (overlap(c.getBoundingClientRect(), d.getBoundingClientRect())) problems.push(`cards "${c.textContent}" and "${d.textContent}" overlap`);
          });
        });
        const throughput = g.Chart.getChart(doc.querySelectorAll('figure[data-chart="throughput"] canvas')[0]);
        return { problems, legends, labels: (throughput?.$labels ?? []).map((l) => l.text) };
      });
      expect(layout.problems).toEqual([]);
      expect(layout.legends).toBeGreaterThan(5);
      // Most of the 10 points are labelled (a label with no free place is left out; where the
      // points fall depends on the measured numbers), and one of them is the knee.
      expect(layout.labels.length).toBeGreaterThanOrEqual(7);
      expect(layout.labels.some((l) => l.endsWith(' knee'))).toBe(true);
      await page.screenshot({ path: join(ARTIFACTS, `report-${width}.png`), fullPage: true });
      for (const [name, selector] of [['cards', '.cards'], ['axis', '#by-axis .grid3'], ['throughput', '#throughput'], ['timeline', '#timeline']]) {
        await page.locator(selector).first().screenshot({ path: join(ARTIFACTS, `report-${width}-${name}.png`) });
      }
    });
  }

  it('hides a series from its legend, and shows each cell over time from a list', async () => {
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.reload({ waitUntil: 'load' });
    const fig = 'figure[data-chart="axis-concurrency-latency_p50"]';
    await page.click(`${fig} ul.legend button[data-series="1"]`);
    const visible = await page.$eval(`${fig} canvas`, (c) =>
      (globalThis as unknown as { Chart: { getChart(el: unknown): { isDatasetVisible(i: number): boolean } } }).Chart.getChart(c)!.isDatasetVisible(1),
    );
    expect(visible).toBe(false);
    expect(await page.getAttribute(`${fig} ul.legend button[data-series="1"]`, 'aria-pressed')).toBe('false');
    expect(await page.locator('#timeline-cell option').count()).toBe(10);
    const firstPoint = () =>
      page.$eval('figure[data-timeline] canvas', (c) => {
        const chart = (globalThis as unknown as { Chart: { getChart(el: unknown): { data: { datasets: { data: { x: number; y: number | null }[] }[] } } } }).Chart.getChart(c)!;
        return chart.data.datasets.map((d) => d.data.length);
      });
    const before = await firstPoint();
    expect(before.every((n) => n >= 1)).toBe(true);
    const option = await page.$eval('#timeline-cell option:last-child', (o) => (o as unknown as { value: string }).value);
    await page.selectOption('#timeline-cell', option);
    const inFlight = await page.$eval('figure[data-timeline] canvas', (c) => {
      const chart = (globalThis as unknown as { Chart: { getChart(el: unknown): { data: { datasets: { data: { y: number | null }[] }[] } } } }).Chart.getChart(c)!;
      return Math.max(...chart.data.datasets[2].data.map((p) => p.y ?? 0));
    });
    // The last cell is concurrency 16: many requests in flight at once.
    expect(inFlight).toBeGreaterThan(4);
    await page.reload({ waitUntil: 'load' });
  });

  it('saves screenshots and a print to the test results', async () => {
    await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
    await page.screenshot({ path: join(ARTIFACTS, 'report-top.png') });
    if (DOCS) {
      // README's picture: from the header down to the end of the throughput curve.
      const bottom = await page.$eval('#throughput', (el) => (el as unknown as { getBoundingClientRect(): { bottom: number } }).getBoundingClientRect().bottom);
      await page.screenshot({ path: join(REPO, 'docs', 'report.png'), clip: { x: 0, y: 0, width: 1366, height: Math.ceil(bottom) + 16 }, fullPage: true });
    }
    await page.emulateMedia({ media: 'print' });
    await page.pdf({ path: join(ARTIFACTS, 'report.pdf'), landscape: true, format: 'A4', printBackground: true, preferCSSPageSize: true });
    await page.emulateMedia({ media: 'screen' });
    expect(existsSync(join(ARTIFACTS, 'report.png'))).toBe(true);
    expect(consoleErrors).toEqual([]);
    expect(foreignRequests).toEqual([]);
  });
});

if (!CHROMIUM) {
  describe('report.html in headless Chromium', () => {
    it.skip(SKIP_NOTE, () => {});
  });
}
