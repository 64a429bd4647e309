/**
 * "Did you mean": the nearest candidate by edit distance, where swapping two neighbouring
 * letters counts as one edit (`modle` is one edit from `model`).
 */

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  if (m === 0) return n;
  if (n === 0) return m;
  // Three rolling rows: the swap rule looks two rows back.
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  let cur = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= m; i++) {
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2] + 1);
      cur[j] = d;
    }
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[n];
}

export interface NearestOptions {
  /** Most edits allowed; by default 1 for words up to 4 letters, 2 up to 8, then 3. */
  maxDistance?: number;
}

/** The candidate closest to `word` (case-insensitive), if it is close enough to be a plausible typo. */
export function nearest(word: string, candidates: readonly string[], opts: NearestOptions = {}): string | undefined {
  const limit = opts.maxDistance ?? (word.length <= 4 ? 1 : word.length <= 8 ? 2 : 3);
  let best: string | undefined;
  let bestDist = Infinity;
  const w = word.toLowerCase();
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase());
    if (d < bestDist) {
      best = c;
      bestDist = d;
    }
  }
  if (bestDist <= limit) return best;
  // `ttft` for `ttft_ms`: the name without its unit, when only one candidate has it.
  const extended = candidates.filter((c) => c.toLowerCase().startsWith(`${w}_`));
  return w.length >= 3 && extended.length === 1 ? extended[0] : undefined;
}

/**
 * A stricter limit for keys that may legitimately be new (body parameters the server
 * accepts): short keys must match almost exactly, so `xy` is not "corrected" to `n`.
 */
export function strictLimit(word: string): number {
  if (word.length <= 2) return 0;
  if (word.length <= 5) return 1;
  return 2;
}
