/**
 * Token estimate for servers that send no `usage` (records get `tokens_source=estimate`).
 * It counts with a real BPE tokenizer, OpenAI's o200k_base encoding (GPT-4o and later), via
 * gpt-tokenizer (vendored at build time: tokenizers/gpt-encoding.ts). The served model's own tokenizer (Llama, Qwen, ...) usually counts a few
 * percent differently, so this is an estimate, never a substitute for the server's usage.
 *
 * Loading the encoding costs ~200 ms and ~70 MB once, on the first estimate.
 */
import { loadGptEncoding, type GptEncodingModule } from '../tokenizers/gpt-encoding.js';

let countImpl: GptEncodingModule['countTokens'] | undefined;

/**
 * The encoding is loaded on first use, not at import: it holds ~70 MB, which a run whose
 * server reports usage (the usual case) should never pay.
 */
function countTokens(text: string, options: { disallowedSpecial: Set<string> }): number {
  countImpl ??= loadGptEncoding('o200k_base').countTokens;
  return countImpl(text, options);
}

// Special-token text such as `<|endoftext|>` in a model's output is counted as plain text
// instead of making the tokenizer throw (its default).
const COUNT_OPTIONS = { disallowedSpecial: new Set<string>() };

/**
 * BPE merging is quadratic in the length of one pre-tokenizer piece, and a degenerate model
 * (or a random-weight test model) can emit 100k characters without a space: 'a' × 200,000
 * takes ~20 s in one piece. Runs of non-whitespace longer than this are counted in slices of
 * this length, which keeps the cost linear and changes the count by at most about one token
 * per slice; ordinary text never has such runs and is counted exactly.
 */
const MAX_RUN = 256;

/** Estimated number of o200k_base tokens in `text`; 0 for the empty string. */
export function estimateTokens(text: string): number {
  const n = text.length;
  if (n === 0) return 0;
  if (n <= MAX_RUN) return countTokens(text, COUNT_OPTIONS);
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
    total += countTokens(text.slice(pieceStart, cut), COUNT_OPTIONS);
    pieceStart = cut;
    run = 0;
    i = cut - 1;
  }
  if (pieceStart === 0) return countTokens(text, COUNT_OPTIONS);
  if (pieceStart < n) total += countTokens(text.slice(pieceStart), COUNT_OPTIONS);
  return total;
}
