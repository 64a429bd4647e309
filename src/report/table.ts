/**
 * The cell table: every field of every summary as a column, found generically, so fields
 * added later (goodput, client health, ...) show up without touching this file. Nested
 * objects (latency_ms: {p50, p95, ...}) become a group of columns. Pure.
 */
import { isObject } from '../json.js';
import type { CellSummary } from '../metrics/summary.js';
import type { TableColumn, TableRow } from './types.js';

/** Shown elsewhere in the report (the cell's own columns, the errors section). */
const SKIP = new Set(['cell', 'params', 'errors_by_kind']);
/**
 * The server's TTFT from its metrics (target.metrics) goes right after the client's, under
 * its own group: their difference is the network and the client.
 */
const SERVER_TTFT_GROUP = 'server_ttft_ms';
const SERVER_TTFT = /^server_metrics_server_ttft_(mean|p50|p90|p99)_ms$/;

/** Statistic columns in reading order; unknown leaves follow in their own order. */
const LEAF_ORDER = ['mean', 'p50', 'p90', 'p95', 'p99', 'min', 'max', 'count'];

type Scalar = number | string | boolean;

function isScalar(v: unknown): v is Scalar {
  return typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean';
}

function leafRank(k: string): number {
  const i = LEAF_ORDER.indexOf(k);
  return i === -1 ? LEAF_ORDER.length : i;
}

/** Every flat value of a summary by column key; `group` is set for nested fields. */
function flatten(s: CellSummary): { key: string; group?: string; label: string; value: unknown }[] {
  const out: { key: string; group?: string; label: string; value: unknown }[] = [];
  for (const [field, v] of Object.entries(s as unknown as Record<string, unknown>)) {
    if (SKIP.has(field) || v === undefined || v === null) continue;
    if (isObject(v)) {
      const leaves = Object.entries(v).filter(([, x]) => isScalar(x));
      leaves.sort((a, b) => leafRank(a[0]) - leafRank(b[0]));
      for (const [leaf, x] of leaves) out.push({ key: `${field}_${leaf}`, group: field, label: leaf, value: x });
    } else if (isScalar(v)) {
      out.push({ key: field, label: field, value: v });
    } else if (Array.isArray(v)) {
      out.push({ key: field, label: field, value: v.map(String).join('; ') });
    }
  }
  return out;
}

export function cellTable(cells: readonly CellSummary[], axes: readonly string[]): { columns: TableColumn[]; rows: TableRow[] } {
  const columns: TableColumn[] = [{ key: 'cell', label: 'cell', numeric: false }];
  for (const a of axes) {
    const vs = cells.map((c) => c.params[a]).filter((v) => v !== undefined);
    if (vs.length === 0) continue;
    columns.push({ key: `axis:${a}`, label: a, numeric: vs.every((v) => typeof v === 'number'), axis: true });
  }
  const found = new Map<string, TableColumn>();
  const numeric = new Map<string, boolean>();
  const flat = cells.map(flatten);
  for (const fields of flat) {
    for (const f of fields) {
      const beside = SERVER_TTFT.exec(f.key);
      if (beside) Object.assign(f, { group: SERVER_TTFT_GROUP, label: beside[1] });
      if (!found.has(f.key)) found.set(f.key, { key: f.key, group: f.group, label: f.label, numeric: true });
      numeric.set(f.key, (numeric.get(f.key) ?? true) && typeof f.value === 'number');
    }
  }
  // A group's columns stay together (in leaf order) even when a later cell brings a new leaf.
  const placed = new Set<string>();
  for (const c of found.values()) {
    if (placed.has(c.key)) continue;
    const members = c.group ? [...found.values()].filter((m) => m.group === c.group) : [c];
    members.sort((a, b) => leafRank(a.label) - leafRank(b.label));
    if (c.group === 'ttft_ms') members.push(...[...found.values()].filter((m) => m.group === SERVER_TTFT_GROUP).sort((a, b) => leafRank(a.label) - leafRank(b.label)));
    for (const m of members) {
      columns.push({ ...m, numeric: numeric.get(m.key) ?? false });
      placed.add(m.key);
    }
  }
  const rows: TableRow[] = cells.map((c, i) => {
    const values: TableRow['values'] = { cell: c.cell };
    for (const a of axes) {
      const v = c.params[a];
      if (v !== undefined) values[`axis:${a}`] = isScalar(v) ? v : JSON.stringify(v);
    }
    for (const f of flat[i]) values[f.key] = f.value as Scalar;
    return { cell: c.cell, values, failed: c.threshold === 'fail' };
  });
  return { columns, rows };
}
