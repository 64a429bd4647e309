/**
 * A raw HTTP client for simulator tests: it stamps every SSE event with its arrival time (ms
 * after the request was sent) and records socket errors instead of throwing, so tests can
 * pin timing, wire format and faults exactly.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';

export interface SseEvent {
  /** The text after `data: `. */
  data: string;
  /** ms after the request was sent. */
  at: number;
}

export interface Exchange {
  status?: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  events: SseEvent[];
  /** The socket/response error, if the exchange ended with one. */
  error?: NodeJS.ErrnoException;
  /** True when the response went silent for `idleMs` and the client gave up. */
  idle: boolean;
}

export interface PostOptions {
  headers?: Record<string, string>;
  /** Give up (idle = true) when no byte arrives for this long, ms. */
  idleMs?: number;
  /** Called for every SSE event as it arrives. */
  onEvent?: (e: SseEvent, req: http.ClientRequest) => void;
}

export function post(url: string, body: unknown, opts: PostOptions = {}): Promise<Exchange> {
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve) => {
    const ex: Exchange = { headers: {}, body: '', events: [], idle: false };
    let t0 = 0;
    let pending = '';
    let idleTimer: NodeJS.Timeout | undefined;
    let settled = false;
    const finish = (error?: NodeJS.ErrnoException): void => {
      if (settled) return;
      settled = true;
      clearTimeout(idleTimer);
      if (error) ex.error = error;
      resolve(ex);
    };
    const armIdle = (): void => {
      if (opts.idleMs === undefined) return;
      clearTimeout(idleTimer);
      idleTimer = setTimeout(() => {
        ex.idle = true;
        req.destroy();
        finish();
      }, opts.idleMs);
    };
    const req = http.request(
      url,
      { method: 'POST', agent: false, headers: { 'content-type': 'application/json', ...opts.headers } },
      (res) => {
        ex.status = res.statusCode;
        ex.headers = res.headers;
        armIdle();
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const at = performance.now() - t0;
          armIdle();
          ex.body += chunk;
          pending += chunk;
          let cut: number;
          while ((cut = pending.indexOf('\n\n')) >= 0) {
            const block = pending.slice(0, cut);
            pending = pending.slice(cut + 2);
            for (const line of block.split('\n')) {
              if (!line.startsWith('data: ')) continue;
              const e = { data: line.slice(6), at };
              ex.events.push(e);
              opts.onEvent?.(e, req);
            }
          }
        });
        res.on('end', () => finish());
        res.on('error', (e) => finish(e));
        res.on('aborted', () => finish(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })));
      },
    );
    req.on('error', (e) => finish(e));
    armIdle();
    t0 = performance.now();
    req.end(payload);
  });
}

/** Parsed JSON of every event but [DONE]. */
export function chunks(ex: Exchange): Array<Record<string, any>> {
  return ex.events.filter((e) => e.data !== '[DONE]').map((e) => JSON.parse(e.data) as Record<string, any>);
}

/** The events that carry non-empty text (chat delta.content or completions text). */
export function contentEvents(ex: Exchange): SseEvent[] {
  return ex.events.filter((e) => {
    if (e.data === '[DONE]') return false;
    const choice = (JSON.parse(e.data) as { choices: Array<{ delta?: { content?: string }; text?: string }> }).choices[0];
    return Boolean(choice?.delta?.content || choice?.text);
  });
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Mean gap from the first to the last event, ms: unlike single gaps, immune to reads that coalesce chunks. */
export function meanGap(events: SseEvent[]): number {
  return (events[events.length - 1].at - events[0].at) / (events.length - 1);
}

export const chatBody = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  model: 'sim-7b',
  messages: [{ role: 'user', content: 'Explain the KV cache in one paragraph.' }],
  ...extra,
});
