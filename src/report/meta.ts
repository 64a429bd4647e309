/**
 * The report's words: header metadata, the sweep's shape, warnings and threshold verdicts,
 * read from run.json generically (fields are added over time; whatever is there is shown).
 * Pure.
 */
import type { CellSummary } from '../metrics/summary.js';
import { valueKey } from './axes.js';
import { failedKey, type ChartMarks } from './charts.js';
import { formatNumber } from './table.js';
import type { VerdictRow } from './types.js';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

const SECRET_PARAM = /key|token|secret|sig|auth|pass|credential|code/i;

/**
 * A URL safe to show: user info and secret-looking query parameters masked. run.json is
 * redacted already; this also covers credentials put into base_url itself.
 */
export function redactUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url;
  }
  let out = `${u.protocol}//${u.username || u.password ? '***@' : ''}${u.host}${u.pathname}`;
  const params = [...u.searchParams.entries()];
  if (params.length > 0) {
    out += `?${params.map(([k, v]) => `${k}=${SECRET_PARAM.test(k) ? '***' : v}`).join('&')}`;
  }
  return out;
}

/** "2026-11-25 03:48:39 UTC" from an ISO time. */
export function formatTime(iso: string | undefined): string | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return iso;
  return `${new Date(t).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '')} UTC`;
}

/** "1 h 02 min", "3 min 05 s", "12.4 s". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '';
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h} h ${String(m).padStart(2, '0')} min` : `${m} min ${String(sec).padStart(2, '0')} s`;
}

export function runDurationS(meta: Obj): number | undefined {
  const a = Date.parse(str(meta.started_at) ?? '');
  const b = Date.parse(str(meta.ended_at) ?? '');
  return Number.isFinite(a) && Number.isFinite(b) && b >= a ? (b - a) / 1000 : undefined;
}

/** Header rows: target, times, tool, host, shard. */
export function metaRows(meta: Obj): [string, string][] {
  const rows: [string, string][] = [];
  const spec = isObj(meta.spec) ? meta.spec : {};
  const target = isObj(spec.target) ? spec.target : {};
  const provider = str(target.provider);
  const url = str(meta.base_url) ?? str(target.base_url);
  if (provider || url) {
    const where = url ? redactUrl(url) : '';
    const builtin = target.base_url === 'builtin' ? ' (bundled simulator)' : '';
    rows.push(['Target', [provider, `${where}${builtin}`].filter(Boolean).join(' · ')]);
  }
  const file = str(meta.spec_file);
  if (file) rows.push(['Spec', `${file}${str(meta.spec_hash) ? ` (hash ${str(meta.spec_hash)})` : ''}`]);
  const started = formatTime(str(meta.started_at));
  if (started) rows.push(['Started', started]);
  const ended = formatTime(str(meta.ended_at));
  const dur = runDurationS(meta);
  if (ended) rows.push(['Ended', `${ended}${dur !== undefined ? ` (${formatDuration(dur)})` : ''}`]);
  const tool = isObj(meta.tool) ? meta.tool : undefined;
  if (tool) rows.push(['Tool', [str(tool.name), str(tool.version)].filter(Boolean).join(' ')]);
  const host = isObj(meta.host) ? meta.host : undefined;
  if (host) {
    const parts = [str(host.hostname), [str(host.platform), str(host.arch)].filter(Boolean).join('/'), str(host.node) && `Node ${str(host.node)}`];
    if (typeof host.cpus === 'number') parts.push(`${host.cpus} CPUs`);
    rows.push(['Client host', parts.filter(Boolean).join(' · ')]);
  }
  const shard = isObj(meta.shard) ? meta.shard : undefined;
  if (shard && typeof shard.k === 'number' && typeof shard.n === 'number') rows.push(['Shard', `${shard.k} of ${shard.n}`]);
  return rows;
}

function inline(v: unknown): string {
  if (Array.isArray(v)) return v.map(inline).join(', ');
  if (isObj(v)) return JSON.stringify(v);
  return valueKey(v);
}

/** The sweep's shape: each axis's values, fixed params, requests per cell, rules. */
export function sweepRows(meta: Obj, cells: readonly CellSummary[], axes: readonly string[]): [string, string][] {
  const rows: [string, string][] = [];
  const spec = isObj(meta.spec) ? meta.spec : {};
  for (const a of axes) {
    const seen: string[] = [];
    for (const c of cells) {
      const k = valueKey(c.params[a]);
      if (c.params[a] !== undefined && !seen.includes(k)) seen.push(k);
    }
    if (seen.length > 0) rows.push([a, seen.join(', ')]);
  }
  if (isObj(spec.params) && Object.keys(spec.params).length > 0) {
    rows.push(['Fixed params', Object.entries(spec.params).map(([k, v]) => `${k}=${inline(v)}`).join(', ')]);
  }
  const per: string[] = [];
  if (typeof spec.requests === 'number') per.push(`${spec.requests} requests`);
  if (typeof spec.duration_s === 'number') per.push(`${spec.duration_s} s`);
  if (typeof spec.repeat === 'number') per.push(`${spec.repeat} × each prompt`);
  if (typeof spec.warmup === 'number' && spec.warmup > 0) per.push(`${spec.warmup} warmup`);
  if (per.length > 0) rows.push(['Per cell', per.join(', ')]);
  if (axes.includes('rate') && str(spec.arrival)) {
    rows.push(['Arrivals', `${str(spec.arrival)}${typeof spec.burstiness === 'number' && spec.burstiness !== 1 ? `, burstiness ${spec.burstiness}` : ''}`]);
  }
  for (const [label, key] of [
    ['Thresholds', 'thresholds'],
    ['SLO', 'slo'],
  ] as const) {
    const rules = spec[key];
    if (isObj(rules) && Object.keys(rules).length > 0) {
      rows.push([label, Object.entries(rules).map(([k, v]) => `${k} ${inline(v)}`).join('; ')]);
    }
  }
  return rows;
}

/** Client-bound notes found anywhere in a cell's fields: an object with `bound: true`. */
function boundNotes(where: string, fields: Obj): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(fields)) {
    if (isObj(v) && v.bound === true) {
      out.push(`${where}: the ${k} may have limited this measurement${str(v.reason) ? ` (${str(v.reason)})` : ''}`);
    }
  }
  return out;
}

function messages(v: unknown, where?: string): string[] {
  if (!Array.isArray(v)) return [];
  return v.map((w) => {
    const text = isObj(w) ? (str(w.message) ?? JSON.stringify(w)) : String(w);
    return where ? `${where}: ${text}` : text;
  });
}

/** Everything a reader should doubt before trusting the numbers. */
export function collectWarnings(
  meta: Obj,
  cells: readonly CellSummary[],
  label: (c: CellSummary) => string,
  dropped = 0,
): string[] {
  const out: string[] = [];
  const total = typeof meta.total_cells === 'number' ? meta.total_cells : undefined;
  const reason = str(meta.stopped_reason);
  if (meta.interrupted === true || reason) {
    const done = total !== undefined ? `${cells.length} of ${total} cells finished` : `${cells.length} cells finished`;
    out.push(`The run stopped early (${reason ?? 'interrupted'}): ${done}.`);
  }
  if (dropped > 0) out.push(`${dropped} incomplete row${dropped === 1 ? '' : 's'} of requests.csv skipped (a torn write).`);
  out.push(...messages(meta.warnings));
  if (isObj(meta.client_health)) out.push(...boundNotes('run', { client: meta.client_health }));
  const extras = isObj(meta.extras) ? meta.extras : {};
  for (const c of cells) {
    const fields = c as unknown as Obj;
    out.push(...messages(fields.warnings, `cell ${label(c)}`));
    out.push(...boundNotes(`cell ${label(c)}`, fields));
    const extra = extras[c.cell];
    if (isObj(extra)) {
      out.push(...messages(extra.warnings, `cell ${label(c)}`));
      out.push(...boundNotes(`cell ${label(c)}`, extra));
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

const FAIL_WORDS = new Set(['fail', 'failed', 'failure', 'error']);
const SKIP_WORDS = new Set(['skip', 'skipped', 'n/a', 'na', 'not applicable']);

/** What a threshold result object says: failed, skipped or passed. Reads the usual field names. */
export function resultState(o: Obj): VerdictRow['state'] {
  for (const k of ['pass', 'passed', 'ok', 'success']) if (o[k] === false) return 'fail';
  for (const k of ['fail', 'failed']) if (o[k] === true) return 'fail';
  for (const k of ['verdict', 'status', 'result', 'outcome']) {
    const v = o[k];
    if (typeof v === 'string' && FAIL_WORDS.has(v.toLowerCase())) return 'fail';
    if (typeof v === 'string' && SKIP_WORDS.has(v.toLowerCase())) return 'skip';
  }
  return 'pass';
}

/**
 * Threshold results as rows, whatever shape run.json gives them: a list of result objects
 * (`{cell, threshold, value, status: 'pass' | 'fail' | 'skip'}`), or objects nested by cell
 * and metric (the path becomes the `where` column).
 */
export function verdictRows(node: unknown, path: string[] = []): VerdictRow[] {
  if (Array.isArray(node)) return node.flatMap((el) => verdictRows(el, path));
  if (!isObj(node)) return [];
  const scalars = Object.entries(node).filter(([, v]) => v === null || ['string', 'number', 'boolean'].includes(typeof v));
  if (scalars.length === 0) return Object.entries(node).flatMap(([k, v]) => verdictRows(v, [...path, k]));
  const fields: Record<string, string> = {};
  if (path.length > 0) fields.where = path.join(' › ');
  for (const [k, v] of scalars) fields[k] = typeof v === 'number' ? formatNumber(v) : String(v);
  return [{ state: resultState(node), fields }];
}

export function verdicts(meta: Obj, cells: readonly CellSummary[], label: (c: CellSummary) => string) {
  const rows = verdictRows(meta.thresholds ?? meta.threshold_results);
  const rank = { fail: 0, pass: 1, skip: 2 } as const;
  rows.sort((a, b) => rank[a.state] - rank[b.state]);
  const columns: string[] = [];
  for (const r of rows) for (const k of Object.keys(r.fields)) if (!columns.includes(k)) columns.push(k);
  const failedCells = cells.filter((c) => c.threshold === 'fail').map(label);
  const anyFailed = failedCells.length > 0 || rows.some((r) => r.state === 'fail');
  const any = rows.length > 0 || cells.some((c) => c.threshold !== undefined);
  return { rows, columns, failedCells, anyFailed, any };
}

const RULE = /^(<=|>=|<|>)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)$/i;

/**
 * What the charts mark: the spec's unscoped comparison rules as limit lines (a rule scoped
 * to some cells, `latency_ms.p95{model:x}`, would mislead as a line across all of them), and
 * the failed checks of each cell and metric.
 */
export function chartMarks(meta: Obj, rows: readonly VerdictRow[]): ChartMarks {
  const limits = new Map<string, { op: string; value: number }[]>();
  const spec = isObj(meta.spec) ? meta.spec : {};
  if (isObj(spec.thresholds)) {
    for (const [key, raw] of Object.entries(spec.thresholds)) {
      if (key.includes('{')) continue;
      for (const text of Array.isArray(raw) ? raw : [raw]) {
        const m = typeof text === 'string' ? RULE.exec(text.trim()) : null;
        if (m) limits.set(key.trim(), [...(limits.get(key.trim()) ?? []), { op: m[1], value: Number(m[2]) }]);
      }
    }
  }
  const failed = new Set<string>();
  for (const r of rows) if (r.state === 'fail' && r.fields.cell && r.fields.metric) failed.add(failedKey(r.fields.cell, r.fields.metric));
  return { limits, failed };
}

/** run.json's metric definitions, for the footnotes. */
export function definitions(meta: Obj): [string, string][] {
  const d = meta.metric_definitions;
  return isObj(d) ? Object.entries(d).flatMap(([k, v]): [string, string][] => (typeof v === 'string' ? [[k, v]] : [])) : [];
}
