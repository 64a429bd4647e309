/**
 * requests.csv, column by column (DESIGN.md section 3): one table of `{ name, get, parse,
 * doc }` that writes the header and every row, reads rows back, and documents the columns
 * (docs/metrics.md, the JSON Schema of the result). A column added here is written, read
 * and documented at once. summary.csv has its own table built the same way
 * (results/summary-csv.ts).
 */
import type { ErrorKind, RequestRecord, TokensSource } from './types.js';

/** One CSV column of rows of type T. */
export interface Column<T> {
  /** Header text. */
  name: string;
  /** What the column holds, with its unit; the docs and the JSON Schema show it. */
  doc: string;
  /** JSON type of the value (empty cells aside), for the JSON Schema. */
  type: 'integer' | 'number' | 'string' | 'boolean' | 'any';
  /** The allowed texts, when the column is an enumeration. */
  values?: readonly string[];
  /** The cell text of a row. */
  get(row: T): string;
  /** Reads the cell text back into the row being built. */
  parse(text: string, row: T): void;
}

/** Columns in file order, and how to turn rows into lines and lines into rows. */
export interface CsvTable<T> {
  columns: readonly Column<T>[];
  header(): string[];
  row(r: T): string[];
  /**
   * A reader for the lines of a file with this `header` (its first line, names in any
   * order): columns this version does not know are skipped, missing ones stay empty.
   */
  reader(header: readonly string[]): (fields: readonly string[]) => T;
}

export function csvTable<T>(columns: readonly Column<T>[], blank: () => T): CsvTable<T> {
  return {
    columns,
    header: () => columns.map((c) => c.name),
    row: (r) => columns.map((c) => c.get(r)),
    reader(header) {
      const byName = new Map(columns.map((c) => [c.name, c]));
      const at = header.map((h) => byName.get(h));
      return (fields) => {
        const r = blank();
        for (let i = 0; i < at.length; i++) at[i]?.parse(fields[i] ?? '', r);
        return r;
      };
    },
  };
}

/** The columns as a markdown table (docs/metrics.md shows these, a test keeps them equal). */
export function columnsMarkdown(columns: readonly Column<never>[]): string {
  const rows = columns.map((c) => `| \`${c.name}\` | ${c.doc.replace(/\|/g, '\\|')} |`);
  return ['| column | definition |', '| --- | --- |', ...rows].join('\n');
}

/** A number as a CSV cell: plain digits, empty when absent. */
export function numberCell(v: number | undefined): string {
  return v === undefined || !Number.isFinite(v) ? '' : String(v);
}

/** A CSV cell back to a number; undefined when empty or not a number. */
export function parseNumberCell(s: string): number | undefined {
  if (s === '') return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

/** A matrix value as text (CSV cells, labels, join keys): scalars as they are, lists and maps as JSON. */
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

/** The column of one matrix axis, between `cell` and the fixed columns. */
export function axisColumn<T extends { params: Record<string, unknown> }>(name: string): Column<T> {
  return {
    name,
    doc: `matrix value of ${name}`,
    type: 'any',
    get: (r) => axisCell(r.params[name]),
    parse: (s, r) => {
      const v = parseAxisCell(s);
      if (v !== undefined) r.params[name] = v;
    },
  };
}

type NumberKey = { [K in keyof RequestRecord]-?: RequestRecord[K] extends number | undefined ? K : never }[keyof RequestRecord];
type TextKey = 'error' | 'finish_reason';

function numeric(name: NumberKey, doc: string, type: 'integer' | 'number' = 'number', empty?: number): Column<RequestRecord> {
  return {
    name,
    doc,
    type,
    get: (r) => numberCell(r[name]),
    parse: (s, r) => {
      r[name] = (parseNumberCell(s) ?? empty) as never;
    },
  };
}

function text(name: TextKey, doc: string): Column<RequestRecord> {
  return { name, doc, type: 'string', get: (r) => r[name] ?? '', parse: (s, r) => (r[name] = s || undefined) };
}

export const ERROR_KINDS: readonly ErrorKind[] = ['http', 'timeout', 'network', 'parse', 'stream', 'aborted', 'auth', 'empty'];
const STATUSES = ['ok', 'error'] as const;
const TOKEN_SOURCES: readonly TokensSource[] = ['usage', 'estimate'];

const CELL: Column<RequestRecord> = {
  name: 'cell',
  doc: 'cell id: the matrix values, abbreviated (see docs/spec.md)',
  type: 'string',
  get: (r) => r.cell,
  parse: (s, r) => (r.cell = s),
};

/** The columns after the matrix axes, in file order. Columns added later go at the end. */
export const REQUEST_COLUMNS: readonly Column<RequestRecord>[] = [
  numeric('prompt_id', '0-based index into the prompt list: request i of a cell uses prompt i mod P', 'integer', 0),
  numeric('repeat', '0-based: how many times this prompt was sent before in this cell, over all rounds (floor(i / P))', 'integer', 0),
  {
    name: 'started_at',
    doc: "wall-clock time of the final attempt's send, ISO 8601 (the only wall-clock time; durations are monotonic)",
    type: 'string',
    get: (r) => r.started_at,
    parse: (s, r) => (r.started_at = s),
  },
  {
    name: 'status',
    doc: '`ok`, or `error` when the request failed (the row still counts)',
    type: 'string',
    values: STATUSES,
    get: (r) => r.status,
    parse: (s, r) => (r.status = s as RequestRecord['status']),
  },
  numeric('http_status', 'final HTTP status; empty when no response arrived', 'integer'),
  text('error', 'short error text, starting with its kind (`timeout`, `network`, `parse`, `stream`, `empty`, `aborted`: `timeout: ...`) or `HTTP <status>: ...`; `empty response` is an answer with no content and no finish reason; empty when ok'),
  numeric('attempts', 'HTTP attempts made (1 = no retry), the `stream_options` fallback and retries of an error event before content included. A request re-sent after the keep-alive race (see *Connections*) is not an attempt.', 'integer', 1),
  numeric(
    'queue_ms',
    'open loop (`rate`): scheduled arrival time → send, ms. It grows when the `concurrency` cap or a busy client holds a request back. Empty in closed loop.',
  ),
  numeric(
    'latency_ms',
    'send → arrival of the **last content chunk**, ms. The trailing usage-only chunk, the finish chunk without text and `data: [DONE]` are excluded, so servers that send usage late are not penalised. Non-streamed: send → end of body. Errors: send → the failure.',
  ),
  numeric(
    'ttft_ms',
    'send → arrival of the **first chunk carrying non-empty `content` or reasoning text** (`reasoning_content`, Anthropic `thinking_delta`), ms. A role-only chunk or an empty `content: ""` does not count. Streams only; empty for non-streamed requests. Also set on a stream that failed after content arrived.',
  ),
  numeric('tpot_ms', '`(latency_ms − ttft_ms) / (completion_tokens − 1)`: time per output token after the first, ms. Empty when there is one token or fewer.'),
  numeric(
    'itl_p50_ms',
    'median of the gaps between consecutive content chunks of this request, ms. A chunk carrying several tokens is one gap (servers that batch tokens per chunk show larger gaps and fewer of them).',
  ),
  numeric('prompt_tokens', "prompt tokens: the server's `usage`, else counted (see `tokens_source`)", 'integer'),
  numeric('completion_tokens', "output tokens: the server's `usage`, else counted (see `tokens_source`); never taken from `max_tokens`", 'integer'),
  numeric('total_tokens', "`usage.total_tokens`, else prompt + completion tokens", 'integer'),
  {
    name: 'tokens_source',
    doc: "`usage` (the server's; streams ask for it with `stream_options.include_usage`, dropped once for servers that reject the field) or `estimate` (counted with the `o200k_base` tokenizer; also when the server's counts cannot be true: negative, fractional or above 10^9, which a warning reports)",
    type: 'string',
    values: TOKEN_SOURCES,
    get: (r) => r.tokens_source ?? '',
    parse: (s, r) => (r.tokens_source = (s || undefined) as TokensSource | undefined),
  },
  numeric('output_tokens_per_s', '`completion_tokens / latency_ms × 1000` for this request'),
  text('finish_reason', "the server's finish reason (`stop`, `length`, ...); empty on errors"),
  // Issue 11: the connection, and what the server itself reported (absent from older files: read as empty).
  numeric('connect_ms', 'connection setup of the final attempt: DNS lookup, TCP connect and TLS handshake, from opening the connection to connected. `0` when a pooled keep-alive connection was reused; empty when no connection was made, or for a transport that is not HTTP. Not part of `ttft_ms` or `latency_ms`, which start once the request is written to a connected socket.'),
  numeric('server_queue_ms', 'what the server says the request waited before it started on the prompt: TGI\'s `x-queue-time`, Ollama\'s `load_duration` (loading the model; about 0 once loaded). Empty when the server does not say.'),
  numeric('server_prefill_ms', 'the server\'s own time for the prompt (prefill): llama.cpp\'s `timings.prompt_ms`, Ollama\'s `prompt_eval_duration`.'),
  numeric('server_decode_ms', 'the server\'s own time generating tokens (decode): llama.cpp\'s `timings.predicted_ms`, Ollama\'s `eval_duration`.'),
  numeric('server_total_ms', 'the server\'s own time for the whole request: TGI\'s `x-total-time` (validation + queue + inference), Ollama\'s `total_duration`.'),
  numeric('cached_tokens', 'prompt tokens the server took from its prefix cache: `usage.prompt_tokens_details.cached_tokens` (OpenAI, vLLM, SGLang, llama.cpp), llama.cpp\'s `timings.cache_n`, Anthropic\'s `cache_read_input_tokens`.', 'integer'),
  // Issue 20: quality checks and cost (empty without checks: / pricing:).
  numeric('checks_passed', 'with `checks:` in the spec: how many of the checks this answer passed (docs/checks.md); empty for a failed request, which has no answer', 'integer'),
  numeric('checks_total', 'with `checks:`: how many checks ran on this answer', 'integer'),
  numeric(
    'cost',
    'with `pricing:`: this request\'s cost in the pricing currency, `((prompt_tokens − cached_tokens) × input + cached_tokens × cached_input + completion_tokens × output) / 10⁶` (docs/cost.md). An estimate when `tokens_source` is `estimate`; empty for a failed request (no token counts)',
  ),
  // Issue 17: a capacity search runs its steps as cells (docs/search.md).
  numeric('search_step', 'the capacity search step this request belongs to: the 0-based order of its cell in the search of the cell it was searched for (`search:` in the spec); empty outside a search', 'integer'),
  // Issue 18: rounds of the grid (repeat_cells); absent from older files: read as 0.
  {
    ...numeric('round', '0-based round of the grid (`repeat_cells`): every cell runs its requests once per round, the rounds one after another. 0 in a one-round run.', 'integer', 0),
    get: (r) => String(r.round ?? 0),
  },
  // Issue 16: workloads (docs/workloads.md); empty for a list of prompts.
  numeric('input_tokens_requested', 'workloads: prompt tokens the workload wrote for this request, counted with the spec\'s `tokenizer` (a prefix included; a conversation turn: the earlier turns as written and their answers as the server counted them, plus the new message). Compare with `prompt_tokens`, the server\'s count.', 'integer'),
  numeric('output_tokens_requested', 'workloads: output tokens asked for (`max_tokens`, with `ignore_eos`/`min_tokens` where the server has them, see docs/workloads.md).', 'integer'),
  numeric('session', 'conversations: 0-based session of the cell (the same as `prompt_id`)', 'integer'),
  numeric('turn', 'conversations: 0-based turn within the session (the same as `repeat`); turn t carries every earlier turn and answer', 'integer'),
];

/** Every field, in one order: one hidden class for every record read back. */
function blankRecord(): RequestRecord {
  return {
    cell: '',
    params: {},
    prompt_id: 0,
    repeat: 0,
    started_at: '',
    status: '' as RequestRecord['status'],
    http_status: undefined,
    error: undefined,
    error_kind: undefined,
    attempts: 1,
    queue_ms: undefined,
    latency_ms: undefined,
    ttft_ms: undefined,
    tpot_ms: undefined,
    itl_p50_ms: undefined,
    prompt_tokens: undefined,
    completion_tokens: undefined,
    total_tokens: undefined,
    tokens_source: undefined,
    output_tokens_per_s: undefined,
    finish_reason: undefined,
    connect_ms: undefined,
    server_queue_ms: undefined,
    server_prefill_ms: undefined,
    server_decode_ms: undefined,
    server_total_ms: undefined,
    cached_tokens: undefined,
    checks_passed: undefined,
    checks_total: undefined,
    cost: undefined,
    search_step: undefined,
    round: 0,
    input_tokens_requested: undefined,
    output_tokens_requested: undefined,
    session: undefined,
    turn: undefined,
    timing: undefined,
  };
}

/** requests.csv's table for a plan with these axes: `cell`, one column per axis, the rest. */
export function requestTable(axes: readonly string[]): CsvTable<RequestRecord> {
  return csvTable([CELL, ...axes.map((a) => axisColumn<RequestRecord>(a)), ...REQUEST_COLUMNS], blankRecord);
}

/** The axes of a requests.csv header (between `cell` and `prompt_id`); undefined when it is not one of ours. */
export function requestAxes(header: readonly string[]): string[] | undefined {
  const end = header.indexOf(REQUEST_COLUMNS[0].name);
  return header[0] === CELL.name && end > 0 ? header.slice(1, end) : undefined;
}

/**
 * A reader of requests.csv lines under `header`: undefined for a line that is not a whole
 * row (a torn write), so callers can count and skip it.
 */
export function requestReader(header: readonly string[]): (fields: readonly string[]) => RequestRecord | undefined {
  const read = requestTable(requestAxes(header) ?? []).reader(header);
  return (fields) => {
    if (fields.length !== header.length) return undefined;
    const r = read(fields);
    if (r.status !== 'ok' && r.status !== 'error') return undefined;
    if (r.status === 'error') r.error_kind = errorKindOf(r.error, r.http_status);
    return r;
  };
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
