/**
 * Scraping one metrics URL around the cells of a run. Per cell: one scrape before the first
 * request (awaited, so counters have a baseline), one every `intervalMs` while the cell runs
 * (never two at once: a slow scrape skips ticks), and one after the last request. Every
 * scrape has its own time limit, and finishing a cell aborts a scrape still in flight, so a
 * hung endpoint delays the end of a cell by at most `timeoutMs`. A failed scrape is a value
 * passed on like any other. After `maxFailures` failures in a row the source stops being
 * awaited (before and after are skipped) but keeps being scraped while cells run, and is
 * awaited again once it answers.
 */
import { performance } from 'node:perf_hooks';
import { redactUrl } from '../spec/redact.js';
import { fetchText } from './fetch-text.js';
import { parsePrometheus, PromParseError } from './parse.js';
import type { Scrape, ScrapePhase } from './types.js';

export interface SourceOptions {
  /** The URL as configured; credentials in it are used, never shown. */
  url: string;
  intervalMs: number;
  timeoutMs: number;
  headers?: Readonly<Record<string, string>>;
  /** Consecutive failures after which before/after scrapes are no longer awaited; default 3. */
  maxFailures?: number;
  /** Called with every scrape, in the order they end (for the raw export and warnings). */
  onScrape?: (scrape: Scrape) => void;
}

export interface MetricsSource {
  /** The URL with credentials and secret-looking query values masked. */
  readonly url: string;
  /** False while the source has failed `maxFailures` times in a row. */
  readonly healthy: boolean;
  /** Starts scraping one cell: resolves after the scrape before it. */
  beginCell(): Promise<CellScrape>;
}

export interface CellScrape {
  /** Stops the interval, aborts a scrape in flight, takes the scrape after. Resolves within the timeout. */
  finish(): Promise<Scrape[]>;
}

export function createSource(opts: SourceOptions): MetricsSource {
  const url = redactUrl(opts.url);
  const maxFailures = opts.maxFailures ?? 3;
  let failures = 0;

  async function scrape(phase: ScrapePhase, signal?: AbortSignal): Promise<Scrape | undefined> {
    const sentAt = performance.now();
    const res = await fetchText(opts.url, { timeoutMs: opts.timeoutMs, headers: opts.headers, signal });
    const at = (sentAt + performance.now()) / 2;
    if (!res.ok && res.aborted) return undefined;
    let result: Scrape;
    if (!res.ok) result = { ok: false, url, phase, sentAt, at, error: res.error };
    else result = toScrape(res.text, res.contentType, { url, phase, sentAt, at });
    failures = result.ok ? 0 : failures + 1;
    opts.onScrape?.(result);
    return result;
  }

  return {
    url,
    get healthy() {
      return failures < maxFailures;
    },
    async beginCell() {
      const scrapes: Scrape[] = [];
      const keep = (s: Scrape | undefined) => {
        if (s) scrapes.push(s);
      };
      if (failures < maxFailures) keep(await scrape('before'));
      const started = performance.now();
      let tick = 0;
      let inFlight: { controller: AbortController; done: Promise<void> } | undefined;
      let timer: NodeJS.Timeout | undefined;
      let stopped = false;
      const schedule = () => {
        tick++;
        // Absolute deadlines: a late timer does not push every later scrape back.
        timer = setTimeout(fire, Math.max(0, started + tick * opts.intervalMs - performance.now()));
        timer.unref();
      };
      const fire = () => {
        if (stopped) return;
        if (!inFlight) {
          const controller = new AbortController();
          const done = scrape('during', controller.signal).then(keep, () => undefined);
          inFlight = { controller, done: done.then(() => void (inFlight = undefined)) };
        }
        schedule();
      };
      schedule();
      return {
        async finish() {
          stopped = true;
          clearTimeout(timer);
          if (inFlight) {
            inFlight.controller.abort();
            await inFlight.done;
          }
          if (failures < maxFailures) keep(await scrape('after'));
          return scrapes;
        },
      };
    },
  };
}

function toScrape(text: string, contentType: string, base: Omit<Scrape, 'ok' | 'error' | 'samples'>): Scrape {
  const mime = contentType.split(';')[0].trim().toLowerCase();
  if (mime === 'text/html' || mime === 'application/json') {
    return { ...base, ok: false, error: `not Prometheus text (Content-Type ${mime})` };
  }
  try {
    return { ...base, ok: true, samples: parsePrometheus(text) };
  } catch (e) {
    if (e instanceof PromParseError) return { ...base, ok: false, error: e.message };
    throw e;
  }
}
