/**
 * Progress on stderr, driven by runner events: an ora spinner on a TTY (cell k/n,
 * done/total, errors, ETA), plain lines every few seconds elsewhere (CI logs), nothing with
 * --quiet. The only importer of ora.
 */
import ora, { type Ora } from 'ora';
import type { RunEvent, RunListener } from '../runner/types.js';

export interface ProgressOptions {
  quiet: boolean;
  stream?: NodeJS.WriteStream;
  /** Interval of plain progress lines on a non-TTY, ms. */
  intervalMs?: number;
  color: boolean;
}

export interface Progress {
  listener: RunListener;
  /** Stops the spinner/timer; call before printing the final table. */
  stop(): void;
  /** Prints a line without breaking the spinner. */
  note(line: string): void;
}

export function createProgress(opts: ProgressOptions): Progress {
  const stream = opts.stream ?? process.stderr;
  if (opts.quiet) return { listener: () => {}, stop() {}, note() {} };
  // A spinner needs a real terminal width: a pty that reports 0 columns (script, some CI
  // runners) would make ora erase thousands of "lines" per frame.
  const tty = Boolean(stream.isTTY) && (stream.columns ?? 0) >= 20;
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
  let spinner: Ora | undefined;
  let timer: NodeJS.Timeout | undefined;
  const line = () => {
    const elapsed = (performance.now() - state.startedAt) / 1000;
    const parts = [
      `cell ${state.position}/${state.cells} ${state.cellId}${state.rounds > 1 ? ` (round ${state.round + 1}/${state.rounds})` : ''}`,
      state.measuring
        ? `${state.cellDone}${state.cellTotal !== undefined ? `/${state.cellTotal}` : ''} in cell`
        : 'warming up',
      `${state.done}${state.total !== undefined ? `/${state.total}` : ''} total`,
      `${state.errors} error${state.errors === 1 ? '' : 's'}`,
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
        if (tty) spinner = ora({ stream, text: 'starting', color: 'cyan', isEnabled: true, discardStdin: false }).start();
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
        break;
      case 'warmup-end':
        state.measuring = true;
        break;
      case 'request-end':
        state.done++;
        state.cellDone++;
        if (e.record.status === 'error') state.errors++;
        break;
      case 'interrupt':
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

/** One terminal line at most, so the spinner rewrites a single line. */
function fit(text: string, columns: number | undefined): string {
  const width = Math.max(20, (columns ?? 80) - 3);
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  const m = Math.floor(s / 60);
  return `${m}:${String(s % 60).padStart(2, '0')}`;
}
