/**
 * records/: one RequestRecord per planned request, the append-only sink that writes them to
 * requests.csv as each request ends, and the reader that loads them back (report, resume,
 * merge, compare). A record is plain data; everything the metrics need is in it.
 */

/**
 * Why a request failed; `http` is a non-2xx answer, `stream` an error event in a 200 stream,
 * `empty` a complete answer with no content and no finish reason.
 */
export type ErrorKind = 'http' | 'timeout' | 'network' | 'parse' | 'stream' | 'aborted' | 'auth' | 'empty';

export type TokensSource = 'usage' | 'estimate';

export interface RequestRecord {
  /** Cell id (see plan/cell-id.ts). */
  cell: string;
  /** The cell's matrix values, keyed by axis; written as one CSV column per axis. */
  params: Record<string, unknown>;
  /** 0-based index into the prompt list. */
  prompt_id: number;
  /** 0-based: how many times this prompt was sent before in this cell (over all rounds). */
  repeat: number;
  /** Wall-clock time of the (first attempt's) send, ISO 8601. */
  started_at: string;
  status: 'ok' | 'error';
  /** Final HTTP status; undefined when no response arrived. */
  http_status?: number;
  /** Short text, undefined when ok. */
  error?: string;
  error_kind?: ErrorKind;
  /** Number of HTTP attempts made (1 = no retry). */
  attempts: number;
  /** ms from the scheduled time to the actual send (open loop / concurrency cap). */
  queue_ms?: number;
  /** ms from send (of the final attempt) to the last content chunk. */
  latency_ms?: number;
  /** ms from send to the first chunk with non-empty content or reasoning text. */
  ttft_ms?: number;
  /** ms per output token after the first: (latency - ttft) / (completion_tokens - 1). */
  tpot_ms?: number;
  /** Median gap between consecutive content chunks, ms. */
  itl_p50_ms?: number;
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  tokens_source?: TokensSource;
  /** completion_tokens / (latency_ms / 1000) for this request. */
  output_tokens_per_s?: number;
  finish_reason?: string;
  /** Connection setup of the final attempt (DNS, TCP, TLS), ms; 0 on a reused connection. */
  connect_ms?: number;
  /** What the server reported (see docs/metrics.md): waited before starting, ms. */
  server_queue_ms?: number;
  /** Server-reported prompt processing (prefill), ms. */
  server_prefill_ms?: number;
  /** Server-reported token generation (decode), ms. */
  server_decode_ms?: number;
  /** Server-reported whole time for the request, ms. */
  server_total_ms?: number;
  /** Prompt tokens the server took from its prefix cache. */
  cached_tokens?: number;
  /** Checks (spec `checks:`) this answer passed; undefined for a failed request or without checks. */
  checks_passed?: number;
  /** Checks run on this answer. */
  checks_total?: number;
  /** What this request cost in the pricing currency (spec `pricing:`); undefined without token counts or prices. */
  cost?: number;
  /** A capacity search's step this request belongs to (0-based); undefined outside a search. */
  search_step?: number;
  /** 0-based round of the cell (`repeat_cells`); 0 (or absent) in a one-round run. */
  round?: number;
  /** Workloads: prompt tokens the workload asked for, by its tokenizer (docs/workloads.md). */
  input_tokens_requested?: number;
  /** Workloads: output tokens asked for (max_tokens, and ignore_eos where the server has it). */
  output_tokens_requested?: number;
  /** Conversations: 0-based session within the cell. */
  session?: number;
  /** Conversations: 0-based turn within the session. */
  turn?: number;
  /** Not written to requests.csv: timings relative to the cell start (ms), for metrics. */
  timing?: RecordTiming;
}

/** Monotonic timings of one request, ms relative to the cell's start. */
export interface RecordTiming {
  /** When the scheduler wanted to send it (open loop), or when it was released (closed loop). */
  scheduled: number;
  /** When the final attempt was sent. */
  sent: number;
  /** When the last content byte (or the error) arrived. */
  end: number;
}
