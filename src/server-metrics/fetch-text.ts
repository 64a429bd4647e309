/**
 * One GET of a metrics URL with a hard time limit, on node:http (a third of fetch's CPU per
 * scrape: the scraper shares the event loop that times the requests). Its own keep-alive
 * agents, apart from the benchmark's, so a scrape never takes a socket a request wanted.
 * User info in the URL (`http://user:pass@host/metrics`) becomes a Basic Authorization
 * header; failures come back as short reasons that never quote the URL. Redirects are not
 * followed.
 */
import http from 'node:http';
import https from 'node:https';

const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 4 });
const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 4 });

export interface FetchTextOptions {
  /** Whole exchange, headers and body, ms. */
  timeoutMs: number;
  /** Longest body accepted, bytes. */
  maxBytes?: number;
  headers?: Readonly<Record<string, string>>;
  /** Aborting it ends the fetch at once with `aborted`. */
  signal?: AbortSignal;
}

export type FetchTextResult =
  | { ok: true; status: number; contentType: string; text: string }
  | { ok: false; aborted: boolean; error: string };

const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;

/** Prometheus text first; OpenMetrics text parses as well (its extra lines are comments). */
const ACCEPT = 'text/plain;version=0.0.4;q=1,application/openmetrics-text;q=0.5,*/*;q=0.1';

export async function fetchText(url: string, opts: FetchTextOptions): Promise<FetchTextResult> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return { ok: false, aborted: false, error: 'not a valid URL' };
  }
  const headers: Record<string, string> = { accept: ACCEPT, ...opts.headers };
  if (target.username || target.password) {
    const user = decodeURIComponent(target.username);
    const pass = decodeURIComponent(target.password);
    headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    target.username = '';
    target.password = '';
  }
  const controller = new AbortController();
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const onAbort = () => controller.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (opts.signal?.aborted) controller.abort();
  // The timer settles the result itself: a body that trickles or a socket that ignores the
  // abort still cannot hold the caller past the limit.
  const deadline = new Promise<FetchTextResult>((resolve) => {
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
      resolve({ ok: false, aborted: false, error: `timeout after ${opts.timeoutMs} ms` });
    }, opts.timeoutMs);
  });
  const work = exchange(target, headers, controller.signal, opts.maxBytes ?? DEFAULT_MAX_BYTES).catch(
    (e: unknown): FetchTextResult => ({
      ok: false,
      aborted: controller.signal.aborted && !timedOut,
      error: controller.signal.aborted ? (timedOut ? `timeout after ${opts.timeoutMs} ms` : 'aborted') : reason(e),
    }),
  );
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

function exchange(url: URL, headers: Record<string, string>, signal: AbortSignal, maxBytes: number): Promise<FetchTextResult> {
  return new Promise((resolve, reject) => {
    const get = url.protocol === 'https:' ? https.get : http.get;
    const req = get(url, { headers, signal, agent: url.protocol === 'https:' ? httpsAgent : httpAgent }, (res) => {
      const status = res.statusCode ?? 0;
      const contentType = String(res.headers['content-type'] ?? '');
      if (status < 200 || status >= 300) {
        res.resume();
        resolve({ ok: false, aborted: false, error: `HTTP ${status}${res.statusMessage ? ` ${res.statusMessage}` : ''}` });
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > maxBytes) {
          req.destroy();
          resolve({ ok: false, aborted: false, error: `body larger than ${Math.round(maxBytes / 1024 / 1024)} MiB` });
        } else chunks.push(c);
      });
      res.on('end', () => resolve({ ok: true, status, contentType, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

/** A short reason from a fetch failure: the cause's code (ECONNREFUSED, ENOTFOUND, ...) when there is one. */
function reason(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  const code = (e as { code?: string } | undefined)?.code ?? cause?.code;
  if (code) return code === 'ECONNREFUSED' ? 'connection refused' : code;
  if (cause?.message) return cause.message;
  return e instanceof Error ? e.message : String(e);
}
