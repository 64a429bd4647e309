/**
 * Deferred work, one piece per turn of the event loop.
 *
 * Why: node:http2 does not write a stream's frames when the stream is written; it hands the
 * session's pending frames to the socket once per loop turn, at the start of the next check
 * phase (a native setImmediate). Work queued with one setImmediate per stream all runs in the
 * same check phase, so when 128 streams got a response at once, a request opened after the
 * first drain (the runner's next request, started in that drain's microtasks) waited for
 * every other drain before its bytes left: its send stamp ~10 ms early on a 2-core machine,
 * and first responses arriving meanwhile were stamped as late. One piece per turn (with the
 * microtasks it sets off) and a request's bytes leave in the turn after its stamp, as an HTTP
 * request's leave in its socket write, and bytes that arrive meanwhile wait for one piece,
 * not all of them. A piece is the caller's to size: a stream's drain handles every response
 * that stream has waiting.
 */

export interface TurnQueue {
  /** Runs `fn` in a later check phase, after the work queued before it, one piece per turn. */
  push(fn: () => void): void;
  /** Pieces queued and not yet run. */
  readonly size: number;
}

/**
 * A FIFO of deferred work run one piece per setImmediate: node runs immediates queued while
 * it runs immediates in the next turn, after that turn's I/O and the frames it hands the
 * socket.
 */
export function createTurnQueue(): TurnQueue {
  let queue: (() => void)[] = [];
  let head = 0;
  let scheduled = false;

  const run = (): void => {
    scheduled = false;
    const fn = queue[head];
    queue[head++] = noop;
    if (head === queue.length) {
      queue = [];
      head = 0;
    } else {
      if (head > 1024 && head * 2 > queue.length) {
        queue = queue.slice(head);
        head = 0;
      }
      schedule();
    }
    fn();
  };
  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(run);
  };

  return {
    push(fn) {
      queue.push(fn);
      schedule();
    },
    get size() {
      return queue.length - head;
    },
  };
}

function noop(): void {}
