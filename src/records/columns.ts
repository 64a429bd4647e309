/**
 * requests.csv, column by column (DESIGN.md section 3). The same table drives writing and
 * reading back, so the two cannot drift apart.
 */
import type { ErrorKind, RequestRecord, TokensSource } from './types.js';

export const LEADING = ['cell'] as const;
export const TRAILING = [
  'prompt_id',
  'repeat',
  'started_at',
  'status',
  'http_status',
  'error',
  'attempts',
  'queue_ms',
  'latency_ms',
  'ttft_ms',
  'tpot_ms',
  'itl_p50_ms',
  'prompt_tokens',
  'completion_tokens',
  'total_tokens',
  'tokens_source',
  'output_tokens_per_s',
  'finish_reason',
  'connect_ms',
  'server_queue_ms',
  'server_prefill_ms',
  'server_decode_ms',
  'server_total_ms',
  'cached_tokens',
] as const;

export const ERROR_KINDS: readonly ErrorKind[] = ['http', 'timeout', 'network', 'parse', 'stream', 'aborted', 'auth'];

export function requestColumns(axes: readonly string[]): string[] {
  return [...LEADING, ...axes, ...TRAILING];
}

/** A matrix value as a CSV cell: scalars as they are, lists and maps as JSON. */
export function axisCell(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** Reads a matrix value back: numbers, booleans and JSON come back typed. */
export function parseAxisCell(s: string): unknown {
  if (s === '') return undefined;
  if (s === 'true') return true;
  if (s === 'false') return false;
  if (/^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(s)) return Number(s);
  if (/^[[{]/.test(s)) {
    try {
      return JSON.parse(s);
    } catch {
      return s;
    }
  }
  return s;
}

function numCell(v: number | undefined): string {
  return v === undefined || !Number.isFinite(v) ? '' : String(v);
}

export function recordToRow(r: RequestRecord, axes: readonly string[]): string[] {
  return [
    r.cell,
    ...axes.map((a) => axisCell(r.params[a])),
    String(r.prompt_id),
    String(r.repeat),
    r.started_at,
    r.status,
    numCell(r.http_status),
    r.error ?? '',
    String(r.attempts),
    numCell(r.queue_ms),
    numCell(r.latency_ms),
    numCell(r.ttft_ms),
    numCell(r.tpot_ms),
    numCell(r.itl_p50_ms),
    numCell(r.prompt_tokens),
    numCell(r.completion_tokens),
    numCell(r.total_tokens),
    r.tokens_source ?? '',
    numCell(r.output_tokens_per_s),
    r.finish_reason ?? '',
    numCell(r.connect_ms),
    numCell(r.server_queue_ms),
    numCell(r.server_prefill_ms),
    numCell(r.server_decode_ms),
    numCell(r.server_total_ms),
    numCell(r.cached_tokens),
  ];
}

/** Parses one requests.csv row (as a column->text map); undefined if it is not a full row. */
export function rowToRecord(row: Record<string, string>, axes: readonly string[]): RequestRecord | undefined {
  for (const c of ['cell', 'prompt_id', 'repeat', 'status', 'finish_reason']) if (!(c in row)) return undefined;
  if (row.status !== 'ok' && row.status !== 'error') return undefined;
  const num = (c: string): number | undefined => {
    const s = row[c];
    if (s === undefined || s === '') return undefined;
    const n = Number(s);
    return Number.isFinite(n) ? n : undefined;
  };
  const params: Record<string, unknown> = {};
  for (const a of axes) {
    const v = parseAxisCell(row[a] ?? '');
    if (v !== undefined) params[a] = v;
  }
  const error = row.error || undefined;
  const rec: RequestRecord = {
    cell: row.cell,
    params,
    prompt_id: num('prompt_id') ?? 0,
    repeat: num('repeat') ?? 0,
    started_at: row.started_at,
    status: row.status,
    http_status: num('http_status'),
    error,
    error_kind: row.status === 'error' ? errorKindOf(error, num('http_status')) : undefined,
    attempts: num('attempts') ?? 1,
    queue_ms: num('queue_ms'),
    latency_ms: num('latency_ms'),
    ttft_ms: num('ttft_ms'),
    tpot_ms: num('tpot_ms'),
    itl_p50_ms: num('itl_p50_ms'),
    prompt_tokens: num('prompt_tokens'),
    completion_tokens: num('completion_tokens'),
    total_tokens: num('total_tokens'),
    tokens_source: (row.tokens_source || undefined) as TokensSource | undefined,
    output_tokens_per_s: num('output_tokens_per_s'),
    finish_reason: row.finish_reason || undefined,
    // Absent from files written before these columns existed: read as missing.
    connect_ms: num('connect_ms'),
    server_queue_ms: num('server_queue_ms'),
    server_prefill_ms: num('server_prefill_ms'),
    server_decode_ms: num('server_decode_ms'),
    server_total_ms: num('server_total_ms'),
    cached_tokens: num('cached_tokens'),
  };
  return rec;
}

/**
 * Error texts start with their kind ("timeout: ...", "stream error: ..."), except HTTP
 * errors ("HTTP 503: ...").
 */
export function errorKindOf(error: string | undefined, status: number | undefined): ErrorKind {
  const prefix = error?.split(/[: ]/, 1)[0] as ErrorKind | undefined;
  if (prefix && ERROR_KINDS.includes(prefix)) return prefix;
  if (status !== undefined && status >= 400) return status === 401 || status === 403 ? 'auth' : 'http';
  return 'network';
}

