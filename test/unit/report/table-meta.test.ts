import { describe, expect, it } from 'vitest';
import type { CellSummary } from '../../../src/metrics/summary.js';
import { collectWarnings, metaRows, sweepRows, verdicts } from '../../../src/report/meta.js';
import { redactUrl } from '../../../src/spec/redact.js';
import { cellTable } from '../../../src/report/table.js';
import { formatNumber } from '../../../src/ui/format.js';
import { summarizeCell } from '../../../src/metrics/summary.js';
import { fakeRun, grid, recordsFor } from './fixtures.js';

describe('cell table', () => {
  it('has the cell, the axes, then every summary field, stats grouped in reading order', () => {
    const { cells, axes } = grid({ model: ['m'], concurrency: [1, 2] });
    const t = cellTable(cells, axes);
    const keys = t.columns.map((c) => c.key);
    expect(keys.slice(0, 10)).toEqual([
      'cell',
      'axis:model',
      'axis:concurrency',
      'requests',
      'ok',
      'errors',
      'error_rate',
      'duration_s',
      'requests_per_s',
      'output_tokens_per_s',
    ]);
    expect(t.columns.filter((c) => c.group === 'latency_ms').map((c) => c.label)).toEqual(['mean', 'p50', 'p90', 'p95', 'p99', 'min', 'max', 'count']);
    for (const m of ['ttft_ms', 'tpot_ms', 'itl_ms']) expect(keys).toContain(`${m}_p95`);
    expect(keys).toContain('prompt_tokens_mean');
    expect(keys).not.toContain('errors_by_kind');
    expect(t.columns.find((c) => c.key === 'axis:concurrency')).toMatchObject({ numeric: true, axis: true });
    expect(t.columns.find((c) => c.key === 'axis:model')).toMatchObject({ numeric: false });
    expect(t.rows[1].values).toMatchObject({ cell: 'm=m,c=2', 'axis:concurrency': 2, latency_ms_p50: 202 });
  });

  it('shows fields added later without being told about them', () => {
    const { cells, axes } = grid({ concurrency: [1, 2] });
    const extended = cells.map(
      (c, i) =>
        ({
          ...c,
          goodput_rps: 3.5,
          slo_attainment: 0.9,
          client: { loop_delay_p99_ms: 12, cpu: 0.4, bound: i === 1, reason: i === 1 ? 'event loop lag' : undefined },
          threshold: i === 1 ? 'fail' : 'pass',
        }) as CellSummary,
    );
    const t = cellTable(extended, axes);
    const col = (k: string) => t.columns.find((c) => c.key === k);
    expect(col('goodput_rps')).toMatchObject({ numeric: true });
    expect(col('client_loop_delay_p99_ms')).toMatchObject({ group: 'client', label: 'loop_delay_p99_ms', numeric: true });
    expect(col('client_bound')).toMatchObject({ numeric: false });
    expect(col('threshold')).toMatchObject({ numeric: false });
    expect(t.rows.map((r) => r.failed)).toEqual([false, true]);
    expect(t.rows[1].values.client_reason).toBe('event loop lag');
  });

  it('shows connection setup and what the server reported, when requests had them', () => {
    const params = { concurrency: 1 };
    const records = recordsFor(params).map((r, i) => ({
      ...r,
      connect_ms: i === 0 ? 0.4 : 0,
      server_prefill_ms: 3,
      server_decode_ms: 60,
      cached_tokens: 8,
    }));
    const t = cellTable([summarizeCell(records[0].cell, params, records)], ['concurrency']);
    const col = (k: string) => t.columns.find((c) => c.key === k);
    expect(col('connect_ms_mean')).toMatchObject({ group: 'connect_ms', numeric: true });
    expect(col('server_prefill_ms_p50')).toMatchObject({ group: 'server', label: 'prefill_ms_p50' });
    expect(t.rows[0].values).toMatchObject({ server_decode_ms_p50: 60, server_cached_tokens_p50: 8, client_overhead_ms_p50: 20 - 3 + 2 });
    // Nothing reported, nothing shown.
    const { cells } = grid({ concurrency: [1] });
    expect(cellTable(cells, ['concurrency']).columns.some((c) => c.key.startsWith('server'))).toBe(false);
  });

  it('formats numbers for people', () => {
    expect(formatNumber(0.7)).toBe('0.7');
    expect(formatNumber(81.6049)).toBe('81.6');
    expect(formatNumber(154.04)).toBe('154');
    expect(formatNumber(493.14)).toBe('493.1');
    expect(formatNumber(12345.6)).toBe('12,346');
    expect(formatNumber(0.083333)).toBe('0.0833');
    expect(formatNumber(24)).toBe('24');
    expect(formatNumber(NaN)).toBe('');
  });
});

describe('metadata', () => {
  it('masks credentials and secret query parameters in URLs', () => {
    expect(redactUrl('https://user:pw@api.example.test/v1?api-version=2024-06-01&api-key=abc')).toBe(
      'https://***@api.example.test/v1?api-version=2024-06-01&api-key=***',
    );
    expect(redactUrl('http://127.0.0.1:8000/v1')).toBe('http://127.0.0.1:8000/v1');
    expect(redactUrl('builtin')).toBe('builtin');
  });

  it('lists target, times, tool and host', () => {
    const rows = metaRows(fakeRun({
      spec: { target: { provider: 'openai-chat', base_url: 'builtin', api_key: '***' } },
      base_url: 'http://127.0.0.1:4000/v1',
      spec_file: 'sweeps/example.yaml',
      spec_hash: 'abcd',
      started_at: '2026-01-01T00:00:00.000Z',
      ended_at: '2026-01-01T00:01:05.000Z',
      tool: { name: 'llm-sweep', version: '1.2.3' },
      host: { hostname: 'ci', platform: 'linux', arch: 'x64', node: 'v20.1.0', cpus: 2 },
      shard: { k: 2, n: 3 },
    }));
    expect(rows).toEqual([
      ['Target', 'openai-chat · http://127.0.0.1:4000/v1 (bundled simulator)'],
      ['Spec', 'sweeps/example.yaml (hash abcd)'],
      ['Started', '2026-01-01 00:00:00 UTC'],
      ['Ended', '2026-01-01 00:01:05 UTC (1 min 05 s)'],
      ['Tool', 'llm-sweep 1.2.3'],
      ['Client host', 'ci · linux/x64 · Node v20.1.0 · 2 CPUs'],
      ['Shard', '2 of 3'],
    ]);
  });

  it('describes the sweep: axis values, fixed params, requests, rules', () => {
    const { cells, axes } = grid({ concurrency: [1, 2] });
    const rows = sweepRows(
      fakeRun({ spec: { params: { model: 'x', stop: ['\n'] }, requests: 20, warmup: 2, thresholds: { 'latency_ms.p95': '< 2000' } } }),
      cells,
      axes,
    );
    expect(rows).toEqual([
      ['concurrency', '1, 2'],
      ['Fixed params', 'model=x, stop=\n'],
      ['Per cell', '20 requests, 2 warmup'],
      ['Thresholds', 'latency_ms.p95 < 2000'],
    ]);
  });

  it('collects warnings: early stop, torn rows, client-bound cells, estimated tokens', () => {
    const { cells } = grid({ concurrency: [1, 2] });
    const withHealth = [
      { ...cells[0], estimated_tokens: 3 },
      { ...cells[1], client: { bound: true, reason: 'event-loop delay p99 80 ms' } } as unknown as CellSummary,
    ];
    const w = collectWarnings(fakeRun({ interrupted: true, stopped_reason: 'interrupted', total_cells: 4 }), withHealth, (c) => c.cell, 1);
    expect(w).toEqual([
      'The run stopped early (interrupted): 2 of 4 cells finished.',
      '1 incomplete row of requests.csv skipped (a torn write).',
      'cell c=2: the client may have limited this measurement (event-loop delay p99 80 ms); lower the concurrency, or split the run across machines with --shard',
      'Token counts of 3 requests in 1 cell are estimates (the server sent no usage); throughput there is approximate.',
    ]);
  });
});

describe('threshold verdicts', () => {
  it("reads the gate's results from run.json: failed first, status pass, fail or skip", () => {
    const { cells } = grid({ concurrency: [1, 2] });
    cells[1].threshold = 'fail';
    const r = (cell: string, status: string, value?: number) => ({ cell, threshold: 'ttft_ms.p50: < 300', metric: 'ttft_ms.p50', op: '<', limit: 300, value, status });
    const v = verdicts(fakeRun({ thresholds: [r('c=1', 'skip'), r('c=1', 'pass', 12), r('c=2', 'fail', 420.5)] }), cells, (c) => c.cell);
    expect(v.rows.map((x) => [x.state, x.fields.cell])).toEqual([
      ['fail', 'c=2'],
      ['pass', 'c=1'],
      ['skip', 'c=1'],
    ]);
    expect(v.rows[0]).toEqual({
      state: 'fail',
      fields: { cell: 'c=2', threshold: 'ttft_ms.p50: < 300', metric: 'ttft_ms.p50', op: '<', limit: '300', value: '420.5', status: 'fail' },
    });
    expect(v.columns).toEqual(['cell', 'threshold', 'metric', 'op', 'limit', 'value', 'status']);
    expect(v.anyFailed).toBe(true);
    expect(v.failedCells).toEqual(['c=2']);
  });

  it('says nothing when there are no thresholds', () => {
    const { cells } = grid({ concurrency: [1] });
    expect(verdicts(fakeRun(), cells, (c) => c.cell)).toEqual({ rows: [], columns: [], failedCells: [], anyFailed: false, any: false });
    expect(verdicts(undefined, cells, (c) => c.cell).any).toBe(false);
  });
});
