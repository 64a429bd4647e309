/**
 * The latency model: a continuous-batching scheduler. At most `max_batch` sequences are
 * active; later ones wait in a FIFO queue and are admitted the moment a slot frees (a
 * sequence finished, or left early: client gone, fault). An admitted sequence gets its first
 * token after ttft_ms + prefill_ms_per_token * (prompt_tokens - cached_tokens), then one token every
 * itl_ms * (1 + batch_slowdown * (active - 1)), the batch size read again at every token.
 * Every delay carries a seeded relative jitter.
 *
 * Tokens are scheduled against absolute deadlines (previous deadline + interval), never
 * against the time a timer actually fired, so timer lateness does not accumulate. One timer
 * serves all sequences: it fires for the earliest deadline and emits every token due.
 */
import { performance } from 'node:perf_hooks';
import { jitterFactor, type Random } from '../random.js';
import type { LatencyParams } from './types.js';

/** Time source and one-shot timers; injectable so tests can run the model in virtual time. */
export interface Clock {
  /** Monotonic time, ms. */
  now(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

export const realClock: Clock = {
  now: () => performance.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * Node's timers run off a cached loop time and may fire up to ~1 ms early or late; tokens due
 * within this margin are emitted in the current tick rather than re-arming a 1 ms timer.
 */
const EARLY_MS = 0.25;

/** What the scheduler needs to know about one request, and how it reports progress. */
export interface SequenceSpec {
  promptTokens: number;
  /** Prompt tokens found in the prefix cache: no prefill time for them; default 0. */
  cachedTokens?: number;
  /** Tokens to emit; 0 is allowed (a stop string at the very start): done after the TTFT. */
  outputTokens: number;
  /** Jitter source of this sequence. */
  random: Random;
  /** Multiplies this sequence's inter-token delay (the `slow` fault); default 1. */
  itlFactor?: number;
  /** When the request arrived, ms on the scheduler's clock; default now. Queue wait counts from here. */
  arrivedAt?: number;
  /** Called when the sequence enters the batch; `at` is the admission time (ms). */
  onAdmit?(at: number): void;
  /** Called for token `index` (0-based); `at` is its deadline (ms). */
  onToken(index: number, at: number): void;
  /** Called once after the last token (same tick), or after the TTFT when there are no tokens. */
  onDone(at: number): void;
}

export type SequenceState = 'queued' | 'active' | 'done' | 'cancelled';

export interface SequenceHandle {
  readonly state: SequenceState;
  /** Leave the queue or the batch now (client gone, fault); frees the slot. No callbacks follow. */
  cancel(): void;
}

interface Sequence extends SequenceHandle {
  spec: SequenceSpec;
  state: SequenceState;
  /** Index of the next token to emit. */
  next: number;
  /** Deadline of the next event, ms. */
  deadline: number;
  /** Submission order: breaks deadline ties first-come first-served. */
  order: number;
}

export class BatchScheduler {
  private readonly queue: Sequence[] = [];
  private readonly heap = new DeadlineHeap();
  private active = 0;
  private timer: unknown;
  private timerAt = Infinity;
  private closed = false;
  private submitted = 0;

  constructor(
    private readonly params: LatencyParams,
    private readonly clock: Clock = realClock,
  ) {}

  /** Sequences in the batch. */
  get activeCount(): number {
    return this.active;
  }

  /** Sequences waiting for a slot. */
  get queuedCount(): number {
    return this.queue.length;
  }

  /** Inter-token delay of one sequence with `active` sequences in the batch, before jitter, ms. */
  interTokenMs(active: number): number {
    return this.params.itl_ms * (1 + this.params.batch_slowdown * Math.max(0, active - 1));
  }

  submit(spec: SequenceSpec): SequenceHandle {
    const seq: Sequence = {
      spec,
      state: 'queued',
      next: 0,
      deadline: 0,
      order: this.submitted++,
      cancel: () => this.cancel(seq),
    };
    if (this.closed) {
      seq.state = 'cancelled';
      return seq;
    }
    if (this.active < this.params.max_batch) this.admit(seq, spec.arrivedAt ?? this.clock.now());
    else this.queue.push(seq);
    this.arm();
    return seq;
  }

  /** Cancels every sequence and the timer; later submissions are cancelled at once. */
  close(): void {
    this.closed = true;
    for (const s of this.queue) s.state = 'cancelled';
    this.queue.length = 0;
    for (const s of this.heap.drain()) s.state = 'cancelled';
    this.active = 0;
    this.disarm();
  }

  private admit(seq: Sequence, at: number): void {
    this.active++;
    seq.state = 'active';
    const { ttft_ms, prefill_ms_per_token, jitter } = this.params;
    seq.deadline = at + (ttft_ms + prefill_ms_per_token * (seq.spec.promptTokens - (seq.spec.cachedTokens ?? 0))) * jitterFactor(seq.spec.random, jitter);
    this.heap.push(seq);
    seq.spec.onAdmit?.(at);
  }

  private release(at: number): void {
    this.active--;
    while (this.active < this.params.max_batch && this.queue.length > 0) {
      const next = this.queue.shift() as Sequence;
      this.admit(next, Math.max(at, next.spec.arrivedAt ?? at));
    }
  }

  private cancel(seq: Sequence): void {
    if (seq.state === 'queued') {
      this.queue.splice(this.queue.indexOf(seq), 1);
      seq.state = 'cancelled';
    } else if (seq.state === 'active') {
      // Its heap entry is skipped lazily when popped.
      seq.state = 'cancelled';
      this.release(this.clock.now());
      this.arm();
    }
  }

  private tick = (): void => {
    this.timer = undefined;
    this.timerAt = Infinity;
    const horizon = this.clock.now() + EARLY_MS;
    for (let top = this.heap.peek(); top && top.deadline <= horizon; top = this.heap.peek()) {
      this.heap.pop();
      if (top.state === 'active') this.step(top);
    }
    this.arm();
  };

  /** Emits the sequence's due event and schedules its next one. */
  private step(seq: Sequence): void {
    const at = seq.deadline;
    const { spec } = seq;
    if (seq.next < spec.outputTokens) {
      spec.onToken(seq.next++, at);
      if (seq.state !== 'active') return; // cancelled from inside onToken
      if (seq.next < spec.outputTokens) {
        const factor = (spec.itlFactor ?? 1) * jitterFactor(spec.random, this.params.jitter);
        seq.deadline = at + this.interTokenMs(this.active) * factor;
        this.heap.push(seq);
        return;
      }
    }
    seq.state = 'done';
    this.release(at);
    spec.onDone(at);
  }

  private arm(): void {
    const top = this.heap.peek();
    if (!top || this.closed) return this.disarm();
    if (top.deadline >= this.timerAt) return;
    this.disarm();
    this.timerAt = top.deadline;
    this.timer = this.clock.setTimer(this.tick, Math.max(0, top.deadline - this.clock.now()));
  }

  private disarm(): void {
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }
}

function before(a: Sequence, b: Sequence): boolean {
  return a.deadline < b.deadline || (a.deadline === b.deadline && a.order < b.order);
}

/** Binary min-heap of sequences by deadline, then submission order. */
class DeadlineHeap {
  private readonly items: Sequence[] = [];

  peek(): Sequence | undefined {
    return this.items[0];
  }

  push(seq: Sequence): void {
    const a = this.items;
    a.push(seq);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(seq, a[parent])) break;
      a[i] = a[parent];
      i = parent;
    }
    a[i] = seq;
  }

  pop(): Sequence | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= a.length) break;
        const r = l + 1;
        const c = r < a.length && before(a[r], a[l]) ? r : l;
        if (!before(a[c], last)) break;
        a[i] = a[c];
        i = c;
      }
      a[i] = last;
    }
    return top;
  }

  drain(): Sequence[] {
    return this.items.splice(0);
  }
}
