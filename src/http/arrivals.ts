/**
 * Where every response chunk of this thread is stamped and queued (one module state per
 * event loop: the main thread's, or a worker's). A chunk is stamped the moment its 'data'
 * event fires; parsing waits for one shared setImmediate after the poll phase, so when
 * hundreds of streams deliver a token in the same instant, every chunk is stamped before
 * any of them is parsed, and the phase costs one Immediate instead of one per stream. The
 * parsing runs in slices of SLICE_MS, oldest chunk first, one slice per loop turn, so the
 * next poll phase stamps what arrived meanwhile without waiting for all of it.
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

/**
 * The queue of stamped chunks, from `head` (oldest) to `tail`: one FIFO, so a response's chunks
 * stay in order across slices. Slots are written in place and the arrays never shrink: emptied
 * and grown again every phase, they were ~4 KB of garbage per streamed request.
 */
const sinks: (ChunkSink | undefined)[] = [];
const chunks: (Buffer | null)[] = [];
const times: number[] = [];
const lates: number[] = [];
let head = 0;
let tail = 0;
let scheduled = false;
/** A poll phase is stamping (set at its first stamp, cleared when a drain slice starts). */
let phaseOpen = false;
/** performance.now() of this poll phase's first stamp, and of the previous phase's. */
let phaseStart = -1;
/** Busy time before this phase: how long bytes of it may have waited unseen, ms. */
let phaseLead = 0;
/** The loop's idle time (ms) at the previous phase's first stamp. */
let idleAtPhase = 0;

/**
 * Longest a drain slice runs before it hands the loop back, ms. Bytes that arrive while the
 * loop parses are stamped only at the next poll phase, so one long drain (hundreds of streams'
 * tokens at once, and the next requests their ends set off) made every stamp of the next
 * phase late by all of it; in slices, by one slice. At 256 streams on 2 cores: TTFT p50 error
 * 2.2-2.4 ms against 2.9-5.6 unsliced (bench/results.md).
 */
export const SLICE_MS = 0.2;
/**
 * Oldest a stamped chunk may get before a drain parses it whatever the slice, ms. A client
 * past its capacity that sliced without bound would parse ever later, and its closed loop
 * would send far fewer requests than asked: half, at 1,024 streams on 2 cores.
 */
export const MAX_LAG_MS = 50;

/** Stamps `chunk` (null: the response's end) for `sink`; returns the stamp (performance.now()). */
export function arrive(sink: ChunkSink, chunk: Buffer | null): number {
  const now = performance.now();
  if (!phaseOpen) {
    phaseOpen = true;
    const idle = performance.eventLoopUtilization().idle;
    phaseLead = phaseStart < 0 ? 0 : Math.max(0, now - phaseStart - (idle - idleAtPhase));
    phaseStart = now;
    idleAtPhase = idle;
  }
  if (!scheduled) {
    scheduled = true;
    setImmediate(drain);
  }
  sinks[tail] = sink;
  chunks[tail] = chunk;
  times[tail] = now;
  lates[tail] = phaseLead + (now - phaseStart);
  tail++;
  return now;
}

function drain(): void {
  scheduled = false;
  phaseOpen = false;
  const until = performance.now() + SLICE_MS;
  // Only what is queued now: chunks stamped by a sink's own callback wait for the next slice.
  const end = tail;
  let i = head;
  while (i < end) {
    const sink = sinks[i]!;
    const chunk = chunks[i]!;
    sinks[i] = undefined;
    chunks[i] = null;
    try {
      sink.take(chunk, times[i]!, lates[i]!);
    } catch (e) {
      // A sink that throws is a bug; the other responses of the phase must still get theirs.
      queueMicrotask(() => {
        throw e;
      });
    }
    i++;
    if (i < end) {
      const now = performance.now();
      if (now >= until && times[i]! > now - MAX_LAG_MS) break;
    }
  }
  head = i;
  if (head === tail) {
    head = 0;
    tail = 0;
  } else {
    if (head > 4096 && head * 2 > tail) {
      // A backlog that keeps its head far in: move what is left to the front.
      sinks.copyWithin(0, head, tail);
      chunks.copyWithin(0, head, tail);
      times.copyWithin(0, head, tail);
      lates.copyWithin(0, head, tail);
      sinks.fill(undefined, tail - head, tail);
      chunks.fill(null, tail - head, tail);
      tail -= head;
      head = 0;
    }
    // The rest in the next turn, after its poll phase has stamped what arrived meanwhile.
    scheduled = true;
    setImmediate(drain);
  }
}
