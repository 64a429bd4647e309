import { describe, expect, it } from 'vitest';
import { createTurnQueue } from '../../../src/grpc/turn-queue.js';

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('turn queue', () => {
  it('runs pieces in order, one per loop turn', async () => {
    const q = createTurnQueue();
    const seen: string[] = [];
    // An immediate set by piece a runs in the next turn, after piece b and before piece c:
    // each piece has a turn of its own (one setImmediate for all would run a, b, c, then x).
    q.push(() => {
      seen.push('a');
      setImmediate(() => seen.push('x'));
    });
    q.push(() => seen.push('b'));
    q.push(() => seen.push('c'));
    expect(q.size).toBe(3);
    expect(seen).toEqual([]);
    for (let i = 0; i < 5 && seen.length < 4; i++) await turn();
    expect(seen).toEqual(['a', 'b', 'x', 'c']);
    expect(q.size).toBe(0);
  });

  it('takes pieces pushed while it runs, and keeps going after a long queue', async () => {
    const q = createTurnQueue();
    const seen: number[] = [];
    const n = 3000;
    for (let i = 0; i < n; i++) q.push(() => seen.push(i));
    q.push(() => q.push(() => seen.push(-1)));
    for (let i = 0; i < n + 10 && seen.length < n + 1; i++) await turn();
    expect(seen.slice(0, 3)).toEqual([0, 1, 2]);
    expect(seen).toHaveLength(n + 1);
    expect(seen.at(-1)).toBe(-1);
    expect(q.size).toBe(0);
  });
});
