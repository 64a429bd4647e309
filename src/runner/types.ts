/**
 * runner/: executes a plan cell by cell against an endpoint and emits typed events. It
 * never prints and never formats: the CLI's progress display and the result files are
 * listeners and writers around it.
 */
import type { CellSummary } from '../metrics/summary.js';
import type { Cell } from '../plan/types.js';
import type { RequestRecord } from '../records/types.js';

export type RunEvent =
  | { type: 'run-start'; cells: number; requests: number | undefined }
  | {
      type: 'cell-start';
      cell: Cell;
      /** 1-based turn of `of` (cells x rounds). */
      position: number;
      of: number;
      /** Requests this turn sends; undefined when it runs by duration. */
      requests: number | undefined;
      deadlineMs?: number;
      /** 0-based round, of `rounds`. */
      round?: number;
      rounds?: number;
    }
  | { type: 'warmup-end'; cell: Cell }
  | { type: 'request-end'; cell: Cell; record: RequestRecord }
  | { type: 'cell-end'; cell: Cell; summary: CellSummary; round?: number; rounds?: number }
  | { type: 'warning'; message: string }
  /** A line for the terminal as it is (what `metrics: auto` found, a metrics URL failing). */
  | { type: 'notice'; message: string }
  | { type: 'interrupt'; message: string }
  | { type: 'run-end'; interrupted: boolean };

export type RunListener = (e: RunEvent) => void;
