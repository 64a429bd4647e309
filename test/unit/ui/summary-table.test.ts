/**
 * The final terminal table (issue 14.6): it fits 80 columns with the swept axes, ok/err,
 * req/s, achieved/offered rate, latency p50/p95, TTFT p50, tok/s, SLO and the verdict.
 */
import { describe, expect, it } from 'vitest';
import type { CellSummary } from '../../../src/metrics/summary.js';
import { cellId } from '../../../src/plan/cell-id.js';
import { clientWarnings, formatSummaryTable } from '../../../src/ui/summary-table.js';

const stats = (p50: number, p95: number) => ({ count: 16, mean: p50, min: p50 / 2, max: p95 * 1.1, p50, p90: p95 * 0.95, p95, p99: p95 * 1.05 });

function summary(params: Record<string, unknown>, i: number, extra: Partial<CellSummary> = {}): CellSummary {
  return {
    cell: cellId(params),
    params,
    requests: 16,
    ok: i === 5 ? 14 : 16,
    errors: i === 5 ? 2 : 0,
    error_rate: i === 5 ? 0.125 : 0,
    duration_s: 2,
    requests_per_s: 8.14 + i * 3.3,
    output_tokens_per_s: 130.3 + i * 51.7,
    latency_ms: stats(120.3 + i * 60, 126.9 + i * 103),
    ttft_ms: stats(62.2 + i * 40, 70 + i * 50),
    estimated_tokens: 0,
    errors_by_kind: {},
    slo_attainment: i === 5 ? 0.5 : 1,
    threshold: i === 5 ? 'fail' : 'pass',
    ...extra,
  } as CellSummary;
}

const widest = (text: string) => Math.max(...text.split('\n').map((l) => l.length));

describe('the summary table', () => {
  const axes = ['temperature', 'max_tokens', 'concurrency'];
  const grid = [0, 0.8].flatMap((t) => [16, 48].flatMap((mt) => [1, 4, 16].map((c) => ({ temperature: t, max_tokens: mt, concurrency: c }))));
  const cells = grid.map((p, i) => summary(p, i, i === 2 ? { client: { loop_delay_p99_ms: 30, loop_delay_max_ms: 40, cpu: 0.95, bound: true, reason: 'x' } } : {}));

  it('fits 80 columns for the quick-start grid, and says where the rest is', () => {
    const text = formatSummaryTable(cells, axes, { color: false, width: 80 });
    expect(widest(text)).toBeLessThanOrEqual(80);
    expect(text).toMatchInlineSnapshot(`
      "temp  max_tok  conc  ok/err  req/s    p50    p95   TTFT  tok/s   SLO  verdict
      ────────────────────────────────────────────────────────────────────────────────
      0     16       1       16/0   8.14  120.3  126.9   62.2  130.3  100%  pass
      0     16       4       16/0   11.4  180.3  229.9  102.2    182  100%  pass
      0     16       16      16/0   14.7  240.3  332.9  142.2  233.7  100%  pass BOUND
      0     48       1       16/0     18  300.3  435.9  182.2  285.4  100%  pass
      0     48       4       16/0   21.3  360.3  538.9  222.2  337.1  100%  pass
      0     48       16      14/2   24.6  420.3  641.9  262.2  388.8   50%  FAIL
      0.8   16       1       16/0   27.9  480.3  744.9  302.2  440.5  100%  pass
      0.8   16       4       16/0   31.2  540.3  847.9  342.2  492.2  100%  pass
      0.8   16       16      16/0   34.5  600.3  950.9  382.2  543.9  100%  pass
      0.8   48       1       16/0   37.8  660.3  1,054  422.2  595.6  100%  pass
      0.8   48       4       16/0   41.1  720.3  1,157  462.2  647.3  100%  pass
      0.8   48       16      16/0   44.4  780.3  1,260  502.2    699  100%  pass
      p50/p95: latency, ms; TTFT: p50, ms; tok/s: output; SLO: share meeting slo:;
      more in summary.csv"
    `);
  });

  it('uses the full axis names when the terminal is wide', () => {
    const text = formatSummaryTable(cells, axes, { color: false, width: 150 });
    expect(text.split('\n')[0]).toMatch(/^temperature {2}max_tokens {2}concurrency {2}ok\/err {2}req\/s/);
  });

  it('shows achieved/offered rate in open loop (rate: 1000 at concurrency 2 got ~11 req/s)', () => {
    const open = [1000, 'inf', 5].map((rate, i) =>
      summary({ model: 'llama3-8b', rate, concurrency: 2 }, i, {
        offered_rps: typeof rate === 'number' ? rate : undefined,
        achieved_rps: [11.2, 30.5, 4.98][i],
        slo_attainment: undefined,
      }),
    );
    const text = formatSummaryTable(open, ['model', 'rate', 'concurrency'], { color: false, width: 80 });
    expect(widest(text)).toBeLessThanOrEqual(80);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^rate {2}ok\/err {2}req\/s +got\/asked +p50 /);
    expect(lines[2]).toMatch(/^1000 .* 11\.2\/1,000 /);
    expect(lines[3]).toMatch(/^inf .* 30\.5\/inf /);
    expect(text).toContain('got/asked: achieved/offered req/s');
  });

  it("shows the server's own queue and prefill beside TTFT when it reports them, and only then", () => {
    const one = [summary({ concurrency: 1 }, 0, { server: { queue_ms_p50: 12.5, prefill_ms_p50: 41.2 } }), summary({ concurrency: 4 }, 1)];
    const text = formatSummaryTable(one, ['concurrency'], { color: false, width: 120 });
    const [headLine, , first, second] = text.split('\n');
    expect(headLine).toMatch(/TTFT +queue +prefill +tok\/s/);
    expect(first).toMatch(/62\.2 +12\.5 +41\.2 /);
    // A cell the server said nothing about shows a dash, not 0.
    expect(second).toMatch(/102\.2 +— +— /);
    expect(text).toContain("queue: the server's queue p50, ms; prefill: the server's prefill p50, ms");
    // llama.cpp reports no queue time: only prefill.
    const prefillOnly = formatSummaryTable([summary({ concurrency: 1 }, 0, { server: { prefill_ms_p50: 41.2 } })], ['concurrency'], { color: false, width: 120 });
    expect(prefillOnly.split('\n')[0]).toMatch(/TTFT +prefill +tok\/s/);
    expect(formatSummaryTable(cells, axes, { color: false, width: 120 })).not.toMatch(/queue|prefill/);
  });

  it('leaves columns out, and names them, rather than wrap a line', () => {
    const many = grid.map((p, i) => summary({ model: `org/model-${i % 3}-instruct`, ...p, top_p: i % 2 ? 0.9 : 1, presence_penalty: i % 4 }, i));
    const text = formatSummaryTable(many, ['model', 'temperature', 'max_tokens', 'concurrency', 'top_p', 'presence_penalty'], { color: false, width: 80 });
    expect(widest(text)).toBeLessThanOrEqual(80);
    expect(text).toMatch(/left out to fit 80 columns: TTFT,\s+p95, req\/s, tok\/s; more in summary\.csv$/);
    // Heads are cut to their values before any column goes.
    expect(text.split('\n')[0]).toMatch(/^model +temp +max_t… +conc +top_p +prese… +ok\/err +p50 +SLO +verdict$/);
    expect(text.split('\n')[0]).toMatch(/verdict$/);
  });

  it('colours without changing the layout', () => {
    const plain = formatSummaryTable(cells, axes, { color: false });
    // eslint-disable-next-line no-control-regex
    const colored = formatSummaryTable(cells, axes, { color: true }).replace(/\u001b\[[0-9;]*m/g, '');
    expect(colored).toBe(plain);
  });
});

describe('advice for a client-bound cell', () => {
  const bound = (concurrency: number, reason: string, lag?: number) =>
    summary({ concurrency }, 0, {
      cell: `c=${concurrency}`,
      client: { loop_delay_p99_ms: 40, loop_delay_max_ms: 60, cpu: 0.3, dispatch_lag_p99_ms: lag, bound: true, reason, concurrency, open_loop: lag !== undefined },
    });
  it('fits the cell: a busy machine at concurrency 1, the load itself above, the rate in open loop', () => {
    expect(clientWarnings([bound(1, 'event-loop delay p99 40.0 ms (40% of TTFT p50 100 ms)'), bound(64, 'client CPU 97% of a core'), bound(8, 'dispatch lag p99 15.0 ms', 15)])).toEqual([
      'warning: cell c=1: the client may have limited this measurement (event-loop delay p99 40.0 ms (40% of TTFT p50 100 ms)); at concurrency 1 the client itself does little: the machine is busy (other processes took the CPU); run again on a quieter machine',
      'warning: cell c=64: the client may have limited this measurement (client CPU 97% of a core); lower the concurrency, or split the run across machines with --shard',
      'warning: cell c=8: the client may have limited this measurement (dispatch lag p99 15.0 ms); lower the rate, or split the run across machines with --shard',
    ]);
  });

  it('says how many requests a closed loop kept in flight when it held under 90% of them', () => {
    const held = (concurrency: number, mean: number, lag?: number) => ({ ...bound(concurrency, 'client CPU 111% of a core', lag), concurrency_mean: mean });
    expect(clientWarnings([held(1024, 652.3), held(64, 60), held(8, 2, 15)])).toEqual([
      'warning: cell c=1024: the client may have limited this measurement (client CPU 111% of a core; 652.3 of 1,024 requests in flight on average); lower the concurrency, or split the run across machines with --shard',
      'warning: cell c=64: the client may have limited this measurement (client CPU 111% of a core); lower the concurrency, or split the run across machines with --shard',
      // An open loop's in flight is the rate's, not a share of slots.
      'warning: cell c=8: the client may have limited this measurement (client CPU 111% of a core); lower the concurrency, or split the run across machines with --shard',
    ]);
  });
});
