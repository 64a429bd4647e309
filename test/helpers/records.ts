import type { RequestRecord } from '../../src/records/types.js';

/**
 * A successful request record for metric tests: latency 1,000 ms, TTFT 100 ms, TPOT 10 ms,
 * 91 tokens, request i started i x `spacingMs` after 2026-01-01; `over` changes any field.
 */
export function okRecord(i: number, over: Partial<RequestRecord> = {}, spacingMs = 100): RequestRecord {
  return {
    cell: 'c',
    params: {},
    prompt_id: i,
    repeat: 0,
    started_at: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, i * spacingMs)).toISOString(),
    status: 'ok',
    attempts: 1,
    latency_ms: 1000,
    ttft_ms: 100,
    tpot_ms: 10,
    completion_tokens: 91,
    ...over,
  };
}
