/**
 * BPE merging is quadratic in the length of one pre-tokenizer piece, and a degenerate model
 * (or a random-weight test model, or a base64 blob in a dataset) can produce 100k characters
 * without a space: 'a' x 200,000 takes ~20 s in one piece. Runs of non-whitespace longer than
 * this are counted in slices of this length, which keeps the cost linear and changes the count
 * by at most about one token per slice; ordinary text never has such runs and is counted exactly.
 */
export const MAX_RUN = 256;

/** `count(text)`, with runs of more than MAX_RUN non-whitespace characters counted in slices. */
export function boundedCount(text: string, count: (piece: string) => number): number {
  const n = text.length;
  if (n === 0) return 0;
  if (n <= MAX_RUN) return count(text);
  let total = 0;
  let pieceStart = 0;
  let run = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c <= 32) {
      run = 0;
      continue;
    }
    if (++run < MAX_RUN) continue;
    // Cut after this character, keeping a surrogate pair together.
    const cut = c >= 0xd800 && c <= 0xdbff ? i + 2 : i + 1;
    total += count(text.slice(pieceStart, cut));
    pieceStart = cut;
    run = 0;
    i = cut - 1;
  }
  if (pieceStart === 0) return count(text);
  if (pieceStart < n) total += count(text.slice(pieceStart));
  return total;
}
