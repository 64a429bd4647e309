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
  /** performance.now() when the request was due (open loop) — undefined in closed loop. */
  scheduledAt?: number;
  /** Cell start, performance.now(). */
  cellStart: number;
  /** Token count of the prompt by our tokenizer (cached per prompt). */
  promptTokenEstimate: () => number;
}

export function toRecord(x: ExchangeResult, m: RecordMeta): RequestRecord {
  const latency = x.endAt - x.sentAt;
  const timing = {
    scheduled: (m.scheduledAt ?? x.sentAt) - m.cellStart,
    sent: x.sentAt - m.cellStart,
    end: x.endAt - m.cellStart,
  };
  const queue = m.scheduledAt !== undefined ? round(Math.max(0, x.sentAt - m.scheduledAt)) : undefined;
  const startedAt = new Date(performance.timeOrigin + x.sentAt).toISOString();
  // Both branches build one literal with every field, in one order: `{ ...base, more }`
  // would give every record a hidden class of its own in V8 (~600 bytes each, for the
  // life of the record).
  if (!x.ok) {
    return {
      cell: m.cell.id,
      params: m.cell.params,
      prompt_id: m.prompt.id,
      repeat: m.repeat,
      started_at: startedAt,
      status: 'error',
      http_status: x.httpStatus,
      error: x.error ?? 'error',
      error_kind: x.errorKind,
      attempts: x.attempts,
      queue_ms: queue,
      latency_ms: round(latency),
      ttft_ms: undefined,
      tpot_ms: undefined,
      itl_p50_ms: undefined,
      prompt_tokens: undefined,
      completion_tokens: undefined,
      total_tokens: undefined,
      tokens_source: undefined,
      output_tokens_per_s: undefined,
      finish_reason: undefined,
      timing,
    };
  }
  let source: TokensSource = 'usage';
  let completion = x.usage?.completion_tokens;
  let prompt = x.usage?.prompt_tokens;
  if (completion === undefined) {
    // No usage from the server: count with a real tokenizer and say so. Never max_tokens.
    completion = estimateTokens(x.text);
    source = 'estimate';
  }
  if (prompt === undefined) {
    prompt = m.promptTokenEstimate();
    source = 'estimate';
  }
  const ttft = x.streamed && x.firstTokenAt !== undefined ? x.firstTokenAt - x.sentAt : undefined;
  const tpot = ttft !== undefined && completion > 1 ? (latency - ttft) / (completion - 1) : undefined;
  return {
    cell: m.cell.id,
    params: m.cell.params,
    prompt_id: m.prompt.id,
    repeat: m.repeat,
    started_at: startedAt,
    status: 'ok',
    http_status: x.httpStatus,
    error: undefined,
    error_kind: undefined,
    attempts: x.attempts,
    queue_ms: queue,
    latency_ms: round(latency),
    ttft_ms: round(ttft),
    tpot_ms: round(tpot),
    itl_p50_ms: round(median(x.gaps)),
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: x.usage?.total_tokens ?? prompt + completion,
    tokens_source: source,
    output_tokens_per_s: latency > 0 ? round((completion * 1000) / latency) : undefined,
    finish_reason: x.finishReason,
    timing,
  };
}
