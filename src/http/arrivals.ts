/**
 * Where every response chunk of this thread is stamped and queued (one module state per
 * event loop: the main thread's, or a worker's). A chunk is stamped the moment its 'data'
 * event fires; parsing waits for one shared setImmediate after the poll phase, so when
 * hundreds of streams deliver a token in the same instant, every chunk is stamped before
 * any of them is parsed, and the phase costs one Immediate instead of one per stream.
 *
 * Each stamp also carries an upper bound of how late it is: the client's own delay in
 * seeing bytes that had already arrived (docs/metrics.md, `client_ttft_delay_ms_*`). A
 * chunk waits (a) for the loop to come back to the poll phase, at most the time the loop
 * was busy (not waiting in epoll) since the previous phase began, and (b) behind the
 * chunks handled before it in its own phase. libuv adds a wait to the loop's idle time
 * when epoll returns, before the first callback, so the idle time read at the first stamp
 * of a phase includes the wait that just ended.
 */
import { performance } from 'node:perf_hooks';

/** Takes the chunks of one response, in arrival order; `null` is its end. */
export interface ChunkSink {
  take(chunk: Buffer | null, at: number, lateMs: number): void;
}

let sinks: ChunkSink[] = [];
let chunks: (Buffer | null)[] = [];
let times: number[] = [];
let lates: number[] = [];
let spare = { sinks: [] as ChunkSink[], chunks: [] as (Buffer | null)[], times: [] as number[], lates: [] as number[] };
let scheduled = false;
/** performance.now() of this poll phase's first stamp, and of the previous phase's. */
let phaseStart = -1;
/** Busy time before this phase: how long bytes of it may have waited unseen, ms. */
let phaseLead = 0;
/** The loop's idle time (ms) at the previous phase's first stamp. */
let idleAtPhase = 0;

/** Stamps `chunk` (null: the response's end) for `sink`; returns the stamp (performance.now()). */
export function arrive(sink: ChunkSink, chunk: Buffer | null): number {
  const now = performance.now();
  if (!scheduled) {
    scheduled = true;
    setImmediate(drain);
    const idle = performance.eventLoopUtilization().idle;
    phaseLead = phaseStart < 0 ? 0 : Math.max(0, now - phaseStart - (idle - idleAtPhase));
    phaseStart = now;
    idleAtPhase = idle;
  }
  sinks.push(sink);
  chunks.push(chunk);
  times.push(now);
  lates.push(phaseLead + (now - phaseStart));
  return now;
}

function drain(): void {
  scheduled = false;
  // Swapped for the spare set first (a sink never stamps again today, but it would land in
  // the next phase, not in this loop); the drained set, emptied, is the next spare.
  const s = sinks;
  const c = chunks;
  const t = times;
  const l = lates;
  sinks = spare.sinks;
  chunks = spare.chunks;
  times = spare.times;
  lates = spare.lates;
  for (let i = 0; i < s.length; i++) {
    try {
      s[i].take(c[i], t[i], l[i]);
    } catch (e) {
      // A sink that throws is a bug; the other responses of the phase must still get theirs.
      queueMicrotask(() => {
        throw e;
      });
    }
  }
  s.length = 0;
  c.length = 0;
  t.length = 0;
  l.length = 0;
  spare = { sinks: s, chunks: c, times: t, lates: l };
}
