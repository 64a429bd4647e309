/**
 * Merging shard results (`run --shard k/n`, one folder each) into one result, as if the
 * sweep had run whole: the inputs must come from the same spec (run.json spec_hash) and
 * hold each cell once; rows are concatenated in plan cell order, and summary.csv, run.json
 * and the threshold checks are rebuilt from the rows with the runner's own functions.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { mergeTallies } from '../checks/tally.js';
import { checkCapacity, checkCell, compileThresholds } from '../compare/thresholds.js';
import type { ThresholdResult } from '../compare/types.js';
import { UserError } from '../errors.js';
import { summarizeCell, type CellSummary } from '../metrics/summary.js';
import { cellId } from '../plan/cell-id.js';
import { expandGrid } from '../plan/grid.js';
import { arrangeCells } from '../plan/order.js';
import { cellOrder, matrixAxes, targetOfCombination, type MatrixSpec } from '../plan/targets.js';
import type { Combination } from '../plan/types.js';
import { requestTable } from '../records/columns.js';
import type { RequestRecord } from '../records/types.js';
import type { CapacityEntry } from '../search/result.js';
import type { Spec } from '../spec/schema.js';
import { CAPACITY_CSV, serializeCapacityCsv } from './capacity-csv.js';
import { csvLine, REQUESTS_CSV } from './exporters/requests-csv.js';
import { RESPONSES_JSONL } from './exporters/responses-jsonl.js';
import { mergeServerMetricsCsv, SERVER_METRICS_CSV } from './exporters/server-metrics-csv.js';
import { SUMMARY_CSV } from './exporters/summary-csv.js';
import { loadResult, summaryOptions } from './load.js';
import { METRIC_DEFINITIONS, RUN_JSON, serializeRunJson, type CellExtras, type RunJson } from './run-json.js';
import { serializeSummaryCsv } from './summary-csv.js';

export interface ShardInput {
  dir: string;
  run: RunJson;
  records: RequestRecord[];
  /** responses.jsonl lines, when the shard saved responses. */
  responses?: string[];
  /** server-metrics.csv as written, when the shard scraped its server (target.metrics). */
  serverMetrics?: string;
  /** Torn rows skipped while reading requests.csv. */
  dropped: number;
}

export function readShard(dir: string): ShardInput {
  if (!existsSync(join(dir, RUN_JSON))) {
    throw new UserError(`${dir}: no run.json; merge needs the run.json of every shard (every run writes one)`);
  }
  const result = loadResult(dir);
  const reading = result.rows();
  const records = [...reading.records];
  const respPath = join(dir, RESPONSES_JSONL);
  const responses = existsSync(respPath) ? readFileSync(respPath, 'utf8').split('\n').filter((l) => l.trim() !== '') : undefined;
  const metricsPath = join(dir, SERVER_METRICS_CSV);
  const serverMetrics = existsSync(metricsPath) ? readFileSync(metricsPath, 'utf8') : undefined;
  return { dir, run: result.run!, records, dropped: reading.dropped, responses, serverMetrics };
}

export interface MergeOptions {
  /** Write a result even when cells are missing or an input was interrupted. */
  allowPartial?: boolean;
}

export interface MergedResult {
  axes: string[];
  records: RequestRecord[];
  summaries: CellSummary[];
  /** run.json of the merged result. */
  run: RunJson;
  responses?: string[];
  /** server-metrics.csv of the shards that scraped, grouped by cell in plan order. */
  serverMetrics?: string;
  thresholds: ThresholdResult[];
  /** Planned cells no input holds (only with allowPartial). */
  missing: string[];
  warnings: string[];
}

/** The whole plan's cells in run order, from the spec as run.json records it (as buildPlan orders them). */
export function plannedCells(spec: MatrixSpec): { id: string; params: Combination }[] {
  const matrix = (spec.matrix ?? {}) as Record<string, unknown>;
  const grid = expandGrid({
    axes: matrixAxes(spec),
    include: matrix.include as Combination[] | undefined,
    exclude: matrix.exclude as Combination[] | undefined,
  });
  const seen = new Set<string>();
  const out: { id: string; params: Combination; target: string; index: number; group: number }[] = [];
  for (const params of grid.combinations) {
    const id = cellId(params);
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({ id, params, target: targetOfCombination(spec, params), index: out.length, group: 0 });
  }
  return arrangeCells(out, cellOrder(spec, out)).map(({ id, params }) => ({ id, params }));
}

function shardText(s: RunJson['shard']): string {
  return s ? `${s.k}/${s.n}` : 'whole';
}

export function mergeShards(inputs: readonly ShardInput[], opts: MergeOptions = {}): MergedResult {
  const problems: string[] = [];
  const warnings: string[] = [];
  const first = inputs[0];
  if (!first) throw new UserError('merge: give at least one results folder');

  const hashes = new Map<string, string[]>();
  for (const i of inputs) hashes.set(i.run.spec_hash, [...(hashes.get(i.run.spec_hash) ?? []), i.dir]);
  if (hashes.size > 1) {
    const groups = [...hashes].map(([h, dirs]) => `spec_hash ${h}: ${dirs.join(', ')}`).join('; ');
    throw new UserError(`the results come from different specs (${groups}); merge only shards of one spec, run with the same --set flags`);
  }
  const seen = new Set<string>();
  const twice: string[] = [];
  for (const i of inputs) {
    if (seen.has(resolve(i.dir))) twice.push(`${i.dir} is given twice`);
    seen.add(resolve(i.dir));
  }
  if (twice.length > 0) throw new UserError(twice.join('\n'), twice);
  const shards = new Map<string, string>();
  for (const i of inputs) {
    if (i.run.shard) {
      const key = shardText(i.run.shard);
      if (shards.has(key)) problems.push(`${shards.get(key)} and ${i.dir} are both shard ${key}`);
      shards.set(key, i.dir);
    }
    if (JSON.stringify(i.run.axes) !== JSON.stringify(first.run.axes)) {
      problems.push(`${i.dir} has matrix columns ${i.run.axes.join(',')}, ${first.dir} has ${first.run.axes.join(',')}`);
    }
    if (i.dropped > 0) warnings.push(`${i.dir}: ${i.dropped} incomplete row(s) in requests.csv skipped`);
    if ((i.run.interrupted || i.run.stopped_reason) && !opts.allowPartial) {
      problems.push(
        `${i.dir} did not finish (${i.run.stopped_reason ?? 'interrupted'}); complete it with \`llm-sweep run ${i.run.spec_file}${i.run.shard ? ` --shard ${shardText(i.run.shard)}` : ''} --resume ${i.dir}\`, or pass --allow-partial`,
      );
    }
  }
  const counts = new Set(inputs.map((i) => i.run.shard?.n).filter((n) => n !== undefined));
  if (counts.size > 1) problems.push(`the shards split the plan differently (n = ${[...counts].join(' and ')}); merge shards of one --shard k/n layout`);

  const plan = plannedCells(first.run.spec);
  const planned = new Map(plan.map((c) => [c.id, c]));
  const owner = new Map<string, ShardInput>();
  const rowsByCell = new Map<string, RequestRecord[]>();
  // A search's rows and summaries are its steps' (m=a,c=24); the plan's cell is the searched one (m=a).
  const over = first.run.spec.search?.over;
  const paramsOf = new Map<string, Record<string, unknown>>();
  const planId = (id: string) => {
    const params = paramsOf.get(id);
    if (!over || !params) return id;
    const own = { ...params };
    delete own[over];
    return cellId(own);
  };
  for (const i of inputs) {
    for (const r of i.records) if (!paramsOf.has(r.cell)) paramsOf.set(r.cell, r.params);
    for (const c of i.run.cells ?? []) if (!paramsOf.has(c.cell)) paramsOf.set(c.cell, c.params);
    const cells = new Set([...i.records.map((r) => r.cell), ...(i.run.cells ?? []).map((c) => c.cell)].map(planId));
    for (const id of cells) {
      if (!planned.has(id)) {
        problems.push(`${i.dir} has cell ${id}, which the spec does not plan`);
        continue;
      }
      const other = owner.get(id);
      if (other && other !== i) problems.push(`cell ${id} is in both ${other.dir} and ${i.dir}; each cell must come from one result`);
      else owner.set(id, i);
    }
    for (const r of i.records) {
      const list = rowsByCell.get(r.cell);
      if (list) list.push(r);
      else rowsByCell.set(r.cell, [r]);
    }
  }
  const missing = plan.filter((c) => !owner.has(c.id)).map((c) => c.id);
  if (missing.length > 0 && !opts.allowPartial) {
    const shown = missing.slice(0, 10).join(', ') + (missing.length > 10 ? `, … (${missing.length - 10} more)` : '');
    const layout = first.run.shard ? ` Of ${first.run.shard.n} shards, these were given: ${[...shards.keys()].sort().join(', ') || 'none'}.` : '';
    problems.push(`${missing.length} of ${plan.length} planned cells are in no input: ${shown}.${layout} Add the missing shard(s), or pass --allow-partial`);
  }
  if (problems.length > 0) throw new UserError(problems.join('\n'), problems);

  const gate = compileThresholds(first.run.spec, `${first.dir}/run.json spec`);
  const records: RequestRecord[] = [];
  const summaries: CellSummary[] = [];
  const thresholds: ThresholdResult[] = [];
  const extras: Record<string, CellExtras> = {};
  const capacity: CapacityEntry[] = [];
  const mergeCell = (from: ShardInput, c: { id: string; params: Combination }) => {
    const rows = rowsByCell.get(c.id) ?? [];
    // Not push(...rows): a cell of ~120,000 rows is more arguments than a call may take.
    for (const r of rows) records.push(r);
    const before = from.run.cells?.find((s) => s.cell === c.id);
    const summary = summarizeCell(c.id, c.params, rows, summaryOptions(first.run.spec, c.params));
    // Client health and the server's metrics were measured by the shard's runner, a search
    // step's verdict by its search; none of them is in the rows.
    if (before?.client) summary.client = before.client;
    if (before?.server_metrics) summary.server_metrics = before.server_metrics;
    if (before?.search_step !== undefined) summary.search_step = before.search_step;
    if (before?.search_verdict !== undefined) summary.search_verdict = before.search_verdict;
    if (!over) thresholds.push(...checkCell(gate, summary));
    summaries.push(summary);
    const extra = from.run.extras?.[c.id];
    if (extra !== undefined) extras[c.id] = extra;
  };
  for (const c of plan) {
    const from = owner.get(c.id);
    if (!from) continue;
    if (!over) {
      mergeCell(from, c);
      continue;
    }
    // The searched cell's steps, in the order its search measured them.
    for (const s of from.run.cells ?? []) if (planId(s.cell) === c.id) mergeCell(from, { id: s.cell, params: s.params });
    const entry = from.run.capacity?.find((e) => e.cell === c.id);
    if (entry) {
      capacity.push(entry);
      thresholds.push(...checkCapacity(gate, entry));
    }
  }

  const times = inputs.map((i) => i.run.started_at).sort();
  const ends = inputs.map((i) => i.run.ended_at).filter((e): e is string => Boolean(e)).sort();
  const run: RunJson = {
    ...first.run,
    shard: null,
    started_at: times[0],
    ended_at: ends[ends.length - 1],
    interrupted: inputs.some((i) => i.run.interrupted),
    stopped_reason: inputs.find((i) => i.run.stopped_reason)?.run.stopped_reason,
    thresholds,
    checks: mergeTallies(inputs.map((i) => i.run.checks)),
    merged_from: inputs.map((i) => ({
      dir: i.dir,
      shard: i.run.shard,
      hostname: i.run.host?.hostname ?? '',
      started_at: i.run.started_at,
      ended_at: i.run.ended_at,
      cells: (i.run.cells ?? []).length,
    })),
    metric_definitions: METRIC_DEFINITIONS,
    cells: summaries,
    ...(over ? { capacity } : {}),
    extras: Object.keys(extras).length > 0 ? extras : undefined,
  };
  return {
    axes: first.run.axes,
    records,
    summaries,
    run,
    responses: mergeResponses(inputs, plan.map((c) => c.id)),
    serverMetrics: mergeServerMetricsCsv(inputs.map((i) => i.serverMetrics), plan.map((c) => c.id)),
    thresholds,
    missing,
    warnings,
  };
}

/** responses.jsonl lines grouped by cell in plan order; undefined when no input saved any. */
function mergeResponses(inputs: readonly ShardInput[], order: readonly string[]): string[] | undefined {
  if (!inputs.some((i) => i.responses)) return undefined;
  const byCell = new Map<string, string[]>();
  for (const i of inputs) {
    for (const line of i.responses ?? []) {
      let cell = '';
      try {
        cell = String((JSON.parse(line) as { cell?: unknown }).cell ?? '');
      } catch {
        continue; // a torn last line
      }
      byCell.set(cell, [...(byCell.get(cell) ?? []), line]);
    }
  }
  return order.flatMap((id) => byCell.get(id) ?? []);
}

/** Writes requests.csv, summary.csv, run.json (and responses.jsonl, server-metrics.csv) of a merged result. */
export function writeMerged(outDir: string, m: MergedResult, inputs: readonly ShardInput[]): void {
  const abs = resolve(outDir);
  for (const i of inputs) {
    if (resolve(i.dir) === abs) throw new UserError(`--out ${outDir} is one of the inputs; write the merged result to a new folder`);
  }
  if (existsSync(join(outDir, REQUESTS_CSV))) {
    throw new UserError(`--out ${outDir} already holds a result (requests.csv); choose a new folder`);
  }
  mkdirSync(outDir, { recursive: true });
  const table = requestTable(m.axes);
  writeFileSync(join(outDir, REQUESTS_CSV), [table.header(), ...m.records.map(table.row)].map(csvLine).join(''));
  writeFileSync(join(outDir, SUMMARY_CSV), serializeSummaryCsv(m.summaries, m.axes));
  const over = m.run.spec.search?.over;
  if (m.run.capacity && over) writeFileSync(join(outDir, CAPACITY_CSV), serializeCapacityCsv(m.run.capacity, m.axes.filter((a) => a !== over)));
  const run = { ...m.run, merged_from: m.run.merged_from?.map((f) => ({ ...f, dir: relative(abs, resolve(f.dir)) || '.' })) };
  writeFileSync(join(outDir, RUN_JSON), serializeRunJson(run));
  if (m.responses) writeFileSync(join(outDir, RESPONSES_JSONL), m.responses.map((l) => `${l}\n`).join(''));
  if (m.serverMetrics !== undefined) writeFileSync(join(outDir, SERVER_METRICS_CSV), m.serverMetrics);
}
