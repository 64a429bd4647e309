/** Synthetic records and summaries for the report's unit tests. */
import { CellColumns } from '../../../src/metrics/cell-columns.js';
import { summarizeCell, type CellSummary } from '../../../src/metrics/summary.js';
import { cellId } from '../../../src/plan/cell-id.js';
import type { RequestRecord } from '../../../src/records/types.js';
import { cellDetail, type CellDetail } from '../../../src/report/data.js';
import { runJsonSchema, type RunJson } from '../../../src/results/run-json.js';

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

/** Each cell's report details (box numbers, error tallies) from its records. */
export function details(records: readonly RequestRecord[]): Map<string, CellDetail> {
  const by = new Map<string, CellColumns>();
  for (const r of records) {
    if (!by.has(r.cell)) by.set(r.cell, new CellColumns());
    by.get(r.cell)!.push(r);
  }
  return new Map([...by].map(([cell, c]) => [cell, cellDetail(c)]));
}

/** A run.json document with `over` laid over a minimal valid one. */
export function fakeRun(over: Record<string, unknown> = {}): RunJson {
  return runJsonSchema.parse({
    tool: { name: 'llm-sweep', version: '0.0.0-test' },
    spec_hash: 'f1f1f1f1f1f1f1f1',
    spec: {},
    started_at: '2026-01-01T00:00:00.000Z',
    axes: [],
    ...over,
  });
}
