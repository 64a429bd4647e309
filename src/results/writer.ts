/**
 * The writers a run is given: a results folder on disk, or memory (the public API's
 * `memoryWriter`, which touches no disk). Both keep the run.json document the same way and
 * differ only in the exporters they feed.
 */
import type { Spec } from '../spec/schema.js';
import type { RequestRecord } from '../records/types.js';
import { performance } from 'node:perf_hooks';
import { EXPORTERS } from './exporters/index.js';
import { requestsCsv } from './exporters/requests-csv.js';
import { responsesJsonl } from './exporters/responses-jsonl.js';
import { runJson } from './exporters/run-json.js';
import { serverMetricsCsv } from './exporters/server-metrics-csv.js';
import { newRunJson, type RunJson } from './run-json.js';
import { makeDir } from './write-fault.js';
import { scrubber } from '../spec/redact.js';
import type { Export, Exporter, ResultWriter } from './types.js';

/**
 * How long a file rewritten whole (summary.csv, report.html, ...) waits after a cell before it
 * is rewritten again, in multiples of its last rewrite's time: at most ~1/(1 + REWRITE_PAUSE)
 * of a run goes to them. Each rewrite grows with the cells done, so rewriting all after every
 * cell made a sweep quadratic: 500 cells of 4 instant requests took 26.5 s, 87% of it
 * rewriting. The run's end (or interruption) rewrites every file, and a file is at most a
 * few of its rewrites' time behind while the run goes; run.json is exact after every cell.
 */
export const REWRITE_PAUSE = 9;

/** A writer that keeps run.json's document and calls `exports` (opened at start) as the run goes. */
export function createWriter(open: (run: RunJson, secrets: readonly string[]) => Promise<Export[]>): ResultWriter & { readonly run: RunJson | undefined } {
  let run: RunJson | undefined;
  let exports: Export[] = [];
  /** performance.now() before which each export's paced rewrite is skipped. */
  const due = new Map<Export, number>();
  const writeAll = async (paced = false) => {
    run!.ended_at = new Date().toISOString();
    for (const e of exports) {
      if (!e.write) continue;
      if (paced && !e.eachCell && performance.now() < (due.get(e) ?? 0)) continue;
      const from = performance.now();
      await e.write(run!);
      const to = performance.now();
      due.set(e, to + REWRITE_PAUSE * (to - from));
    }
  };
  return {
    get run() {
      return run;
    },
    async start({ loaded, plan, baseUrl, baseUrls, startedAt }) {
      run = newRunJson(loaded, plan, baseUrl, startedAt, baseUrls);
      exports = await open(run, loaded.secrets);
      await writeAll();
    },
    record(record, answer) {
      for (const e of exports) e.record?.(record, answer);
    },
    scrape(cell, scrape) {
      for (const e of exports) e.scrape?.(cell, scrape);
    },
    async cell({ summary, columns, thresholds, extras, checks }) {
      run!.cells.push(summary);
      if (checks) run!.checks = [...checks];
      run!.thresholds.push(...thresholds);
      if (extras) (run!.extras ??= {})[summary.cell] = extras;
      for (const e of exports) e.cell?.({ summary, columns });
      await writeAll(true);
    },
    async capacity(entry, thresholds) {
      (run!.capacity ??= []).push(entry);
      run!.thresholds.push(...thresholds);
      await writeAll(true);
    },
    async end({ interrupted, stoppedReason, checks }) {
      if (!run) return;
      if (checks) run.checks = [...checks];
      run.interrupted = interrupted;
      run.stopped_reason = stoppedReason;
      await writeAll();
      for (const e of exports) await e.close?.();
    },
  };
}

/**
 * The files a results folder gets: requests.csv and run.json always (resume, merge, compare
 * and report need both, whatever the formats), the spec's other formats, responses.jsonl
 * when asked, server-metrics.csv with target.metrics.
 */
export function exportersFor(output: Pick<Spec['output'], 'formats' | 'save_responses'>): Exporter[] {
  const chosen = output.formats.flatMap((f) => EXPORTERS[f]).filter((e) => e !== runJson);
  // server-metrics.csv is created on the first scrape: no target.metrics, no file.
  return [requestsCsv, runJson, ...chosen, ...(output.save_responses ? [responsesJsonl] : []), serverMetricsCsv];
}

/** Writes a run into `dir` (created). */
export function folderWriter(dir: string, output: Pick<Spec['output'], 'formats' | 'save_responses'>): ResultWriter {
  return createWriter(async (run, secrets) => {
    makeDir(dir);
    const scrub = scrubber(secrets);
    return Promise.all(exportersFor(output).map((e) => e.open(dir, run, scrub)));
  });
}

/** Keeps a run in memory: `run` is its run.json document, `records` every recorded request. */
export function memoryWriter(): ResultWriter & { readonly run: RunJson | undefined; readonly records: RequestRecord[] } {
  const records: RequestRecord[] = [];
  const writer = createWriter(async () => [{ record: (r) => void records.push(r) }]);
  return Object.assign(writer, { records });
}
