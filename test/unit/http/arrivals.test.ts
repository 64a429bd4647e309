import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { arrive, MAX_LAG_MS, SLICE_MS, type ChunkSink } from '../../../src/http/arrivals.js';

/** Busy for `ms`: a sink whose parsing takes time. */
function spin(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

/** Counts loop turns (check phases) until stopped. */
function turnCounter(): { turn: () => number; stop: () => void } {
  let turns = 0;
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    turns++;
    setImmediate(tick);
  };
  setImmediate(tick);
  return { turn: () => turns, stop: () => (stopped = true) };
}

/**
 * One response of `n` chunks stamped at once, each taking `ms` to parse; `turnOf` is the loop
 * turn each was parsed in.
 */
function slowStream(n: number, ms: number): { turnOf: number[]; done: Promise<void> } {
  const turns = turnCounter();
  const turnOf: number[] = [];
  const done = new Promise<void>((resolve) => {
    const sink: ChunkSink = {
      take(chunk) {
        if (chunk !== null) {
          turnOf.push(turns.turn());
          spin(ms);
          return;
        }
        turns.stop();
        resolve();
      },
    };
    for (let i = 0; i < n; i++) arrive(sink, Buffer.from('x'));
    arrive(sink, null);
  });
  return { turnOf, done };
}

describe('arrivals', () => {
  it('hands every chunk over once, in arrival order per response, the end last', async () => {
    const seen: Record<string, (string | null)[]> = { a: [], b: [] };
    let ended = 0;
    const finished = new Promise<void>((resolve) => {
      const sink = (name: 'a' | 'b'): ChunkSink => ({
        take(chunk) {
          seen[name]!.push(chunk === null ? null : chunk.toString());
          if (chunk === null && ++ended === 2) resolve();
        },
      });
      const a = sink('a');
      const b = sink('b');
      for (let i = 0; i < 300; i++) {
        arrive(a, Buffer.from(`a${i}`));
        arrive(b, Buffer.from(`b${i}`));
      }
      arrive(a, null);
      arrive(b, null);
    });
    await finished;
    expect(seen.a).toEqual([...Array.from({ length: 300 }, (_, i) => `a${i}`), null]);
    expect(seen.b).toEqual([...Array.from({ length: 300 }, (_, i) => `b${i}`), null]);
  });

  it('parses in slices of about SLICE_MS, one per loop turn, so a long backlog does not hold the loop', async () => {
    // 60 chunks of 0.1 ms each: 6 ms of parsing, well inside MAX_LAG_MS even on a loaded
    // machine. Unsliced they would all be taken in one turn; in slices, over many.
    expect(60 * 0.1).toBeLessThan(MAX_LAG_MS / 4);
    const { turnOf, done } = slowStream(60, 0.1);
    await done;
    const perTurn = new Map<number, number>();
    for (const t of turnOf) perTurn.set(t, (perTurn.get(t) ?? 0) + 1);
    // A slice takes chunks until SLICE_MS is spent: 2 of 0.1 ms, give or take one.
    expect(perTurn.size).toBeGreaterThanOrEqual(15);
    expect(Math.max(...perTurn.values())).toBeLessThanOrEqual(Math.ceil(SLICE_MS / 0.1) + 2);
  });

  it('parses chunks older than MAX_LAG_MS at once, so a client past its capacity does not fall further behind', async () => {
    const { turnOf, done } = slowStream(100, 0.05);
    // The loop is held past MAX_LAG_MS before the first slice: every chunk is late already.
    spin(MAX_LAG_MS + 10);
    await done;
    expect(new Set(turnOf).size).toBe(1);
  });
});

describe('arrivals under a backlog', () => {
  it('keeps every chunk, once and in order, while a slow parser falls behind and catches up', async () => {
    // 300 chunks a turn for 60 turns, parsed at ~2 us each: the queue grows past what one
    // slice takes, its head moves far in (and the rest is moved to the front), then it drains.
    const got: number[] = [];
    let ended = false;
    const finished = new Promise<void>((resolve) => {
      const sink: ChunkSink = {
        take(chunk) {
          if (chunk === null) {
            ended = true;
            return resolve();
          }
          got.push(chunk.readUInt32LE(0));
          spin(0.002);
        },
      };
      let next = 0;
      let turns = 0;
      const produce = () => {
        for (let k = 0; k < 300; k++) {
          const b = Buffer.alloc(4);
          b.writeUInt32LE(next++, 0);
          arrive(sink, b);
        }
        if (++turns < 60) setImmediate(produce);
        else arrive(sink, null);
      };
      produce();
    });
    await finished;
    expect(ended).toBe(true);
    expect(got).toHaveLength(18_000);
    expect(got.every((v, i) => v === i)).toBe(true);
  });
});
