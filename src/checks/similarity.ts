/**
 * Word-overlap scores of an answer against a reference, 0 to 1: ROUGE-L (Lin, 2004: the
 * longest common subsequence of words, as F-measure with beta = 1, which is what Google's
 * rouge-score reports as `fmeasure`) and the SQuAD token F1 (the multiset overlap of words).
 * Words are case-folded runs of letters, digits and marks after NFKC normalisation; Han,
 * Hiragana and Katakana characters count one word each, since those scripts put no spaces
 * between words. Unlike SQuAD's script, English articles and punctuation are not special:
 * punctuation simply is not a word, and articles count like any other word.
 */

const CJK = String.raw`\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}`;
const WORD = new RegExp(String.raw`[${CJK}]|[[\p{L}\p{N}\p{M}]--[${CJK}]]+`, 'gv');

/**
 * Beyond this many LCS cells (answer words x reference words) ROUGE-L refuses rather than
 * spend seconds on one answer: about 0.1 s of work. 5,000 words each is 25 million.
 */
export const MAX_LCS_CELLS = 50_000_000;

/** The words of a text, as the scores count them. */
export function words(text: string): string[] {
  return text.normalize('NFKC').toLowerCase().match(WORD) ?? [];
}

/** Length of the longest common subsequence of two word lists (two rolling rows). */
export function lcsLength(a: readonly string[], b: readonly string[]): number {
  if (a.length * b.length > MAX_LCS_CELLS) {
    throw new RangeError(`texts too long for ROUGE-L (${a.length} x ${b.length} words; at most ${MAX_LCS_CELLS} pairs)`);
  }
  // The shorter list indexes the row, so the rows stay small.
  const [long, short] = a.length >= b.length ? [a, b] : [b, a];
  let prev = new Int32Array(short.length + 1);
  let row = new Int32Array(short.length + 1);
  for (let i = 1; i <= long.length; i++) {
    const w = long[i - 1];
    for (let j = 1; j <= short.length; j++) {
      row[j] = w === short[j - 1] ? prev[j - 1] + 1 : Math.max(prev[j], row[j - 1]);
    }
    [prev, row] = [row, prev];
  }
  return prev[short.length];
}

/** ROUGE-L F-measure of `candidate` against `reference`: 1 for two empty texts, 0 when one is empty. */
export function rougeL(candidate: string, reference: string): number {
  const c = words(candidate);
  const r = words(reference);
  if (c.length === 0 || r.length === 0) return c.length === r.length ? 1 : 0;
  // P = lcs/|c|, R = lcs/|r|, F = 2PR/(P+R) = 2 lcs/(|c|+|r|).
  return (2 * lcsLength(c, r)) / (c.length + r.length);
}

/** SQuAD token F1 of `candidate` against `reference`: 1 for two empty texts, 0 when one is empty. */
export function tokenF1(candidate: string, reference: string): number {
  const c = words(candidate);
  const r = words(reference);
  if (c.length === 0 || r.length === 0) return c.length === r.length ? 1 : 0;
  const counts = new Map<string, number>();
  for (const w of r) counts.set(w, (counts.get(w) ?? 0) + 1);
  let common = 0;
  for (const w of c) {
    const n = counts.get(w);
    if (n) {
      common++;
      counts.set(w, n - 1);
    }
  }
  return (2 * common) / (c.length + r.length);
}
