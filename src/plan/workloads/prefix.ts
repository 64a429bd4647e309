/**
 * Shared prefixes (`prefix: { tokens: 512, count: 4 }`): `count` fixed texts of `tokens`
 * tokens, one of which goes before each prompt, as vLLM's prefix-repetition and
 * inference-perf's shared-prefix workloads do, so a sweep shows what prefix caching buys.
 * Request i gets prefix i mod count, so every prefix is used equally often.
 */
import { z } from 'zod';
import { mixSeed, mulberry32 } from '../../random.js';
import { tokenCountSchema } from './distribution.js';
import { drawWords, type Vocabulary } from './vocabulary.js';

/** Most distinct prefixes of a cell. */
export const MAX_PREFIXES = 10_000;
/** Most tokens all of a cell's prefixes may add up to: they are written once and held in memory (~7 bytes a token). */
export const MAX_PREFIX_TOTAL_TOKENS = 20_000_000;

export const prefixSchema = z
  .strictObject({
    tokens: tokenCountSchema().describe('Length of each prefix, tokens (added before the prompt).'),
    count: z.number().int().positive().max(MAX_PREFIXES).default(1).describe('Number of distinct prefixes; request i gets prefix i mod count.'),
  })
  .describe('Shared prefixes before every prompt, for prefix-cache experiments.');
export type PrefixSpec = z.infer<typeof prefixSchema>;

export interface Prefixes {
  /** Tokens of each prefix (words: base not included). */
  tokens: number;
  /** Prefix of request i (negative for warmup). */
  of(i: number): string;
}

/** The prefixes of one cell, seeded by `seed` and the cell's key. */
export function makePrefixes(spec: PrefixSpec, vocab: Vocabulary, seed: number, key: string): Prefixes {
  const texts = Array.from({ length: spec.count }, (_, j) => drawWords(vocab, spec.tokens, mulberry32(mixSeed(seed, 'prefix', key, j))));
  return {
    tokens: spec.tokens,
    of: (i) => texts[((i % spec.count) + spec.count) % spec.count],
  };
}
