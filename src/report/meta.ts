/**
 * The report's words: header metadata, the sweep's shape, warnings and threshold verdicts,
 * read from the typed run.json (results/run-json.ts). Pure.
 */
import { boundWarning } from '../ui/client-advice.js';
import { parseThresholds } from '../compare/thresholds.js';
import { redactUrl } from '../spec/redact.js';
import type { CellSummary } from '../metrics/summary.js';
import { axisCell } from '../records/columns.js';
import { METRIC_DEFINITIONS, type RunJson } from '../results/run-json.js';
import type { Target } from '../spec/schema.js';
import { formatDuration, formatNumber, formatTime } from '../ui/format.js';
import { failedKey, type ChartMarks } from './charts.js';
import type { VerdictRow } from './types.js';

export function runDurationS(run: RunJson | undefined): number | undefined {
  const a = Date.parse(run?.started_at ?? '');
  const b = Date.parse(run?.ended_at ?? '');
  return Number.isFinite(a) && Number.isFinite(b) && b >= a ? (b - a) / 1000 : undefined;
}

/** Header rows: target, times, tool, host, shard. */
export function metaRows(run: RunJson | undefined): [string, string][] {
  if (!run) return [];
  const rows: [string, string][] = [];
  const line = (target: Partial<Target>, url: string | undefined) => {
    const builtin = target.base_url === 'builtin' ? ' (bundled simulator)' : '';
    return [target.provider, `${url ? redactUrl(url) : ''}${builtin}`].filter(Boolean).join(' · ');
  };
  if (run.spec.targets) {
    for (const [name, target] of Object.entries(run.spec.targets)) {
      const url = run.target_urls?.[name];
      // Targets this run did not send to (--target, a shard) have no URL of their own.
      if (run.target_urls && url === undefined) continue;
      rows.push([`Target ${name}`, line(target, url ?? target.base_url)]);
    }
  } else {
    const target: Partial<Target> = run.spec.target ?? {};
    const url = run.base_url || target.base_url;
    if (target.provider || url) rows.push(['Target', line(target, url)]);
  }
  if (run.environment !== undefined) rows.push(['Environment', run.environment]);
  if (run.spec_file) rows.push(['Spec', `${run.spec_file}${run.spec_hash ? ` (hash ${run.spec_hash})` : ''}`]);
  const started = formatTime(run.started_at);
  if (started) rows.push(['Started', started]);
  const ended = formatTime(run.ended_at);
  const dur = runDurationS(run);
  if (ended) rows.push(['Ended', `${ended}${dur !== undefined ? ` (${formatDuration(dur)})` : ''}`]);
  rows.push(['Tool', `${run.tool.name} ${run.tool.version}`]);
  const host = run.host;
  if (host) rows.push(['Client host', [host.hostname, `${host.platform}/${host.arch}`, `Node ${host.node}`, `${host.cpus} CPUs`].join(' · ')]);
  if (run.shard) rows.push(['Shard', `${run.shard.k} of ${run.shard.n}`]);
  return rows;
}

function inline(v: unknown): string {
  if (Array.isArray(v)) return v.map(inline).join(', ');
  return axisCell(v);
}

/** The sweep's shape: each axis's values, fixed params, requests per cell, rules. */
export function sweepRows(run: RunJson | undefined, cells: readonly CellSummary[], axes: readonly string[]): [string, string][] {
  const rows: [string, string][] = [];
  for (const a of axes) {
    const seen: string[] = [];
    for (const c of cells) {
      const k = axisCell(c.params[a]);
      if (c.params[a] !== undefined && !seen.includes(k)) seen.push(k);
    }
    if (seen.length > 0) rows.push([a, seen.join(', ')]);
  }
  const spec = run?.spec;
  if (!spec) return rows;
  if (spec.params && Object.keys(spec.params).length > 0) {
    rows.push(['Fixed params', Object.entries(spec.params).map(([k, v]) => `${k}=${inline(v)}`).join(', ')]);
  }
  const per: string[] = [];
  if (spec.requests !== undefined) per.push(`${spec.requests} requests`);
  if (spec.duration_s !== undefined) per.push(`${spec.duration_s} s`);
  if (spec.repeat !== undefined) per.push(`${spec.repeat} × each prompt`);
  if (spec.warmup > 0) per.push(`${spec.warmup} warmup`);
  if (per.length > 0) rows.push(['Per cell', per.join(', ')]);
  if (axes.includes('rate') && spec.arrival) {
    rows.push(['Arrivals', `${spec.arrival}${spec.burstiness !== undefined && spec.burstiness !== 1 ? `, burstiness ${spec.burstiness}` : ''}`]);
  }
  for (const [label, rules] of [
    ['Thresholds', spec.thresholds],
    ['SLO', spec.slo],
  ] as const) {
    if (rules && Object.keys(rules).length > 0) rows.push([label, Object.entries(rules).map(([k, v]) => `${k} ${inline(v)}`).join('; ')]);
  }
  return rows;
}

/** Everything a reader should doubt before trusting the numbers. */
export function collectWarnings(run: RunJson | undefined, cells: readonly CellSummary[], label: (c: CellSummary) => string, dropped = 0): string[] {
  const out: string[] = [];
  if (run && (run.interrupted || run.stopped_reason)) {
    const done = run.total_cells !== undefined ? `${cells.length} of ${run.total_cells} cells finished` : `${cells.length} cells finished`;
    out.push(`The run stopped early (${run.stopped_reason ?? 'interrupted'}): ${done}.`);
  }
  if (dropped > 0) out.push(`${dropped} incomplete row${dropped === 1 ? '' : 's'} of requests.csv skipped (a torn write).`);
  for (const c of cells) {
    if (c.client?.bound) {
      out.push(boundWarning(c, label(c)));
    }
  }
  const estimated = cells.filter((c) => c.estimated_tokens > 0);
  if (estimated.length > 0) {
    const n = estimated.reduce((s, c) => s + c.estimated_tokens, 0);
    out.push(
      `Token counts of ${n} request${n === 1 ? '' : 's'} in ${estimated.length} cell${estimated.length === 1 ? '' : 's'} ` +
        'are estimates (the server sent no usage); throughput there is approximate.',
    );
  }
  return [...new Set(out)];
}

/** The threshold checks as table rows, failures first; columns a row has none of are left out. */
export function verdicts(run: RunJson | undefined, cells: readonly CellSummary[], label: (c: CellSummary) => string) {
  const rank = { fail: 0, pass: 1, skip: 2 } as const;
  const rows: VerdictRow[] = (run?.thresholds ?? [])
    .map((t) => {
      const fields: Record<string, string> = { cell: t.cell, threshold: t.threshold, metric: t.metric, op: t.op, limit: formatNumber(t.limit) };
      if (t.value !== undefined) fields.value = formatNumber(t.value);
      fields.status = t.status;
      if (t.note !== undefined) fields.note = t.note;
      return { state: t.status, fields };
    })
    .sort((a, b) => rank[a.state] - rank[b.state]);
  const columns: string[] = [];
  for (const r of rows) for (const k of Object.keys(r.fields)) if (!columns.includes(k)) columns.push(k);
  const failedCells = cells.filter((c) => c.threshold === 'fail').map(label);
  const anyFailed = failedCells.length > 0 || rows.some((r) => r.state === 'fail');
  const any = rows.length > 0 || cells.some((c) => c.threshold !== undefined);
  return { rows, columns, failedCells, anyFailed, any };
}

/**
 * What the charts mark: the spec's unscoped thresholds, read by the gate's own parser, as
 * limit lines (a rule scoped to some cells, `latency_ms.p95{model:x}`, would mislead as a
 * line across all of them), and the failed checks of each cell and metric.
 */
export function chartMarks(run: RunJson | undefined): ChartMarks {
  const limits = new Map<string, { value: number; label: string }[]>();
  const spec = run?.spec;
  const { thresholds } = parseThresholds({ thresholds: spec?.thresholds, matrix: spec?.matrix }, () => 'run.json');
  for (const t of thresholds) {
    if (Object.keys(t.scope).length > 0) continue;
    limits.set(t.metric.key, [...(limits.get(t.metric.key) ?? []), { value: t.limit, label: `threshold ${t.expr}` }]);
  }
  const failed = new Set<string>();
  for (const t of run?.thresholds ?? []) if (t.status === 'fail') failed.add(failedKey(t.cell, t.metric));
  return { limits, failed };
}

/** run.json's metric definitions (this version's when it has none), for the footnotes. */
export function definitions(run: RunJson | undefined): [string, string][] {
  const given = run?.metric_definitions ?? {};
  return Object.entries(Object.keys(given).length > 0 ? given : METRIC_DEFINITIONS);
}
