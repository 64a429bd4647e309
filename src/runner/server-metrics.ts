/**
 * The runner's side of `target.metrics`: the sources resolved once before the first cell
 * (`auto` tries the server's /metrics and says what it found), then one collection per cell,
 * every scrape handed to the writer as it ends. Nothing here fails a run.
 */
import { createCollector, type CellServerMetrics, type SourceConfig } from '../server-metrics/collector.js';
import { describeDiscovery, discover } from '../server-metrics/discover.js';
import { DEFAULT_INTERVAL_MS, DEFAULT_TIMEOUT_MS, metricsEntries, type MetricsSpec } from '../server-metrics/schema.js';
import type { CellWindow } from '../server-metrics/types.js';
import type { ResultWriter } from '../results/types.js';
import type { RunListener } from './types.js';

export interface RunMetrics {
  /** Call right before the cell's first recorded request: the scrape before is awaited. */
  beginCell(cellId: string): Promise<{ finish(window: CellWindow): Promise<CellServerMetrics> }>;
}

/** Undefined when the spec names no metrics, or `auto` found none. */
export async function setUpServerMetrics(
  spec: MetricsSpec | undefined,
  baseUrl: string,
  writer: ResultWriter,
  emit: RunListener,
): Promise<RunMetrics | undefined> {
  const sources: SourceConfig[] = [];
  for (const entry of metricsEntries(spec)) {
    const e = entry === 'auto' ? { url: 'auto' as const, interval_ms: DEFAULT_INTERVAL_MS, timeout_ms: DEFAULT_TIMEOUT_MS, headers: undefined } : entry;
    let url = e.url;
    if (url === 'auto') {
      const found = await discover(baseUrl, e.timeout_ms);
      emit({ type: 'notice', message: describeDiscovery(found) });
      if (!found.found) continue;
      url = found.url;
    }
    sources.push({ url, intervalMs: e.interval_ms, timeoutMs: e.timeout_ms, headers: e.headers });
  }
  if (sources.length === 0) return undefined;
  let cell = '';
  const collector = createCollector({
    sources,
    onWarning: (message) => emit({ type: 'notice', message: `warning: ${message}` }),
    onScrape: (scrape) => writer.scrape(cell, scrape),
  });
  return {
    async beginCell(cellId) {
      cell = cellId;
      return collector.beginCell();
    },
  };
}
