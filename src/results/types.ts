/**
 * results/: the one owner of a results folder. It defines what each file holds (run.json's
 * typed schema here, the CSV column tables in records/columns.ts and summary-csv.ts), the
 * writer the runner calls as a run goes (writer.ts), the exporters behind it (one file per
 * format, exporters/index.ts), and `loadResult`, the one typed view of a finished folder
 * that compare, report, resume and merge read (load.ts). Nothing here prints.
 *
 * Data flows one way: the runner calls a `ResultWriter`; the writer keeps the run.json
 * document and hands every record and every finished cell to its exporters.
 */
import type { CheckTally } from '../checks/tally.js';
import type { Verdict } from '../checks/types.js';
import type { ThresholdResult } from '../compare/types.js';
import type { CellColumns } from '../metrics/cell-columns.js';
import type { CellSummary } from '../metrics/summary.js';
import type { Plan } from '../plan/types.js';
import type { RequestRecord } from '../records/types.js';
import type { Scrape } from '../server-metrics/types.js';
import type { LoadedSpec } from '../spec/load.js';
import type { CapacityEntry } from '../search/result.js';
import type { CellExtras, RunJson } from './run-json.js';

/** The spec's `output.formats`: which files a run writes besides requests.csv. */
export const OUTPUT_FORMATS = ['csv', 'json', 'html', 'xlsx'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** A cell as it finishes: its summary (threshold verdict set) and what its rows hold. */
export interface FinishedCell {
  summary: CellSummary;
  /** The cell's rows, column by column (see metrics/cell-columns.ts). */
  columns: CellColumns;
}

/**
 * What a recorded request answered, for the files that keep answers (responses.jsonl). The
 * runner holds it only until the request's checks have run and the writer has had it.
 */
export interface RecordedAnswer {
  /** The answer text (content); '' for a failed request. */
  text: string;
  /** Reasoning text the server sent apart from the content; '' when none. */
  reasoning: string;
  /** Each check's verdict, when the spec has checks and the request succeeded. */
  checks?: readonly Verdict[];
}

/** One file of a results folder, fed as a run goes (as hyperfine's exporters are). */
export interface Exporter {
  /** The file it writes, in the results folder. */
  file: string;
  /**
   * Starts writing `run` into `dir`; what it returns is called for the rest of the run.
   * Every text it writes goes through `scrub` first (the run's secrets in all their forms).
   */
  open(dir: string, run: RunJson, scrub: (text: string) => string): Promise<Export>;
}

/** An exporter at work on one run. Every hook is optional: a file needs what it needs. */
export interface Export {
  /** A recorded request ended (with its answer), in the order they end. */
  record?(record: RequestRecord, answer: RecordedAnswer): void;
  /** A cell finished, or was kept whole from an interrupted run (resume). */
  cell?(cell: FinishedCell): void;
  /** A scrape of the server's metrics (target.metrics) ended, during cell `cell`. */
  scrape?(cell: string, scrape: Scrape): void;
  /**
   * The run so far: after the start, after cells and at the end. Rewrites the file. After a
   * cell the writer paces it (writer.ts, REWRITE_PAUSE) unless `eachCell` is set.
   */
  write?(run: RunJson): Promise<void>;
  /** Rewritten after every cell, however long that takes: resume reads it (run.json). */
  eachCell?: boolean;
  /** After the last write: flush and close. */
  close?(): Promise<void>;
}

/** What a run starts from. */
export interface RunStart {
  loaded: LoadedSpec;
  plan: Plan;
  /** The URL requests go to (the spawned simulator's for base_url: builtin); the first target's. */
  baseUrl: string;
  /** With named targets: each used target's URL, by name. */
  baseUrls?: Record<string, string>;
  /** Resume: the interrupted run's start, which the results keep. */
  startedAt?: string;
}

/**
 * What the runner calls, in this order: `start`; `record` after each recorded request and
 * `cell` after each cell; `end` once, also after Ctrl-C or a fatal error. A finished cell is
 * on disk before `cell` resolves, so a later crash loses nothing of it.
 */
export interface ResultWriter {
  start(run: RunStart): Promise<void>;
  record(record: RequestRecord, answer: RecordedAnswer): void;
  /** A scrape of the server's metrics ended (target.metrics). */
  scrape(cell: string, scrape: Scrape): void;
  /** `checks`: the per-check tally of the run so far, when the spec has checks. */
  cell(cell: FinishedCell & { thresholds: readonly ThresholdResult[]; extras?: CellExtras; checks?: readonly CheckTally[] }): Promise<void>;
  /** A searched cell's capacity, once its search ended (after its steps' `cell` calls). */
  capacity(entry: CapacityEntry, thresholds: readonly ThresholdResult[]): Promise<void>;
  end(end: { interrupted: boolean; stoppedReason?: string; checks?: readonly CheckTally[] }): Promise<void>;
}
