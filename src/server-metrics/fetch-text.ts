/**
 * One GET of a metrics URL with a hard time limit. Node's fetch (undici) keeps its own
 * connections, apart from the benchmark's sockets, so a scrape never takes a slot a request
 * wanted. User info in the URL (`http://user:pass@host/metrics`) becomes a Basic
 * Authorization header; failures come back as short reasons that never quote the URL.
 */

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

async function exchange(url: URL, headers: Record<string, string>, signal: AbortSignal, maxBytes: number): Promise<FetchTextResult> {
  const res = await fetch(url, { headers, signal, redirect: 'follow' });
  const contentType = res.headers.get('content-type') ?? '';
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined);
    return { ok: false, aborted: false, error: `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}` };
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (res.body) {
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => undefined);
        return { ok: false, aborted: false, error: `body larger than ${Math.round(maxBytes / 1024 / 1024)} MiB` };
      }
      chunks.push(value);
    }
  }
  return { ok: true, status: res.status, contentType, text: Buffer.concat(chunks).toString('utf8') };
}

/** A short reason from a fetch failure: the cause's code (ECONNREFUSED, ENOTFOUND, ...) when there is one. */
function reason(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  if (cause?.code) return cause.code === 'ECONNREFUSED' ? 'connection refused' : cause.code;
  if (cause?.message) return cause.message;
  return e instanceof Error ? e.message : String(e);
}
