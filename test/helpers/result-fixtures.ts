/**
 * Deterministic result folders (requests.csv, summary.csv, run.json) for compare and merge
 * tests, written with the runner's own serializers. test/fixtures/results/ holds the output;
 * test/unit/results/fixtures.test.ts checks it is current (UPDATE_FIXTURES=1 rewrites it).
 *
 * Every fixture is the grid model [a, b] x concurrency [1, 4], 40 requests a cell, latency
 * log-normal around a per-model median. Variants change one thing against `baseline`.
 */
import { csvLine } from '../../src/results/exporters/requests-csv.js';
import { METRIC_DEFINITIONS, serializeRunJson, type RunJson } from '../../src/results/run-json.js';
import { serializeSummaryCsv } from '../../src/results/summary-csv.js';
import { summarizeCell, type CellSummary } from '../../src/metrics/summary.js';
import { cellId } from '../../src/plan/cell-id.js';
import { requestTable } from '../../src/records/columns.js';
import type { Spec } from '../../src/spec/schema.js';
import type { RequestRecord } from '../../src/records/types.js';
import { mulberry32, normal } from '../../src/random.js';

export const AXES = ['model', 'concurrency'];
const MEDIAN_MS: Record<string, number> = { a: 800, b: 1500 };
/** Model a answers steadily, model b is noisy. */
const SIGMA: Record<string, number> = { a: 0.12, b: 0.35 };
const PROMPT_TOKENS = [12, 20];

export interface CellSpec {
  model: string;
  concurrency: number;
  /** Multiplies latency and TTFT (1.3 = 30% slower). */
  slow?: number;
  /** Requests that fail with HTTP 503. */
  errors?: number;
  /** Log-normal sigma of latency. */
  sigma?: number;
  requests?: number;
}

export interface ResultSpec {
  seed: number;
  cells: CellSpec[];
  /** run.json shard, for merge fixtures. */
  shard?: { k: number; n: number } | null;
  specHash?: string;
  /** The spec's matrix as run.json records it (the whole plan, also for a shard). */
  matrix?: Record<string, unknown>;
  thresholds?: Record<string, string | string[]>;
}

const round3 = (v: number) => Math.round(v * 1000) / 1000;

export function cellRecords(c: CellSpec, random: () => number, t0: number): RequestRecord[] {
  const params = { model: c.model, concurrency: c.concurrency };
  const id = cellId(params);
  const n = c.requests ?? 40;
  const workers = new Array<number>(c.concurrency).fill(t0);
  const out: RequestRecord[] = [];
  for (let i = 0; i < n; i++) {
    const w = workers.indexOf(Math.min(...workers));
    const start = workers[w];
    const base = { cell: id, params, prompt_id: i % 2, repeat: Math.floor(i / 2), started_at: new Date(start).toISOString(), attempts: 1 };
    const latency = round3(MEDIAN_MS[c.model] * (c.slow ?? 1) * Math.exp((c.sigma ?? SIGMA[c.model]) * normal(random)));
    // Errors spread evenly over the cell: every (n / errors)-th request.
    const every = c.errors ? Math.floor(n / c.errors) : 0;
    if (every > 0 && i % every === 0 && i / every < c.errors!) {
      const lat = round3(latency / 10);
      workers[w] = start + lat;
      out.push({ ...base, status: 'error', http_status: 503, error: 'HTTP 503: overloaded', error_kind: 'http', latency_ms: lat });
      continue;
    }
    const completion = 48 + Math.floor(random() * 17);
    const ttft = round3(latency * (0.15 + 0.1 * random()));
    const tpot = round3((latency - ttft) / (completion - 1));
    workers[w] = start + latency;
    const prompt = PROMPT_TOKENS[i % 2];
    out.push({
      ...base,
      status: 'ok',
      http_status: 200,
      latency_ms: latency,
      ttft_ms: ttft,
      tpot_ms: tpot,
      itl_p50_ms: round3(tpot * (0.9 + 0.2 * random())),
      prompt_tokens: prompt,
      completion_tokens: completion,
      total_tokens: prompt + completion,
      tokens_source: 'usage',
      output_tokens_per_s: round3(completion / (latency / 1000)),
      finish_reason: 'length',
    });
  }
  return out;
}

export interface ResultFiles {
  'requests.csv': string;
  'summary.csv': string;
  'run.json': string;
}

export function buildResult(spec: ResultSpec): ResultFiles & { records: RequestRecord[]; summaries: CellSummary[] } {
  const random = mulberry32(spec.seed);
  let t = Date.parse('2025-01-01T00:00:00.000Z');
  const records: RequestRecord[] = [];
  const summaries: CellSummary[] = [];
  for (const c of spec.cells) {
    const rows = cellRecords(c, random, t);
    records.push(...rows);
    const s = summarizeCell(rows[0].cell, rows[0].params, rows);
    summaries.push(s);
    t += Math.ceil(s.duration_s * 1000) + 1000;
  }
  const run: RunJson = {
    format: 1,
    tool: { name: 'llm-sweep', version: '0.1.0' },
    spec_file: 'fixture.yaml',
    spec_name: 'fixture',
    spec_hash: spec.specHash ?? 'f1f1f1f1f1f1f1f1',
    spec: {
      name: 'fixture',
      target: { provider: 'openai-chat', base_url: 'http://127.0.0.1:8000/v1' },
      matrix: spec.matrix ?? { model: ['a', 'b'], concurrency: [1, 4] },
      requests: 40,
      ...(spec.thresholds ? { thresholds: spec.thresholds } : {}),
    } as unknown as Spec,
    base_url: 'http://127.0.0.1:8000/v1',
    started_at: '2025-01-01T00:00:00.000Z',
    ended_at: new Date(t).toISOString(),
    host: { hostname: 'fixture', platform: 'linux', arch: 'x64', node: 'v20.0.0', cpus: 2 },
    shard: spec.shard ?? null,
    axes: AXES,
    total_cells: 4,
    interrupted: false,
    thresholds: [],
    metric_definitions: METRIC_DEFINITIONS,
    cells: summaries,
  };
  const table = requestTable(AXES);
  return {
    records,
    summaries,
    'requests.csv': [table.header(), ...records.map(table.row)].map(csvLine).join(''),
    'summary.csv': serializeSummaryCsv(summaries, AXES),
    'run.json': serializeRunJson(run),
  };
}

const GRID: CellSpec[] = [
  { model: 'a', concurrency: 1 },
  { model: 'a', concurrency: 4 },
  { model: 'b', concurrency: 1 },
  { model: 'b', concurrency: 4 },
];

function variant(seed: number, change: (c: CellSpec) => CellSpec | undefined, extra: CellSpec[] = []): ResultSpec {
  return { seed, cells: [...GRID.map(change).filter((c): c is CellSpec => c !== undefined), ...extra] };
}

const isA1 = (c: CellSpec) => c.model === 'a' && c.concurrency === 1;

/** The fixture pairs: every variant is compared against `baseline`. */
export const FIXTURES: Record<string, ResultSpec> = {
  baseline: variant(1, (c) => c),
  // m=a,c=1 is 30% slower and m=b,c=4 answers 503 to 8 of 40 requests.
  regression: variant(2, (c) => (isA1(c) ? { ...c, slow: 1.3 } : c.model === 'b' && c.concurrency === 4 ? { ...c, errors: 8 } : c)),
  // m=a,c=1 is 30% faster.
  improvement: variant(3, (c) => (isA1(c) ? { ...c, slow: 0.7 } : c)),
  // Everything 4% slower: real, but inside a 10% tolerance.
  within: variant(4, (c) => ({ ...c, slow: 1.04 })),
  // Nothing changed; a fresh draw of the same distributions (the seed is chosen so that a
  // p95 moves by more than 10% by chance).
  noise: variant(5, (c) => c),
  // m=b,c=4 was dropped and m=b,c=8 added: cells on one side only.
  missing: variant(6, (c) => (c.model === 'b' && c.concurrency === 4 ? undefined : c), [{ model: 'b', concurrency: 8 }]),
};
