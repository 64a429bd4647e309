/**
 * Token estimate for servers that send no `usage` (records get `tokens_source=estimate`).
 * It counts with a real BPE tokenizer, OpenAI's o200k_base encoding (GPT-4o and later; see
 * tokenizers/builtin.ts). The served model's own tokenizer (Llama, Qwen, ...) usually counts
 * a few percent differently, so this is an estimate, never a substitute for the server's usage.
 *
 * Loading the encoding costs ~200 ms and ~70 MB once, on the first estimate: a run whose
 * server reports usage (the usual case) never pays it.
 */
import { builtinTokenizer } from '../tokenizers/builtin.js';

/** Estimated number of o200k_base tokens in `text`; 0 for the empty string. */
export function estimateTokens(text: string): number {
  return text.length === 0 ? 0 : builtinTokenizer('o200k').count(text);
}
