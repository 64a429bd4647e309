/**
 * The built-in encodings, OpenAI's o200k_base (GPT-4o and later) and cl100k_base (GPT-4,
 * GPT-3.5), from gpt-tokenizer's modules (vendored at build time, see gpt-encoding.ts). Each
 * is loaded on first use (~200 ms and ~70 MB for o200k_base), never at import: a run whose
 * server reports usage should never pay for it.
 */
import { boundedCount } from './bounded-count.js';
import { loadGptEncoding } from './gpt-encoding.js';
import type { Tokenizer } from './types.js';

/** Spec names of the built-in encodings and the encoding each one is. */
export const BUILTIN_ENCODINGS = {
  o200k: 'o200k_base',
  o200k_base: 'o200k_base',
  cl100k: 'cl100k_base',
  cl100k_base: 'cl100k_base',
} as const;
export type BuiltinName = keyof typeof BUILTIN_ENCODINGS;
type Encoding = (typeof BUILTIN_ENCODINGS)[BuiltinName];

// Special-token text such as `<|endoftext|>` in a prompt or an answer is plain text to us,
// instead of making the tokenizer throw (its default).
const PLAIN = { disallowedSpecial: new Set<string>() };

const loaded = new Map<Encoding, Tokenizer>();

export function isBuiltinName(name: string): name is BuiltinName {
  return Object.hasOwn(BUILTIN_ENCODINGS, name);
}

/** The built-in encoding of that name, loaded once per process. */
export function builtinTokenizer(name: BuiltinName): Tokenizer {
  const encoding = BUILTIN_ENCODINGS[name];
  let t = loaded.get(encoding);
  if (!t) {
    const m = loadGptEncoding(encoding);
    t = {
      name: encoding,
      encode: (text) => m.encode(text, PLAIN),
      decode: (ids) => m.decode(ids),
      count: (text) => boundedCount(text, (piece) => m.countTokens(piece, PLAIN)),
      vocabSize: m.vocabularySize,
    };
    loaded.set(encoding, t);
  }
  return t;
}
