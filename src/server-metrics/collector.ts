/**
 * The server metrics of a run: every configured source scraped around each cell, one
 * warning line per source on its first failed scrape (the run goes on), and per cell the
 * summary columns and the gauges over time. Raw samples go to `onScrape` as they arrive,
 * so nothing has to be held for the raw export.
 */
import { aggregateCell, gaugeTimelines, type GaugePoint } from './aggregate.js';
import type { GaugeBase, ServerMetricsExtras, ServerMetricsSummary } from './columns.js';
import { createSource, type MetricsSource } from './scraper.js';
import type { CellWindow, Scrape } from './types.js';

export interface SourceConfig {
  url: string;
  intervalMs: number;
  timeoutMs: number;
  headers?: Readonly<Record<string, string>>;
}

export interface CollectorOptions {
  sources: readonly SourceConfig[];
  /** One line per problem, for the terminal (the runner's `warning` event). */
  onWarning?: (message: string) => void;
  /** Every scrape as it ends: the raw export. */
  onScrape?: (scrape: Scrape) => void;
}

/** What one cell's scrapes came to. */
export interface CellServerMetrics {
  summary: ServerMetricsSummary;
  /** Per source: its scrapes' counts and reasons, its gauges over time (s since the window's start). */
  sources: ServerMetricsExtras;
}

export interface MetricsCollector {
  /** Scrapes every source once (in parallel) and starts the interval; call right before the cell's first request. */
  beginCell(): Promise<{ finish(window: CellWindow): Promise<CellServerMetrics> }>;
}

export function createCollector(opts: CollectorOptions): MetricsCollector {
  const warned = new Set<string>();
  const sources: MetricsSource[] = opts.sources.map((s) =>
    createSource({
      ...s,
      onScrape: (scrape) => {
        if (!scrape.ok && !warned.has(scrape.url)) {
          warned.add(scrape.url);
          opts.onWarning?.(`metrics: ${scrape.url}: ${scrape.error}; the run goes on (later failures are counted in run.json)`);
        }
        opts.onScrape?.(scrape);
      },
    }),
  );
  return {
    async beginCell() {
      const cells = await Promise.all(sources.map((s) => s.beginCell()));
      return {
        async finish(window) {
          const scrapes = await Promise.all(cells.map((c) => c.finish()));
          return {
            summary: aggregateCell(scrapes, window),
            sources: scrapes.map((list, i) => {
              const errors = [...new Set(list.flatMap((s) => (s.ok ? [] : [s.error])))];
              return {
                url: sources[i].url,
                ok: list.filter((s) => s.ok).length,
                failed: list.filter((s) => !s.ok).length,
                ...(errors.length > 0 ? { errors } : {}),
                timelines: relative(gaugeTimelines(list), window.start),
              };
            }),
          };
        },
      };
    },
  };
}

/** Points as [s since `origin`, value], rounded: run.json keeps them small. */
function relative(t: Partial<Record<GaugeBase, GaugePoint[]>>, origin: number): Record<string, [number, number][]> {
  const out: Record<string, [number, number][]> = {};
  for (const [k, points] of Object.entries(t)) {
    out[k] = (points ?? []).map((p) => [Math.round(p.at - origin) / 1000, Math.round(p.value * 1e4) / 1e4]);
  }
  return out;
}
