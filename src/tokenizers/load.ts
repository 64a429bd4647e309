/**
 * A local tokenizer by its spec name: a built-in encoding (o200k, cl100k) or the path of a
 * Hugging Face tokenizer.json (or of the folder holding one), relative to `dir`.
 */
import { isAbsolute, resolve } from 'node:path';
import { UserError } from '../errors.js';
import { nearest } from '../spec/suggest.js';
import { BUILTIN_ENCODINGS, builtinTokenizer, isBuiltinName } from './builtin.js';
import { hfTokenizer } from './hf.js';
import type { Tokenizer } from './types.js';

export interface LoadTokenizerOptions {
  /** Folder that a relative path resolves against (the spec's folder, or the cwd). */
  dir: string;
  /** `file:line:col` of the spec value, for messages. */
  at: string;
}

/** The local tokenizer a spec names; throws a UserError for a missing or unreadable file. */
export function loadTokenizer(name: string, opts: LoadTokenizerOptions): Tokenizer {
  if (isBuiltinName(name)) return builtinTokenizer(name);
  if (!/[./\\]/.test(name)) {
    // Not a path: a misspelt encoding name is far likelier than a file called "o200": say so.
    const guess = nearest(name, Object.keys(BUILTIN_ENCODINGS));
    throw new UserError(
      `${opts.at}: tokenizer '${name}' is not a built-in encoding (o200k, cl100k) nor a path${guess ? ` — did you mean '${guess}'?` : ''}; give a tokenizer.json path such as ./models/llama3/tokenizer.json`,
    );
  }
  return hfTokenizer(isAbsolute(name) ? name : resolve(opts.dir, name), name, opts.at);
}
