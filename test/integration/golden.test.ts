/**
 * The golden result: a fixed-seed sweep on the bundled simulator (test/fixtures/golden/
 * golden.yaml) whose requests.csv, summary.csv and run.json are compared column by column
 * with the committed goldens beside it. Timing values and timestamps differ from run to run:
 * for those only "empty or not" is pinned (a column that stops being filled is a change).
 * Everything else (cells, axes, status, HTTP status, error text, attempts, token counts,
 * finish reasons, threshold verdicts, the redacted spec and its hash, ...) must be equal.
 *
 * A column the code adds must be listed in ADDED below (so it is added on purpose); a column
 * that disappears fails. Refresh the goldens with UPDATE_GOLDEN=1 only when a change of
 * behaviour is intended, and say so in the commit.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO, runCli, tempDir } from '../helpers/cli.js';

const GOLDEN = join(REPO, 'test/fixtures/golden');
const UPDATE = Boolean(process.env.UPDATE_GOLDEN);

/**
 * Columns (or run.json paths) the code added after the goldens were taken; in a run.json
 * path, `*` stands for one segment (a cell's index, a statistic).
 */
const ADDED = {
  // issue 11: the connection and what the server reported.
  'requests.csv': [
    'connect_ms',
    'server_queue_ms',
    'server_prefill_ms',
    'server_decode_ms',
    'server_total_ms',
    'cached_tokens',
    // issue 20: checks and cost (empty: the golden spec has neither).
    'checks_passed',
    'checks_total',
    'cost',
    // issue 17: the step of a capacity search (empty outside one).
    'search_step',
    // issue 18: the round of repeat_cells (0: the golden spec has one).
    'round',
    // issue 16: workloads (empty for a list of prompts).
    'input_tokens_requested',
    'output_tokens_requested',
    'session',
    'turn',
  ],
  'summary.csv': [
    'connect_ms_mean',
    'connect_ms_p50',
    'server_queue_ms_p50',
    'server_prefill_ms_p50',
    'server_decode_ms_p50',
    'server_total_ms_p50',
    'cached_tokens_p50',
    'client_overhead_ms_p50',
    // issue 20
    'check_pass_rate',
    'check_pass_rate_low',
    'check_pass_rate_high',
    'cost_total',
    'cost_per_1k_requests',
    'cost_per_1m_output_tokens',
    'cost_estimated',
    // issue 17: a capacity search's step and verdict.
    'search_step',
    'search_verdict',
    // issue 15: the client's own share of TTFT.
    'client_ttft_delay_ms_p50',
    'client_ttft_delay_ms_p99',
    // issue 16: workloads (empty for a list of prompts).
    'input_tokens_requested',
    'output_tokens_requested',
    // issue 15: the mean in flight (the load the server got).
    'concurrency_mean',
  ],
  'run.json': [
    // issue 12: run.json is versioned.
    'format',
    // issue 11: connection setup per cell, and what it means.
    'cells.*.connect_ms.*',
    'metric_definitions.connect_ms',
    'metric_definitions.server_ms',
    'metric_definitions.client_overhead_ms',
    // issue 20: the simulator's toy quality model (its defaults, in the spec as run).
    'spec.target.simulator.accuracy',
    'spec.target.simulator.accuracy_drop',
    'spec.target.simulator.think_tokens',
    // issue 15: the event loops that send (the default, in the spec as run).
    'spec.workers',
    // issue 15: the mean in flight per cell.
    'cells.*.concurrency_mean',
  ],
};

const TIME = '<time>';
const TIMESTAMP = '<timestamp>';

/** requests.csv columns measured in time (or derived from it), and wall-clock stamps. */
const REQUEST_TIMING = /^(queue_ms|latency_ms|ttft_ms|tpot_ms|itl_p50_ms|output_tokens_per_s|connect_ms|server_.*_ms)$/
const SUMMARY_TIMING =
  /^(duration_s|requests_per_s|output_tokens_per_s|achieved_rps|goodput_rps|concurrency_mean|client_.*|(latency_ms|ttft_ms|tpot_ms|itl_ms|e2e_latency_ms|queue_ms)_.*)$/;
/** run.json cell fields measured in time; of their statistics, `count` is not a time. */
const CELL_TIMING = /^(duration_s|requests_per_s|output_tokens_per_s|achieved_rps|goodput_rps|concurrency_mean|client|latency_ms|ttft_ms|tpot_ms|itl_ms|e2e_latency_ms|queue_ms)$/;
const TIMING_METRICS = /^(latency_ms|ttft_ms|tpot_ms|itl_ms|e2e_latency_ms|queue_ms)(\.|$)|^(requests_per_s|output_tokens_per_s|goodput_rps)$/;

type Table = { header: string[]; rows: Record<string, string>[] };

function normalizeCsv(text: string, timing: RegExp): Table {
  const [header, ...rows] = parse(text) as string[][];
  return {
    header,
    rows: rows.map((row) =>
      Object.fromEntries(
        header.map((h, i) => {
          const v = row[i] ?? '';
          if (v === '') return [h, v];
          if (h === 'started_at') return [h, TIMESTAMP];
          return [h, timing.test(h) ? TIME : v];
        }),
      ),
    ),
  };
}

function csvText(t: Table): string {
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return [t.header, ...t.rows.map((r) => t.header.map((h) => r[h]))].map((r) => r.map(quote).join(',')).join('\n') + '\n';
}

/** run.json as path -> value, timing values and machine-specific fields replaced. */
function flattenRunJson(doc: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const thresholdMetric = (path: (string | number)[]) => {
    const list = (doc as { thresholds?: { metric: string }[] }).thresholds ?? [];
    return path[0] === 'thresholds' && typeof path[1] === 'number' ? list[path[1]]?.metric : undefined;
  };
  const walk = (v: unknown, path: (string | number)[]) => {
    if (Array.isArray(v)) {
      if (v.length === 0) out[path.join('.')] = [];
      v.forEach((x, i) => walk(x, [...path, i]));
      return;
    }
    // Client health depends on how busy the machine is (a `reason` appears only when bound).
    if (path[0] === 'cells' && path[2] === 'client' && path.length === 3) {
      out[path.join('.')] = TIME;
      return;
    }
    if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v);
      if (entries.length === 0) out[path.join('.')] = {};
      for (const [k, x] of entries) walk(x, [...path, k]);
      return;
    }
    const key = path.join('.');
    const [top, , field, leaf] = path;
    let value = v;
    if (top === 'started_at' || top === 'ended_at') value = TIMESTAMP;
    else if (top === 'host' || top === 'base_url') value = '<machine>';
    else if (top === 'cells' && typeof field === 'string' && CELL_TIMING.test(field) && leaf !== 'count') value = TIME;
    else if (top === 'thresholds' && field === 'value' && TIMING_METRICS.test(thresholdMetric(path) ?? '')) value = TIME;
    out[key] = value;
  };
  walk(doc, []);
  return out;
}

/** The columns both sides have must agree; the current side may add only the listed ones. */
function expectColumns(file: keyof typeof ADDED, golden: string[], current: string[]): string[] {
  const missing = golden.filter((c) => !current.includes(c));
  const added = current.filter((c) => !golden.includes(c));
  expect(missing, `${file}: columns gone`).toEqual([]);
  const listed = ADDED[file].map((a) => new RegExp(`^${a.replace(/[.]/g, '\\.').replace(/\*/g, '[^.]+')}$`));
  expect(added.filter((c) => !listed.some((re) => re.test(c))), `${file}: columns added (list them in ADDED)`).toEqual([]);
  // Every listed one is there (a pattern at least once), so the list cannot go stale.
  expect(listed.filter((re) => !added.some((c) => re.test(c))).map(String), `${file}: listed in ADDED but not added`).toEqual([]);
  return golden;
}

let out: string;
beforeAll(async () => {
  const dir = tempDir();
  cpSync(join(GOLDEN, 'golden.yaml'), join(dir, 'golden.yaml'));
  out = join(dir, 'out');
  // Run from the spec's folder, so run.json's spec_file is the same on every machine.
  const r = await runCli(['run', 'golden.yaml', '--out', out, '--quiet'], { cwd: dir });
  // Two cells fail `error_rate < 1%` (the seeded faults): exit 1, by design.
  expect(r.code, r.stderr).toBe(1);
  if (UPDATE) {
    writeFileSync(join(GOLDEN, 'requests.csv'), csvText(normalizeCsv(readFileSync(join(out, 'requests.csv'), 'utf8'), REQUEST_TIMING)));
    writeFileSync(join(GOLDEN, 'summary.csv'), csvText(normalizeCsv(readFileSync(join(out, 'summary.csv'), 'utf8'), SUMMARY_TIMING)));
    const flat = flattenRunJson(JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')));
    writeFileSync(join(GOLDEN, 'run.json'), `${JSON.stringify(flat, null, 2)}\n`);
  }
}, 60_000);

describe('golden result of a fixed-seed sweep on the bundled simulator', () => {
  for (const [file, timing] of [
    ['requests.csv', REQUEST_TIMING],
    ['summary.csv', SUMMARY_TIMING],
  ] as const) {
    it(`${file}: same rows, column by column`, () => {
      const golden = normalizeCsv(readFileSync(join(GOLDEN, file), 'utf8'), /^$/);
      const current = normalizeCsv(readFileSync(join(out, file), 'utf8'), timing);
      const shared = expectColumns(file, golden.header, current.header);
      expect(current.rows.length).toBe(golden.rows.length);
      for (const column of shared) {
        expect(
          current.rows.map((r) => r[column]),
          `${file} column ${column}`,
        ).toEqual(golden.rows.map((r) => r[column]));
      }
    });
  }

  it('run.json: same fields, path by path', () => {
    const golden = JSON.parse(readFileSync(join(GOLDEN, 'run.json'), 'utf8')) as Record<string, unknown>;
    const current = flattenRunJson(JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')));
    const shared = expectColumns('run.json', Object.keys(golden), Object.keys(current));
    for (const path of shared) expect(current[path], `run.json ${path}`).toEqual(golden[path]);
  });
});
