/**
 * The server metrics of a run: every configured source scraped around each cell, one
 * warning line per source on its first failed scrape (the run goes on), and per cell the
 * summary columns and the gauges over time. Raw samples go to `onScrape` as they arrive,
 * so nothing has to be held for the raw export.
 */
import { aggregateCell, gaugeTimelines, type GaugePoint } from './aggregate.js';
import type { GaugeBase, ServerSummary } from './columns.js';
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
  summary: ServerSummary;
  /** Per source (redacted URL): scrapes that answered and that failed. */
  sources: { url: string; ok: number; failed: number; timelines: Partial<Record<GaugeBase, GaugePoint[]>> }[];
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
            sources: scrapes.map((list, i) => ({
              url: sources[i].url,
              ok: list.filter((s) => s.ok).length,
              failed: list.filter((s) => !s.ok).length,
              timelines: gaugeTimelines(list),
            })),
          };
        },
      };
    },
  };
}
