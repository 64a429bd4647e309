/**
 * Turns a timed exchange into the row users see. Derived numbers follow DESIGN.md section 3
 * (the vLLM definitions): latency = send -> last content chunk; TTFT = send -> first
 * content or reasoning chunk; TPOT = (latency - TTFT) / (completion_tokens - 1).
 */
import { estimateTokens } from '../metrics/tokens.js';
import { median, round } from '../metrics/stats.js';
import type { Cell, Prompt } from '../plan/types.js';
import type { RequestRecord, TokensSource } from '../records/types.js';
import type { ExchangeResult } from './exchange.js';

export interface RecordMeta {
  cell: Cell;
  prompt: Prompt;
  repeat: number;
  /** 0-based round of the cell (`repeat_cells`). */
  round?: number;
  /** performance.now() when the request was due (open loop) — undefined in closed loop. */
  scheduledAt?: number;
  /** Cell start, performance.now(). */
  cellStart: number;
  /** Token count of the prompt by our tokenizer (cached per prompt). */
  promptTokenEstimate: () => number;
  /** Workloads: what the request asked for, and its place in a conversation. */
  inputTokens?: number;
  outputTokens?: number;
  session?: number;
  turn?: number;
}

export function toRecord(x: ExchangeResult, m: RecordMeta): RequestRecord {
  const latency = x.endAt - x.sentAt;
  let source: TokensSource | undefined;
  let completion: number | undefined;
  let prompt: number | undefined;
  let tpot: number | undefined;
  // Also on a failed stream: content came, so its first token is a fact worth keeping.
  const ttft = x.streamed && x.firstTokenAt !== undefined ? x.firstTokenAt - x.sentAt : undefined;
  if (x.ok) {
    source = 'usage';
    completion = x.usage?.completion_tokens;
    prompt = x.usage?.prompt_tokens;
    if (completion === undefined) {
      // No usage from the server: count with a real tokenizer and say so. Never max_tokens.
      completion = estimateTokens(x.reasoning ? x.reasoning + x.text : x.text);
      source = 'estimate';
    }
    if (prompt === undefined) {
      prompt = m.promptTokenEstimate();
      source = 'estimate';
    }
    tpot = ttft !== undefined && completion > 1 ? (latency - ttft) / (completion - 1) : undefined;
  }
  // One literal with every field, in one order, for ok and failed requests alike:
  // `{ ...base, more }` would give every record a hidden class of its own in V8 (~600 bytes
  // each, for the life of the record).
  return {
    cell: m.cell.id,
    params: m.cell.params,
    prompt_id: m.prompt.id,
    repeat: m.repeat,
    started_at: new Date(performance.timeOrigin + x.sentAt).toISOString(),
    status: x.ok ? 'ok' : 'error',
    http_status: x.httpStatus,
    error: x.ok ? undefined : (x.error ?? 'error'),
    error_kind: x.ok ? undefined : x.errorKind,
    attempts: x.attempts,
    queue_ms: m.scheduledAt !== undefined ? round(Math.max(0, x.sentAt - m.scheduledAt)) : undefined,
    latency_ms: round(latency),
    ttft_ms: round(ttft),
    tpot_ms: round(tpot),
    itl_p50_ms: x.ok ? round(median(x.gaps)) : undefined,
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: x.ok ? (x.usage?.total_tokens ?? prompt! + completion!) : undefined,
    tokens_source: source,
    output_tokens_per_s: x.ok && latency > 0 ? round((completion! * 1000) / latency) : undefined,
    finish_reason: x.ok ? x.finishReason : undefined,
    connect_ms: round(x.connectMs),
    server_queue_ms: round(x.server?.queue_ms),
    server_prefill_ms: round(x.server?.prefill_ms),
    server_decode_ms: round(x.server?.decode_ms),
    server_total_ms: round(x.server?.total_ms),
    cached_tokens: x.server?.cached_tokens,
    // Set by the runner after the checks and the price (run-sweep.ts), in this one shape.
    checks_passed: undefined,
    checks_total: undefined,
    cost: undefined,
    search_step: m.cell.searchStep,
    round: m.round ?? 0,
    input_tokens_requested: m.inputTokens,
    output_tokens_requested: m.outputTokens,
    session: m.session,
    turn: m.turn,
    timing: {
      scheduled: (m.scheduledAt ?? x.sentAt) - m.cellStart,
      sent: x.sentAt - m.cellStart,
      end: x.endAt - m.cellStart,
    },
  };
}
