/**
 * One request, start to finish: build it with the provider, send it with the HTTP client,
 * read the body as it arrives, and time it. Every timestamp is performance.now() taken
 * when bytes arrive, before parsing. Failures come back as data (ExchangeResult with
 * `errorKind`), never as exceptions.
 */
import type { HttpClient, HttpResponse, Unreachable } from '../http/client.js';
import { backoffDelay, HttpFailure } from '../http/client.js';
import { createNdjsonParser } from '../providers/ndjson.js';
import { createSseParser } from '../providers/sse.js';
import { errorStatus } from '../providers/stream-error.js';
import type { StreamParser } from '../providers/stream-parser.js';
import type { BuildContext, Provider, ServerReport, StreamDelta, StreamEvent, Usage } from '../providers/types.js';
import type { ErrorKind } from '../records/types.js';
import type { Cell } from '../plan/types.js';
import type { BodyCache } from './body-cache.js';

/** What the runner remembers about an endpoint across requests. */
export interface EndpointMemory {
  /** False once the server rejected stream_options.include_usage. */
  askUsage: boolean;
}

export interface ExchangeResult {
  ok: boolean;
  httpStatus?: number;
  errorKind?: ErrorKind;
  /** Short error text, starting with its kind (see records/columns.ts). */
  error?: string;
  attempts: number;
  /** performance.now() when the final attempt was sent. */
  sentAt: number;
  /** Connection setup of the final attempt, ms: 0 on a reused connection, undefined when none was made. */
  connectMs?: number;
  /** performance.now() of the last content chunk (or the end of the body / the error). */
  endAt: number;
  /** performance.now() of the first chunk with non-empty content or reasoning (streams only). */
  firstTokenAt?: number;
  /**
   * Upper bound of how late the client itself stamped that chunk, ms: the loop was busy
   * while its bytes waited (http/arrivals.ts). Streams only.
   */
  firstTokenLateMs?: number;
  /** Gaps between consecutive content chunks, ms (streams only). */
  gaps: number[];
  /** The answer text (content), for checks, token estimates and saved responses. */
  text: string;
  /** Reasoning/thinking text the server sent apart from the content; '' when none. */
  reasoning: string;
  usage?: Usage;
  finishReason?: string;
  /** True when the response was streamed. */
  streamed: boolean;
  /** Set when no connection could be made at all (refused, unknown host, connect timeout). */
  unreachable?: Unreachable;
  serverTimings?: Record<string, number>;
  /** What the server reported about the request itself. */
  server?: ServerReport;
  /**
   * An error inside a 2xx answer before any content, by the HTTP status it stands for: the
   * exchange retries it like that status.
   */
  retryStatus?: number;
  /** Set when no request of the run can succeed (a request the provider cannot build): the run stops. */
  fatal?: string;
  /** Usage the server sent that cannot be true (`completion_tokens -3`), dropped: the tokenizer counts instead. */
  badUsage?: string;
}

export interface ExchangeInput {
  client: HttpClient;
  provider: Provider;
  ctx: Omit<BuildContext, 'askUsage'>;
  memory: EndpointMemory;
  signal?: AbortSignal;
  /**
   * Removes secrets from text the server sent back, before it is cut to a short error
   * message (a cut through a key would leave most of it); identity when undefined.
   */
  scrub?: (text: string) => string;
  /** Encoded bodies shared by the cell's requests (one per prompt); none kept when undefined. */
  bodies?: BodyCache;
}

const same = (text: string) => text;

/** Thrown inside the body reader to stop reading with a known error. */
class StopReading extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    /** The HTTP status an in-stream error before content stands for (retried like it). */
    readonly retryStatus?: number,
  ) {
    super(message);
  }
}

export async function exchange(input: ExchangeInput): Promise<ExchangeResult> {
  const retry = input.ctx.target.retry;
  let prior = 0;
  // Bounded: the usage fallback happens once (askUsage turns false), and every pass makes at
  // least one attempt more, with in-stream retries only while attempts <= retries.
  for (;;) {
    const askUsage = input.memory.askUsage;
    const result = await attempt(input, askUsage, prior);
    if (
      !result.ok &&
      result.errorKind === 'http' &&
      askUsage &&
      input.ctx.stream &&
      input.ctx.target.stream_usage &&
      result.rejectedUsage
    ) {
      // The server refuses stream_options: ask once more without it, and never again.
      input.memory.askUsage = false;
      prior = result.attempts;
      continue;
    }
    const status = result.retryStatus;
    if (status === undefined || !retry.on.includes(status) || result.attempts > retry.retries || input.signal?.aborted) {
      return result;
    }
    // An error event before any content in a 2xx answer: retried as its status would be.
    await pause(backoffDelay(result.attempts, undefined, retry), input.signal);
    prior = result.attempts;
  }
}

/** Waits `ms`, or less when `signal` aborts. */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

async function attempt(input: ExchangeInput, askUsage: boolean, priorAttempts: number): Promise<ExchangeResult & { rejectedUsage?: boolean }> {
  const { client, provider, signal } = input;
  const scrub = input.scrub ?? same;
  // Field by field, not `{ ...input.ctx, askUsage }`: a spread followed by more fields gives
  // every object a hidden class of its own in V8 (one per request, kept as long as the object).
  const { target, cell, prompt, stream } = input.ctx;
  const ctx: BuildContext = { target, cell, prompt, stream, askUsage };
  const built = provider.build(ctx);
  const req = input.bodies ? { url: built.url, headers: built.headers, body: input.bodies.encode(`${prompt.id}:${askUsage}`, built.body) } : built;
  let res: HttpResponse;
  try {
    res = await client.post(req, { signal, priorAttempts });
  } catch (e) {
    if (!(e instanceof HttpFailure)) throw e;
    const now = performance.now();
    if (e.kind === 'http' && e.status !== undefined) {
      const message = provider.errorMessage(e.status, scrub(e.bodyText ?? ''));
      const auth = e.status === 401 || e.status === 403;
      const failed: ExchangeResult & { rejectedUsage?: boolean } = emptyResult(e.attempts, e.sentAt, now, ctx.stream);
      failed.connectMs = e.connectMs;
      failed.httpStatus = e.status;
      failed.errorKind = auth ? 'auth' : 'http';
      failed.error = message;
      failed.rejectedUsage = provider.rejectsUsageOption?.(e.status, e.bodyText ?? '') ?? false;
      return failed;
    }
    const failed = emptyResult(e.attempts, e.sentAt, now, ctx.stream);
    failed.connectMs = e.connectMs;
    failed.errorKind = e.kind;
    failed.error = `${e.kind}: ${e.message}`;
    failed.unreachable = e.unreachable;
    return failed;
  }
  const contentType = res.headers['content-type'] ?? '';
  // Some servers ignore `stream: true` and answer with one JSON body; read it as such.
  const streamed = ctx.stream && provider.framing !== 'none' && !/application\/json/i.test(contentType);
  return streamed ? readStream(provider, res, ctx.cell, scrub) : readWhole(provider, res, ctx.cell, scrub);
}

/** Every ExchangeResult is created with all its fields, in one order: one hidden class for all. */
export function emptyResult(attempts: number, sentAt: number, endAt: number, streamed: boolean): ExchangeResult {
  return {
    ok: false,
    httpStatus: undefined,
    errorKind: undefined,
    error: undefined,
    attempts,
    sentAt,
    connectMs: undefined,
    endAt,
    firstTokenAt: undefined,
    firstTokenLateMs: undefined,
    gaps: [],
    text: '',
    reasoning: '',
    usage: undefined,
    finishReason: undefined,
    streamed,
    unreachable: undefined,
    serverTimings: undefined,
    server: undefined,
    retryStatus: undefined,
    fatal: undefined,
    badUsage: undefined,
  };
}

/**
 * Folds the deltas of one stream into its result as they arrive: the text, the first
 * token's time, the gaps between content chunks, usage, finish reason, the server's report.
 * Shared by every transport, so a chunk means the same over HTTP and gRPC.
 */
export class DeltaCollector {
  readonly parts: string[] = [];
  /** Reasoning text, kept apart from the content so checks read the answer alone; empty for most servers. */
  readonly thinking: string[] = [];
  /** performance.now() of the last chunk with content. */
  lastContentAt: number | undefined;
  /** The stream's end marker was seen. */
  done = false;
  constructor(private readonly result: ExchangeResult) {}

  /**
   * Adds a delta that arrived at `at`, stamped up to `late` ms after its bytes came in (the
   * loop was busy; undefined where the transport cannot tell); an error it carries is the caller's to handle.
   */
  add(d: StreamDelta, at: number, late?: number): void {
    const result = this.result;
    const reasoning = d.reasoning ?? '';
    const text = d.text ?? '';
    if (reasoning.length > 0) this.thinking.push(reasoning);
    if (text.length > 0) this.parts.push(text);
    if (reasoning.length + text.length > 0) {
      if (result.firstTokenAt === undefined) {
        result.firstTokenAt = at;
        result.firstTokenLateMs = late;
      } else if (this.lastContentAt !== undefined) result.gaps.push(at - this.lastContentAt);
      this.lastContentAt = at;
    }
    if (d.usage) result.usage = { ...result.usage, ...plausibleUsage(d.usage, result) };
    if (d.finishReason) result.finishReason = d.finishReason;
    if (d.serverTimings) result.serverTimings = { ...result.serverTimings, ...d.serverTimings };
    if (d.server) result.server = { ...result.server, ...d.server };
    if (d.done) this.done = true;
  }
}

async function readStream(provider: Provider, res: HttpResponse, cell: Cell, scrub: (text: string) => string): Promise<ExchangeResult> {
  const result = emptyResult(res.attempts, res.sentAt, res.sentAt, true);
  result.httpStatus = res.status;
  result.connectMs = res.connectMs;
  const collected = new DeltaCollector(result);
  let lastByteAt = res.sentAt;
  let chunkAt = 0;
  let chunkLate = 0;
  let failedAt: number | undefined;
  const decode = provider.streamDecoder(res.headers);
  const onDelta = (d: StreamDelta | undefined) => {
    if (!d) return;
    if (d.error !== undefined) {
      // After content the answer is half given: recorded as it is, never retried.
      throw new StopReading('stream', `stream error: ${scrub(d.error)}`, collected.parts.length + collected.thinking.length === 0 ? d.errorStatus : undefined);
    }
    const odd = notText(d);
    if (odd) throw new StopReading('parse', `parse: ${odd}`);
    collected.add(d, chunkAt, chunkLate);
  };
  const onEvent = (ev: StreamEvent) => {
    let d: StreamDelta | undefined;
    try {
      d = decode(ev);
    } catch (e) {
      throw new StopReading('parse', `parse: unreadable stream event: ${snippet(scrub(ev.data))} (${scrub((e as Error).message)})`);
    }
    onDelta(d);
  };
  const parser: StreamParser =
    provider.framing === 'ndjson' ? createNdjsonParser((line) => onEvent({ data: line })) : createSseParser(onEvent);
  let stop: StopReading | undefined;
  try {
    await res.consume((chunk, at, late) => {
      chunkAt = at;
      chunkLate = late;
      lastByteAt = at;
      try {
        parser.push(chunk);
      } catch (e) {
        if (e instanceof StopReading) {
          stop = e;
          throw new HttpFailure('aborted', e.message, 0, 0);
        }
        throw e;
      }
    });
    chunkAt = lastByteAt;
    parser.end();
  } catch (e) {
    // A failed request's latency runs to the failure (docs/metrics.md), not to its last byte.
    failedAt = performance.now();
    if (e instanceof StopReading) stop = e;
    else if (!stop) {
      const f = e as HttpFailure;
      result.errorKind = f.kind ?? 'network';
      result.error = `${result.errorKind}: ${f.message}`;
    }
  }
  result.text = collected.parts.join('');
  result.reasoning = collected.thinking.join('');
  result.endAt = failedAt ?? collected.lastContentAt ?? lastByteAt;
  if (stop) {
    result.errorKind = stop.kind;
    result.error = stop.message;
    result.retryStatus = stop.retryStatus;
    return result;
  }
  if (result.errorKind) return result;
  if (collected.parts.length === 0 && collected.thinking.length === 0 && !result.finishReason && cell.maxTokens !== 0) {
    result.endAt = lastByteAt;
    result.errorKind = 'empty';
    result.error = `empty response: the stream ${collected.done ? 'ended' : 'stopped'} with no content and no finish reason`;
    return result;
  }
  if (!collected.done && !result.finishReason) {
    result.endAt = lastByteAt;
    result.errorKind = 'parse';
    result.error = 'parse: stream ended before it was complete (no finish reason and no end marker)';
    return result;
  }
  result.ok = true;
  return result;
}

async function readWhole(provider: Provider, res: HttpResponse, cell: Cell, scrub: (text: string) => string): Promise<ExchangeResult> {
  const chunks: Buffer[] = [];
  let endAt = res.sentAt;
  const result = emptyResult(res.attempts, res.sentAt, endAt, false);
  result.httpStatus = res.status;
  result.connectMs = res.connectMs;
  try {
    await res.consume((chunk, at) => {
      chunks.push(chunk);
      endAt = at;
    });
  } catch (e) {
    const f = e as HttpFailure;
    result.endAt = performance.now();
    result.errorKind = f.kind ?? 'network';
    result.error = `${result.errorKind}: ${f.message}`;
    return result;
  }
  result.endAt = endAt;
  const text = Buffer.concat(chunks).toString('utf8');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    result.errorKind = 'parse';
    result.error = `parse: response is not JSON: ${snippet(scrub(text))}`;
    return result;
  }
  const errField = (body as { error?: unknown } | null)?.error;
  if (errField) {
    // A 2xx whose body is an error is retried like the status it names, as a stream's would be.
    result.errorKind = 'stream';
    result.error = `stream error: ${provider.errorMessage(res.status, scrub(text)).replace(/^HTTP \d+: /, '')}`;
    result.retryStatus = errorStatus(typeof errField === 'object' ? errField : body);
    return result;
  }
  try {
    const c = provider.parseResponse(body, res.headers);
    const odd = notText(c);
    if (odd) throw new Error(odd);
    result.text = c.text;
    result.reasoning = c.reasoning ?? '';
    result.usage = c.usage ? plausibleUsage(c.usage, result) : undefined;
    result.finishReason = c.finishReason;
    if (result.text === '' && result.reasoning === '' && !c.finishReason && cell.maxTokens !== 0) {
      result.errorKind = 'empty';
      result.error = 'empty response: the answer has no content and no finish reason';
      return result;
    }
    result.serverTimings = c.serverTimings;
    result.server = c.server;
    result.ok = true;
  } catch (e) {
    result.errorKind = 'parse';
    result.error = `parse: ${scrub((e as Error).message)}: ${snippet(scrub(text))}`;
  }
  return result;
}

/** More tokens than any one request can have: a count above it is a broken server, not a workload. */
const MAX_PLAUSIBLE_TOKENS = 1e9;

/**
 * The usage fields that can be true (whole numbers from 0 to a billion); the others are
 * dropped, so the tokenizer counts instead, and noted in `into.badUsage` for a warning.
 */
function plausibleUsage(u: Usage, into: ExchangeResult): Usage {
  const out: Usage = {};
  for (const key of ['prompt_tokens', 'completion_tokens', 'total_tokens'] as const) {
    const v: unknown = u[key];
    if (v === undefined || v === null) continue;
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_PLAUSIBLE_TOKENS) out[key] = v;
    else into.badUsage ??= `${key} ${String(v)}`;
  }
  // A total without the parts it adds up cannot be checked; without them it is dropped too.
  if (into.badUsage) delete out.total_tokens;
  return out;
}

/** Why a decoded answer's text fields are not text (an object as content), or undefined. */
function notText(d: { text?: unknown; reasoning?: unknown; finishReason?: unknown }): string | undefined {
  if (d.text !== undefined && d.text !== null && typeof d.text !== 'string') return `content is not text: ${snippet(JSON.stringify(d.text) ?? '')}`;
  if (d.reasoning !== undefined && d.reasoning !== null && typeof d.reasoning !== 'string') return `reasoning is not text: ${snippet(JSON.stringify(d.reasoning) ?? '')}`;
  if (d.finishReason !== undefined && d.finishReason !== null && typeof d.finishReason !== 'string') {
    return `finish_reason is not text: ${snippet(JSON.stringify(d.finishReason) ?? '')}`;
  }
  return undefined;
}

function snippet(s: string): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  return JSON.stringify(flat.length > 80 ? `${flat.slice(0, 77)}...` : flat);
}
