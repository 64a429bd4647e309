/**
 * What a cell's summary needs from each request, kept column by column in typed arrays:
 * about 150 bytes a request instead of a RequestRecord object (several hundred bytes with
 * its strings and boxed numbers), so a cell of 100,000 requests keeps its exact
 * percentiles in a few MB. A missing number is NaN. Rows are written to requests.csv as
 * they end; these columns are all the runner keeps.
 */
import type { RequestRecord } from '../records/types.js';
import type { Slo } from './summary.js';

/**
 * What failed requests are grouped by: the HTTP status when the server refused ("HTTP
 * 503"), else the kind ("timeout"), with the status when one came first ("stream (after
 * HTTP 200)").
 */
export function errorKey(r: Pick<RequestRecord, 'http_status' | 'error_kind'>): string {
  const kind = r.error_kind ?? 'error';
  const status = r.http_status;
  if (status !== undefined && status >= 400) return `HTTP ${status}`;
  return status !== undefined ? `${kind} (after HTTP ${status})` : kind;
}

/** The failed requests of one group. */
export interface ErrorTally {
  /** See `errorKey`. */
  key: string;
  kind: string;
  http_status?: number;
  count: number;
  /** The first one's error text, as written to requests.csv (secrets scrubbed). */
  example: string;
}

const num = (v: number | undefined): number => (v === undefined ? NaN : v);

export class CellColumns {
  length = 0;
  /** Requests that succeeded. */
  okCount = 0;
  /** True once any request had a queue_ms (open loop). */
  anyQueue = false;
  /** 1 = ok. */
  ok = new Uint8Array(0);
  /** 1 = tokens_source estimate. */
  estimate = new Uint8Array(0);
  /** Wall-clock ms of the send (Date.parse(started_at)). */
  startMs = new Float64Array(0);
  latency = new Float64Array(0);
  ttft = new Float64Array(0);
  tpot = new Float64Array(0);
  itl = new Float64Array(0);
  promptTokens = new Float64Array(0);
  completionTokens = new Float64Array(0);
  queue = new Float64Array(0);
  connect = new Float64Array(0);
  serverQueue = new Float64Array(0);
  serverPrefill = new Float64Array(0);
  serverDecode = new Float64Array(0);
  serverTotal = new Float64Array(0);
  cachedTokens = new Float64Array(0);
  /** Checks passed and run per request (NaN: not checked), and its cost (NaN: none). */
  checksPassed = new Float64Array(0);
  checksTotal = new Float64Array(0);
  cost = new Float64Array(0);
  /** True once any request was checked / had a cost. */
  anyChecks = false;
  anyCost = false;
  /** 0-based round of each request (`repeat_cells`). */
  round = new Uint32Array(0);
  /** Highest round seen. */
  maxRound = 0;
  /** Workloads: prompt and output tokens asked for; conversations: the turn (NaN elsewhere). */
  inputRequested = new Float64Array(0);
  outputRequested = new Float64Array(0);
  turn = new Float64Array(0);
  /** True once any request had a workload's requested lengths, or a turn. */
  anyRequested = false;
  anyTurn = false;
  /** True once any request had a server-reported value. */
  anyServer = false;
  /** Failed requests by errorKey, in order of first appearance. */
  readonly errors = new Map<string, ErrorTally>();

  static from(records: Iterable<RequestRecord>): CellColumns {
    const c = new CellColumns();
    for (const r of records) c.push(r);
    return c;
  }

  push(r: RequestRecord): void {
    const i = this.length;
    if (i === this.ok.length) this.grow(Math.max(64, i * 2));
    const isOk = r.status === 'ok';
    this.ok[i] = isOk ? 1 : 0;
    this.estimate[i] = r.tokens_source === 'estimate' ? 1 : 0;
    this.startMs[i] = Date.parse(r.started_at);
    this.latency[i] = num(r.latency_ms);
    this.ttft[i] = num(r.ttft_ms);
    this.tpot[i] = num(r.tpot_ms);
    this.itl[i] = num(r.itl_p50_ms);
    this.promptTokens[i] = num(r.prompt_tokens);
    this.completionTokens[i] = num(r.completion_tokens);
    this.queue[i] = num(r.queue_ms);
    if (r.queue_ms !== undefined) this.anyQueue = true;
    this.connect[i] = num(r.connect_ms);
    this.serverQueue[i] = num(r.server_queue_ms);
    this.serverPrefill[i] = num(r.server_prefill_ms);
    this.serverDecode[i] = num(r.server_decode_ms);
    this.serverTotal[i] = num(r.server_total_ms);
    this.cachedTokens[i] = num(r.cached_tokens);
    this.checksPassed[i] = num(r.checks_passed);
    this.checksTotal[i] = num(r.checks_total);
    this.cost[i] = num(r.cost);
    if (r.checks_total !== undefined) this.anyChecks = true;
    if (r.cost !== undefined) this.anyCost = true;
    const round = r.round ?? 0;
    this.round[i] = round;
    if (round > this.maxRound) this.maxRound = round;
    this.inputRequested[i] = num(r.input_tokens_requested);
    this.outputRequested[i] = num(r.output_tokens_requested);
    this.turn[i] = num(r.turn);
    if (r.input_tokens_requested !== undefined || r.output_tokens_requested !== undefined) this.anyRequested = true;
    if (r.turn !== undefined) this.anyTurn = true;
    if (
      r.server_queue_ms !== undefined ||
      r.server_prefill_ms !== undefined ||
      r.server_decode_ms !== undefined ||
      r.server_total_ms !== undefined ||
      r.cached_tokens !== undefined
    ) {
      this.anyServer = true;
    }
    if (isOk) this.okCount++;
    else {
      const key = errorKey(r);
      const tally = this.errors.get(key);
      if (tally) tally.count++;
      else this.errors.set(key, { key, kind: r.error_kind ?? 'error', http_status: r.http_status, count: 1, example: r.error ?? '' });
    }
    this.length = i + 1;
  }

  private grow(cap: number): void {
    const bytes = (a: Uint8Array) => {
      const b = new Uint8Array(cap);
      b.set(a);
      return b;
    };
    const floats = (a: Float64Array) => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    this.ok = bytes(this.ok);
    this.estimate = bytes(this.estimate);
    this.startMs = floats(this.startMs);
    this.latency = floats(this.latency);
    this.ttft = floats(this.ttft);
    this.tpot = floats(this.tpot);
    this.itl = floats(this.itl);
    this.promptTokens = floats(this.promptTokens);
    this.completionTokens = floats(this.completionTokens);
    this.queue = floats(this.queue);
    this.connect = floats(this.connect);
    this.serverQueue = floats(this.serverQueue);
    this.serverPrefill = floats(this.serverPrefill);
    this.serverDecode = floats(this.serverDecode);
    this.serverTotal = floats(this.serverTotal);
    this.cachedTokens = floats(this.cachedTokens);
    this.checksPassed = floats(this.checksPassed);
    this.checksTotal = floats(this.checksTotal);
    this.cost = floats(this.cost);
    const rounds = new Uint32Array(cap);
    rounds.set(this.round);
    this.round = rounds;
    this.inputRequested = floats(this.inputRequested);
    this.outputRequested = floats(this.outputRequested);
    this.turn = floats(this.turn);
  }

  /**
   * Did request i succeed and meet every given SLO? A missing value (NaN) misses its
   * objective, except TPOT and ITL: a one-token answer has neither and cannot miss them.
   */
  meetsSlo(i: number, slo: Slo): boolean {
    const within = (v: number, limit: number | undefined) => limit === undefined || v <= limit;
    const optional = (v: number, limit: number | undefined) => limit === undefined || Number.isNaN(v) || v <= limit;
    return (
      this.ok[i] === 1 &&
      within(this.ttft[i], slo.ttft_ms) &&
      optional(this.tpot[i], slo.tpot_ms) &&
      within(this.latency[i], slo.latency_ms) &&
      optional(this.itl[i], slo.itl_ms)
    );
  }

  /** The values of `column` at successful requests (NaN where missing). */
  okValues(column: Float64Array): Float64Array {
    const out = new Float64Array(this.okCount);
    let j = 0;
    for (let i = 0; i < this.length; i++) if (this.ok[i] === 1) out[j++] = column[i];
    return out;
  }
}
