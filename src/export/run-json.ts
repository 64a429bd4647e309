/** run.json: everything about a run a machine might want, secrets redacted. Pure. */
import type { ThresholdResult } from '../compare/types.js';
import type { CellSummary } from '../metrics/summary.js';
import type { Shard } from '../plan/types.js';

export const METRIC_DEFINITIONS = {
  latency_ms: 'request sent (final attempt) to the last content chunk; trailing usage chunk and [DONE] excluded',
  ttft_ms: 'request sent to the first chunk carrying non-empty content or reasoning text; role-only chunks do not count; streams only',
  tpot_ms: '(latency - ttft) / (completion_tokens - 1); requests with more than one output token',
  itl_ms: "gaps between consecutive content chunks; per request its median (itl_p50_ms), per cell the distribution of those medians",
  queue_ms: 'scheduled time to actual send (open loop); client-side queueing made visible',
  output_tokens_per_s: 'cell: sum of completion tokens of successful requests / cell wall time (first send to last completion); request: completion_tokens / latency',
  requests_per_s: 'successful requests / cell wall time',
  error_rate: 'errored requests / recorded requests',
  percentiles: 'exact, from the recorded values, linear interpolation between closest ranks (numpy default, as vLLM)',
  connect_ms: 'connection setup of the final attempt (DNS lookup, TCP connect, TLS handshake); 0 when a pooled connection was reused; not part of ttft or latency',
  server_ms: "server_queue_ms / server_prefill_ms / server_decode_ms / server_total_ms / cached_tokens: what the server itself reported for the request (llama.cpp timings, Ollama durations, TGI x-*-time headers, usage cached tokens); empty when it reports nothing",
  client_overhead_ms: 'ttft - (server_queue_ms + server_prefill_ms) per request where the server reports prefill; its p50 per cell',
  tokens: "server usage when sent (tokens_source=usage); otherwise counted with the o200k_base tokenizer (tokens_source=estimate); never max_tokens",
} as const;

export interface RunMeta {
  tool: { name: string; version: string };
  spec_file: string;
  spec_name: string;
  spec_hash: string;
  /** The spec after --set, with secrets redacted. */
  spec: unknown;
  /** The URL requests went to (the simulator's when base_url is builtin). */
  base_url: string;
  started_at: string;
  ended_at?: string;
  host: { hostname: string; platform: string; arch: string; node: string; cpus: number };
  shard: Shard | null;
  axes: string[];
  total_cells: number;
  interrupted: boolean;
  /** Why the run stopped early, when it did. */
  stopped_reason?: string;
  /** Threshold checks: one per cell and threshold in scope (compare/thresholds.ts). */
  thresholds?: ThresholdResult[];
  /** Set by `llm-sweep merge`: the shard results this one was built from. */
  merged_from?: MergedFrom[];
}

/** One input of a merge. */
export interface MergedFrom {
  dir: string;
  shard: Shard | null;
  hostname: string;
  started_at: string;
  ended_at?: string;
  cells: number;
}

export interface RunJson extends RunMeta {
  metric_definitions: typeof METRIC_DEFINITIONS;
  cells: CellSummary[];
  /** Extra per-cell data (server timings, client health) by cell id. */
  extras?: Record<string, unknown>;
}

export function serializeRunJson(meta: RunMeta, cells: readonly CellSummary[], extras?: Record<string, unknown>): string {
  const doc: RunJson = { ...meta, metric_definitions: METRIC_DEFINITIONS, cells: [...cells], extras };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
