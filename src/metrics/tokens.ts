// TEMPORARY: replaced by the real estimator from branch `sse`.
import { countTokens } from 'gpt-tokenizer';
export function estimateTokens(text: string): number {
  return text ? countTokens(text) : 0;
}
