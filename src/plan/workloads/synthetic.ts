/**
 * Synthetic prompts by token count (`prompts: { synthetic: { input_tokens: 1024,
 * output_tokens: 128 } }`), vLLM's `--dataset-name random` and guidellm's
 * `prompt_tokens=256,output_tokens=128`: each request gets its own text of exactly
 * `input_tokens` tokens by the tokenizer in use (a prefix, when configured, comes on top, as
 * vLLM's `--random-prefix-len` does), and `output_tokens` to ask for. Both may be
 * distributions; both are drawn per request from the seed, the cell and the request index.
 */
import { z } from 'zod';
import { mixSeed, mulberry32 } from '../../random.js';
import { describeDistribution, distributionSchema, draw, meanOf, TOKEN_COUNT, type Distribution } from './distribution.js';
import type { Prefixes } from './prefix.js';
import type { PromptSource, WorkloadPrompt, WorkloadTotals } from './types.js';
import { textOfTokens, type Vocabulary } from './vocabulary.js';

export const syntheticSchema = z
  .strictObject({
    input_tokens: distributionSchema(TOKEN_COUNT).describe(
      'Prompt length, tokens: a number or a distribution ({ fixed }, { uniform: [lo, hi] }, { normal: { mean, stddev, min, max } }, { lognormal: ... }). A matrix axis input_tokens overrides it per cell.',
    ),
    output_tokens: distributionSchema(TOKEN_COUNT)
      .optional()
      .describe('Output length to ask for, tokens (max_tokens, plus ignore_eos where the server has it). A matrix axis output_tokens overrides it per cell.'),
  })
  .describe('Prompts of random words, each request its own, cut to an exact token count.');
export type SyntheticSpec = z.infer<typeof syntheticSchema>;

export interface SyntheticOptions {
  input: Distribution;
  output?: Distribution;
  vocab: Vocabulary;
  /** The spec's seed. */
  seed: number;
  /** What makes this cell's text its own: its id (stable across shards and runs). */
  key: string;
  prefixes?: Prefixes;
}

/** The synthetic prompts of one cell. */
export function syntheticSource(o: SyntheticOptions): PromptSource {
  return {
    kind: 'synthetic',
    prompt(i: number): WorkloadPrompt {
      // Lengths and text from separate streams: changing output_tokens leaves the prompts alone.
      const lengths = mulberry32(mixSeed(o.seed, 'lengths', o.key, i));
      const inputTokens = draw(o.input, TOKEN_COUNT, lengths);
      const outputTokens = o.output === undefined ? undefined : draw(o.output, TOKEN_COUNT, lengths);
      const random = mulberry32(mixSeed(o.seed, 'text', o.key, i));
      const head = o.prefixes?.of(i) ?? '';
      const headTokens = o.prefixes?.tokens ?? 0;
      const text = textOfTokens(o.vocab, inputTokens + headTokens, random, head, headTokens);
      return {
        id: i,
        messages: [{ role: 'user', content: text }],
        text,
        origin: `synthetic request ${i}`,
        inputTokens: inputTokens + headTokens,
        outputTokens,
      };
    },
  };
}

/** Expected token totals of `requests` synthetic requests, for `plan`. */
export function syntheticTotals(input: Distribution, output: Distribution | undefined, requests: number, prefixTokens = 0): WorkloadTotals {
  return {
    inputTokens: Math.round((meanOf(input) + prefixTokens) * requests),
    outputTokens: output === undefined ? undefined : Math.round(meanOf(output) * requests),
  };
}

/** How plan tables show the lengths: `1024 -> 128`, `N(480,240) -> U(100,300)`. */
export function describeSynthetic(input: Distribution, output: Distribution | undefined): string {
  return `${describeDistribution(input)} -> ${output === undefined ? 'max_tokens' : describeDistribution(output)}`;
}
