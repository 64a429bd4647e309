/**
 * Seeded sampling of k rows from a stream, in one pass and O(k) memory: every row gets a key
 * drawn from (seed, row number), and the k eligible rows with the smallest keys are kept, in
 * key order. That is vLLM's "shuffle with the seed, then take the first k that pass the
 * filters" without holding the file. A row whose key cannot make the cut is skipped before
 * its eligibility is checked (its prompt tokenized), so a 1 GB file costs ~k ln(n/k) checks.
 */
import { mixSeed } from '../../random.js';

export interface SampleResult<T> {
  /** The rows kept, in key order (a seeded shuffle). */
  picked: T[];
  /** Rows read. */
  scanned: number;
  /** Rows checked and eligible; exact when fewer than k were picked. */
  eligible: number;
}

/**
 * Keeps the k eligible rows with the smallest keys. `check` returns the row's kept form, or
 * undefined when it does not pass the filters; it may throw (a malformed row).
 */
export async function sampleRows<R, T>(
  rows: AsyncIterable<R>,
  k: number,
  seed: number,
  check: (row: R) => T | undefined,
): Promise<SampleResult<T>> {
  const heap = new MaxHeap<T>();
  let scanned = 0;
  let eligible = 0;
  for await (const row of rows) {
    const key = mixSeed(seed, 'sample', scanned++);
    if (k === 0 || (heap.size >= k && key >= heap.maxKey())) continue;
    const kept = check(row);
    if (kept === undefined) continue;
    eligible++;
    heap.push(key, kept);
    if (heap.size > k) heap.pop();
  }
  return { picked: heap.sorted(), scanned, eligible };
}

/** A binary max-heap of (key, value) by key. */
class MaxHeap<T> {
  private keys: number[] = [];
  private values: T[] = [];

  get size(): number {
    return this.keys.length;
  }

  maxKey(): number {
    return this.keys[0];
  }

  push(key: number, value: T): void {
    const { keys, values } = this;
    let i = keys.length;
    keys.push(key);
    values.push(value);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (keys[parent] >= keys[i]) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  pop(): void {
    const { keys, values } = this;
    const last = keys.length - 1;
    this.swap(0, last);
    keys.pop();
    values.pop();
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let top = i;
      if (l < keys.length && keys[l] > keys[top]) top = l;
      if (r < keys.length && keys[r] > keys[top]) top = r;
      if (top === i) break;
      this.swap(i, top);
      i = top;
    }
  }

  /** The values by ascending key. */
  sorted(): T[] {
    const order = this.keys.map((key, i) => ({ key, i })).sort((a, b) => a.key - b.key);
    return order.map((o) => this.values[o.i]);
  }

  private swap(a: number, b: number): void {
    const { keys, values } = this;
    [keys[a], keys[b]] = [keys[b], keys[a]];
    [values[a], values[b]] = [values[b], values[a]];
  }
}
