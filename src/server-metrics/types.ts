/**
 * server-metrics/: what the server says about itself while a cell runs. A scraper fetches
 * Prometheus text from each configured `/metrics` URL (one scrape before the cell, one every
 * `interval_ms` from the cell's first request to its last, one after), parse.ts turns the text
 * into samples, and aggregate.ts reduces a cell's scrapes to stable summary columns
 * (columns.ts) through one small metric map per server family (maps/). Everything but the
 * scraper and fetch-text.ts is pure. Nothing here prints: failed scrapes are values.
 */

/** One sample line of an exposition: `name{labels} value`. */
export interface PromSample {
  /** The series name as written on the wire, suffix included (`x_total`, `x_bucket`). */
  name: string;
  labels: Readonly<Record<string, string>>;
  /** NaN and ±Infinity are allowed, as in the format. */
  value: number;
}

/** Samples of one scrape, indexed by series name. */
export type SampleIndex = ReadonlyMap<string, readonly PromSample[]>;

/** Which part of a cell a scrape belongs to. */
export type ScrapePhase = 'before' | 'during' | 'after';

interface ScrapeBase {
  /** The metrics URL with credentials and secret-looking query values masked. */
  url: string;
  phase: ScrapePhase;
  /** performance.now() when the GET was sent, ms. */
  sentAt: number;
  /** performance.now() the values stand for: halfway between send and response, ms. */
  at: number;
}

export interface ScrapeOk extends ScrapeBase {
  ok: true;
  samples: readonly PromSample[];
}

export interface ScrapeFailed extends ScrapeBase {
  ok: false;
  /** Short reason: `timeout after 2000 ms`, `HTTP 404`, `not Prometheus text: ...`. */
  error: string;
}

export type Scrape = ScrapeOk | ScrapeFailed;

/** The span of a cell the aggregates describe: first request sent to last request done. */
export interface CellWindow {
  /** performance.now(), ms. */
  start: number;
  /** performance.now(), ms. */
  end: number;
}
