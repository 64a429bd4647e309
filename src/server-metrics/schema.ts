/**
 * `target.metrics` in the spec: where the server's Prometheus metrics are. One URL, a list
 * (the server and a DCGM exporter, say), or `auto`, which tries `{server root}/metrics` once.
 */
import { z } from 'zod';

export const DEFAULT_INTERVAL_MS = 1000;
export const DEFAULT_TIMEOUT_MS = 2000;

const endpointSchema = z
  .strictObject({
    url: z
      .union([z.literal('auto'), z.url({ protocol: /^https?$/ })])
      .describe("A Prometheus /metrics URL (http or https; user:password@ in it is sent as Basic auth and never shown), or 'auto' for {base_url without /v1}/metrics."),
    interval_ms: z
      .number()
      .int()
      .min(10)
      .default(DEFAULT_INTERVAL_MS)
      .describe('Time between scrapes while a cell runs, ms. Cells shorter than this get no gauge values.'),
    timeout_ms: z
      .number()
      .int()
      .positive()
      .default(DEFAULT_TIMEOUT_MS)
      .describe("Longest one scrape may take, ms; a hung endpoint delays a cell's end by at most this."),
    headers: z.record(z.string(), z.string()).optional().describe('Extra request headers (a bearer token, say); auth-like values are redacted.'),
  })
  .describe('One metrics endpoint.');

const autoSchema = z.literal('auto').describe("Try {base_url without /v1}/metrics once and say whether it answered (scraped with the defaults; { url: auto, interval_ms } to set them).");

const entrySchema = z.union([autoSchema, endpointSchema]);

export const metricsSchema = z
  .union([entrySchema, z.array(entrySchema).min(1)])
  .describe("Scrape the server's Prometheus metrics around every cell and report them beside the client's (docs/server-metrics.md).");

export type MetricsEndpoint = z.infer<typeof endpointSchema>;
export type MetricsSpec = z.infer<typeof metricsSchema>;

/** The spec's value as a list of entries. */
export function metricsEntries(spec: MetricsSpec | undefined): (MetricsEndpoint | 'auto')[] {
  if (spec === undefined) return [];
  return Array.isArray(spec) ? spec : [spec];
}
