/**
 * A Hugging Face tokenizer.json (the file next to a model's weights, the one vLLM, TGI and
 * SGLang load), read with @huggingface/tokenizers: pure JavaScript, no download, no native
 * code. A tokenizer_config.json beside it is read too when present. A folder stands for the
 * tokenizer.json inside it.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { UserError } from '../errors.js';
import { jsonErrorMessage, jsonErrorPosition } from '../json.js';
import { boundedCount } from './bounded-count.js';
import type { Tokenizer } from './types.js';

/**
 * Loads a tokenizer.json. `path` is resolved already; `shown` is how to name it in messages
 * (as written in the spec) and `at` is where the spec names it (`sweep.yaml:7:14`).
 */
export function hfTokenizer(path: string, shown: string, at: string): Tokenizer {
  let file = path;
  try {
    if (statSync(path).isDirectory()) file = join(path, 'tokenizer.json');
  } catch {
    // readJson below reports it.
  }
  const json = readJson(file, shown, at, true);
  const configFile = join(file, '..', 'tokenizer_config.json');
  const config = readJson(configFile, configFile, at, false) ?? {};
  let t: HfTokenizer;
  try {
    t = new HfTokenizer(json as object, config as object);
  } catch (e) {
    throw new UserError(`${at}: tokenizer '${shown}' is not a tokenizer.json @huggingface/tokenizers can read: ${(e as Error).message}`);
  }
  const vocab = t.get_vocab(true);
  let vocabSize = 0;
  for (const id of vocab.values()) vocabSize = Math.max(vocabSize, id + 1);
  const encode = (text: string) => t.encode(text, { add_special_tokens: false }).ids;
  return {
    name: shown,
    encode,
    decode: (ids) => t.decode([...ids], { skip_special_tokens: false, clean_up_tokenization_spaces: false }),
    count: (text) => boundedCount(text, (piece) => encode(piece).length),
    vocabSize,
  };
}

function readJson(file: string, shown: string, at: string, required: true): unknown;
function readJson(file: string, shown: string, at: string, required: false): unknown | undefined;
function readJson(file: string, shown: string, at: string, required: boolean): unknown | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (!required && code === 'ENOENT') return undefined;
    throw new UserError(
      code === 'ENOENT'
        ? `${at}: tokenizer file '${shown}' not found; give the path of a tokenizer.json (or of the folder holding one), or a built-in encoding: o200k, cl100k`
        : `${at}: cannot read tokenizer file '${shown}': ${(e as Error).message}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    const { line, col } = jsonErrorPosition(text, e);
    throw new UserError(`${shown}:${line}:${col}: not valid JSON (${jsonErrorMessage(e)}); a tokenizer.json is one JSON object`);
  }
}
