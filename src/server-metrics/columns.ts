/**
 * The stable summary columns the server's metrics become, one catalogue for every server
 * family: summary.csv, run.json and the report use these names whatever server answered.
 * Usage-type values are fractions 0-1 (vLLM's and Triton's convention), times are ms.
 */
import { z } from 'zod';

/** Gauges: mean and max over the scrapes taken while the cell ran. */
export const GAUGE_BASES = [
  'server_running',
  'server_waiting',
  'server_kv_cache_usage',
  'gpu_util',
  'gpu_memory_used_mib',
  'gpu_power_w',
] as const;
export type GaugeBase = (typeof GAUGE_BASES)[number];

/** Histograms: mean and quantiles of the observations made during the cell, ms. */
export const HISTOGRAM_BASES = ['server_ttft', 'server_queue_time', 'server_itl', 'server_e2e'] as const;
export type HistogramBase = (typeof HISTOGRAM_BASES)[number];

export const HISTOGRAM_STATS = ['mean', 'p50', 'p90', 'p99'] as const;
export type HistogramStat = (typeof HISTOGRAM_STATS)[number];

/** Single values: counter rates and ratios over the cell. */
export const VALUE_COLUMNS = [
  'server_prefix_cache_hit_rate',
  'server_batch_size_mean',
  'server_requests_per_s',
  'server_prompt_tokens_per_s',
  'server_generation_tokens_per_s',
] as const;
export type ValueColumn = (typeof VALUE_COLUMNS)[number];

export type GaugeColumn = `${GaugeBase}_${'mean' | 'max'}`;
export type HistogramColumn = `${HistogramBase}_${HistogramStat}_ms`;
export type ServerColumn = GaugeColumn | HistogramColumn | ValueColumn;

/** A cell's aggregates of the server's metrics; a column is absent when no scraped metric gave it. */
export type ServerMetricsSummary = Partial<Record<ServerColumn, number>>;

const GAUGE_DOC: Record<GaugeBase, string> = {
  server_running: 'requests the server is running (in its batch)',
  server_waiting: 'requests waiting in the server queue',
  server_kv_cache_usage: 'KV-cache usage, fraction 0-1',
  gpu_util: 'GPU utilisation, fraction 0-1 (mean over GPUs)',
  gpu_memory_used_mib: 'GPU memory used, MiB (sum over GPUs)',
  gpu_power_w: 'GPU power draw, W (sum over GPUs)',
};

const HISTOGRAM_DOC: Record<HistogramBase, string> = {
  server_ttft: "server's time to first token (from the request's arrival)",
  server_queue_time: 'time requests waited in the server queue',
  server_itl: "server's inter-token latency (TGI: each request's mean time per token)",
  server_e2e: "server's end-to-end request time",
};

const VALUE_DOC: Record<ValueColumn, string> = {
  server_prefix_cache_hit_rate: 'prefix-cache hits / queries during the cell, fraction 0-1',
  server_batch_size_mean: 'mean batch size the server ran (Triton: inferences / executions)',
  server_requests_per_s: 'requests the server finished, per second of the cell',
  server_prompt_tokens_per_s: 'prompt tokens the server processed, per second of the cell',
  server_generation_tokens_per_s: 'tokens the server generated, per second of the cell',
};

export interface ServerColumnDoc {
  name: ServerColumn;
  doc: string;
}

/** Every column in the order summary.csv writes them, each with a one-line definition. */
export const SERVER_COLUMNS: readonly ServerColumnDoc[] = [
  ...GAUGE_BASES.flatMap((b) => [
    { name: `${b}_mean` as const, doc: `${GAUGE_DOC[b]}: mean over the cell's scrapes` },
    { name: `${b}_max` as const, doc: `${GAUGE_DOC[b]}: max over the cell's scrapes` },
  ]),
  ...HISTOGRAM_BASES.flatMap((b) =>
    HISTOGRAM_STATS.map((s) => ({
      name: `${b}_${s}_ms` as const,
      doc: `${HISTOGRAM_DOC[b]}, ms: ${s === 'mean' ? 'mean' : s} of the histogram's increase over the cell`,
    })),
  ),
  ...VALUE_COLUMNS.map((name) => ({ name, doc: VALUE_DOC[name] })),
];

/** run.json's `server_metrics` of a cell: the columns, each described. */
export const serverMetricsSummarySchema = z
  .object(Object.fromEntries(SERVER_COLUMNS.map((c) => [c.name, z.number().optional().describe(`${c.doc}.`)])) as Record<ServerColumn, z.ZodOptional<z.ZodNumber>>)
  .describe("The cell's aggregates of the server's own Prometheus metrics (target.metrics, docs/server-metrics.md).");

/** run.json's per-cell extras about the scrapes: per source, its counts and its gauges over time. */
export const serverMetricsExtrasSchema = z
  .array(
    z.object({
      url: z.string().describe('The metrics URL, credentials masked.'),
      ok: z.number().describe('Scrapes that answered Prometheus text.'),
      failed: z.number().describe('Scrapes that failed (timeout, HTTP error, not Prometheus text).'),
      errors: z.array(z.string()).optional().describe('The distinct reasons of the failed scrapes.'),
      timelines: z
        .record(z.string(), z.array(z.tuple([z.number(), z.number()])))
        .describe("Mapped gauges (server_running, server_waiting, server_kv_cache_usage, gpu_*) at each scrape: [s since the cell's first request, value]."),
    }),
  )
  .describe('Per metrics source: how its scrapes went, and its gauges over time.');
export type ServerMetricsExtras = z.output<typeof serverMetricsExtrasSchema>;
