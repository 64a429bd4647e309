/**
 * Where the built-in BPE encodings come from: gpt-tokenizer's o200k_base and cl100k_base
 * modules, copied into dist/vendor/gpt-tokenizer/ at build time (scripts/vendor-tokenizer.mjs)
 * so the package ships ~3 MB of them instead of depending on gpt-tokenizer's 55 MB install.
 * From src/ (tests, a clone before `npm run build`) the devDependency itself is loaded.
 * Synchronous (CommonJS), and only when first asked: an encoding holds ~70 MB.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const GPT_ENCODINGS = ['o200k_base', 'cl100k_base'] as const;
export type GptEncodingName = (typeof GPT_ENCODINGS)[number];

/** What llm-sweep uses of a gpt-tokenizer encoding module. */
export interface GptEncodingModule {
  encode(text: string, options?: { disallowedSpecial?: Set<string> }): number[];
  decode(ids: Iterable<number>): string;
  countTokens(text: string, options?: { disallowedSpecial?: Set<string> }): number;
  vocabularySize: number;
}

/** The vendored module's path next to dist/, whether or not it exists. */
export function vendoredEncodingPath(name: GptEncodingName): string {
  return fileURLToPath(new URL(`../vendor/gpt-tokenizer/encoding/${name}.js`, import.meta.url));
}

export function loadGptEncoding(name: GptEncodingName): GptEncodingModule {
  const require = createRequire(import.meta.url);
  const vendored = vendoredEncodingPath(name);
  return require(existsSync(vendored) ? vendored : `gpt-tokenizer/encoding/${name}`) as GptEncodingModule;
}
