/**
 * Progress on stderr, driven by runner events: an ora spinner on a TTY (cell k/n,
 * done/total, errors, ETA), plain lines every few seconds elsewhere (CI logs), nothing with
 * --quiet. The only importer of ora.
 */
import type { Ora } from 'ora';
import { errorKey } from '../metrics/cell-columns.js';
import { percentileSorted } from '../metrics/stats.js';
import type { RunEvent, RunListener } from '../runner/types.js';
import { formatValue } from './format.js';

export interface ProgressOptions {
  quiet: boolean;
  stream?: NodeJS.WriteStream;
  /** Interval of plain progress lines on a non-TTY, ms. */
  intervalMs?: number;
  color: boolean;
  /** The command that finishes this run after Ctrl-C, for the interrupt note. */
  resumeCommand?: string;
}

export interface Progress {
  listener: RunListener;
  /** Stops the spinner/timer; call before printing the final table. */
  stop(): void;
  /** Prints a line without breaking the spinner. */
  note(line: string): void;
}

export async function createProgress(opts: ProgressOptions): Promise<Progress> {
  const stream = opts.stream ?? process.stderr;
  if (opts.quiet) return { listener: () => {}, stop() {}, note() {} };
  // A spinner needs a real terminal width: a pty that reports 0 columns (script, some CI
  // runners) would make ora erase thousands of "lines" per frame.
  const tty = Boolean(stream.isTTY) && (stream.columns ?? 0) >= 20;
  // Imported only for a terminal: a run in CI or with its output piped never draws a spinner,
  // and ora with its dependencies is ~7 MB of resident memory.
  const ora = tty ? (await import('ora')).default : undefined;
  const state = {
    cells: 0,
    position: 0,
    cellId: '',
    round: 0,
    rounds: 1,
    total: undefined as number | undefined,
    done: 0,
    errors: 0,
    cellDone: 0,
    cellTotal: undefined as number | undefined,
    startedAt: performance.now(),
    measuring: false,
  };
  const live = liveCell();
  let spinner: Ora | undefined;
  let timer: NodeJS.Timeout | undefined;
  const line = () => {
    const elapsed = (performance.now() - state.startedAt) / 1000;
    const parts = [
      `cell ${state.position}/${state.cells} ${state.cellId}${state.rounds > 1 ? ` (round ${state.round + 1}/${state.rounds})` : ''}`,
      state.measuring
        ? `${state.cellDone}${state.cellTotal !== undefined ? `/${state.cellTotal}` : ''} in cell`
        : 'warming up',
      ...live.parts(),
      `${state.done}${state.total !== undefined ? `/${state.total}` : ''} total`,
      errorsText(state.errors, live.errorKinds),
    ];
    if (state.total !== undefined && state.done > 0) {
      const eta = (elapsed / state.done) * (state.total - state.done);
      parts.push(`ETA ${clock(eta)}`);
    }
    parts.push(`elapsed ${clock(elapsed)}`);
    return parts.join('  ');
  };
  const listener = (e: RunEvent) => {
    switch (e.type) {
      case 'run-start':
        state.cells = e.cells;
        state.total = e.requests;
        state.startedAt = performance.now();
        // color: false keeps ora from painting the spinner frame (NO_COLOR, FORCE_COLOR=0).
        if (ora) spinner = ora({ stream, text: 'starting', color: opts.color ? 'cyan' : false, isEnabled: true, discardStdin: false }).start();
        else {
          timer = setInterval(() => stream.write(`${line()}\n`), opts.intervalMs ?? 5000);
          timer.unref();
        }
        break;
      case 'cell-start':
        // Turns: every cell once per round.
        state.cells = e.of;
        state.round = e.round ?? 0;
        state.rounds = e.rounds ?? 1;
        state.position = e.position;
        state.cellId = e.cell.id;
        state.cellDone = 0;
        state.cellTotal = e.requests;
        state.measuring = e.cell.warmup === 0;
        live.reset();
        break;
      case 'warmup-end':
        state.measuring = true;
        live.reset();
        break;
      case 'request-end':
        state.done++;
        state.cellDone++;
        if (e.record.status === 'error') state.errors++;
        live.add(e.record);
        break;
      case 'interrupt':
        note(opts.resumeCommand ? `${e.message} (Ctrl-C again to cut them); to finish later: ${opts.resumeCommand}` : e.message);
        break;
      case 'notice':
        note(e.message);
        break;
      default:
        break;
    }
    if (spinner) spinner.text = fit(line(), stream.columns);
  };
  const note = (text: string) => {
    if (spinner) {
      spinner.clear();
      stream.write(`${text}\n`);
      spinner.render();
    } else stream.write(`${text}\n`);
  };
  return {
    listener,
    stop() {
      if (timer) clearInterval(timer);
      if (spinner) spinner.stop();
    },
    note,
  };
}

/**
 * One terminal line at most, so the spinner rewrites a single line: the spinner frame and
 * its space take 2 columns, and a line that fills the last column makes some terminals wrap.
 */
export function fit(text: string, columns: number | undefined): string {
  const width = Math.max(20, (columns ?? 80) - 3);
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

/** "0 errors", "3 errors (HTTP 503 ×2, timeout ×1)": the kinds of the current cell. */
function errorsText(total: number, kinds: ReadonlyMap<string, number>): string {
  const head = `${total} error${total === 1 ? '' : 's'}`;
  if (kinds.size === 0) return head;
  return `${head} (${[...kinds].map(([k, n]) => `${k} ×${n}`).join(', ')})`;
}

/** Most latencies a cell keeps for its live p50: the latest ones, so the figure follows drift. */
const LIVE_WINDOW = 2048;

/**
 * The current cell's live figures: requests/s since it started measuring, p50 latency so far
 * (of the last LIVE_WINDOW successes, recomputed at most 4 times a second), errors by kind.
 */
function liveCell() {
  let t0 = performance.now();
  let count = 0;
  const latencies = new Float64Array(LIVE_WINDOW);
  let filled = 0;
  let next = 0;
  let p50: number | undefined;
  let p50At = -Infinity;
  const errorKinds = new Map<string, number>();
  return {
    errorKinds,
    reset() {
      t0 = performance.now();
      count = 0;
      filled = 0;
      next = 0;
      p50 = undefined;
      p50At = -Infinity;
      errorKinds.clear();
    },
    add(r: RunEventRecord) {
      count++;
      if (r.status === 'error') {
        const k = errorKey(r);
        errorKinds.set(k, (errorKinds.get(k) ?? 0) + 1);
      } else if (r.latency_ms !== undefined && Number.isFinite(r.latency_ms)) {
        latencies[next] = r.latency_ms;
        next = (next + 1) % LIVE_WINDOW;
        filled = Math.min(LIVE_WINDOW, filled + 1);
      }
    },
    parts(): string[] {
      const now = performance.now();
      const seconds = (now - t0) / 1000;
      if (count === 0 || seconds <= 0) return [];
      if (now - p50At > 250 && filled > 0) {
        p50 = percentileSorted(latencies.slice(0, filled).sort(), 50);
        p50At = now;
      }
      const out = [`${formatValue(count / seconds)} req/s`];
      if (p50 !== undefined) out.push(`p50 ${formatValue(p50)} ms`);
      return out;
    },
  };
}

type RunEventRecord = Extract<RunEvent, { type: 'request-end' }>['record'];

function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  const m = Math.floor(s / 60);
  return `${m}:${String(s % 60).padStart(2, '0')}`;
}
