/** Synthetic records and summaries for the report's unit tests. */
import { summarizeCell, type CellSummary } from '../../../src/metrics/summary.js';
import { cellId } from '../../../src/plan/cell-id.js';
import type { RequestRecord } from '../../../src/records/types.js';

/** `n` records of one cell; latency grows with concurrency, request i takes a little longer. */
export function recordsFor(params: Record<string, unknown>, n = 5, opts: { fail?: (i: number) => Partial<RequestRecord> | undefined } = {}): RequestRecord[] {
  const c = typeof params.concurrency === 'number' ? params.concurrency : 1;
  return Array.from({ length: n }, (_, i) => {
    const failure = opts.fail?.(i);
    const base: RequestRecord = {
      cell: cellId(params),
      params,
      prompt_id: i % 2,
      repeat: Math.floor(i / 2),
      started_at: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, i * 100)).toISOString(),
      status: 'ok',
      http_status: 200,
      attempts: 1,
      latency_ms: 100 * c + i,
      ttft_ms: 20 * c + i,
      tpot_ms: 5,
      itl_p50_ms: 5,
      prompt_tokens: 10,
      completion_tokens: 16,
      total_tokens: 26,
      tokens_source: 'usage',
      output_tokens_per_s: 160,
      finish_reason: 'length',
    };
    if (!failure) return base;
    return {
      ...base,
      status: 'error',
      latency_ms: undefined,
      ttft_ms: undefined,
      tpot_ms: undefined,
      itl_p50_ms: undefined,
      completion_tokens: undefined,
      output_tokens_per_s: undefined,
      finish_reason: undefined,
      ...failure,
    };
  });
}

/** The cartesian product of `matrix`, first axis slowest, as records and summaries. */
export function grid(matrix: Record<string, unknown[]>, n = 5, opts: Parameters<typeof recordsFor>[2] = {}) {
  let combos: Record<string, unknown>[] = [{}];
  for (const [axis, values] of Object.entries(matrix)) combos = combos.flatMap((c) => values.map((v) => ({ ...c, [axis]: v })));
  const records = combos.flatMap((p) => recordsFor(p, n, opts));
  const cells: CellSummary[] = combos.map((p) => summarizeCell(cellId(p), p, records.filter((r) => r.cell === cellId(p))));
  return { axes: Object.keys(matrix), records, cells };
}
