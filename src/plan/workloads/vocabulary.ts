/**
 * The words synthetic text is made of, chosen so that the token count of any text made of
 * them is known without tokenizing it: each word (with its leading space) is exactly one
 * token of the tokenizer in use, in any context of other such words, so k words are
 * k + `base` tokens (`base`: what the tokenizer adds once, e.g. a BOS or a chat template).
 *
 * vLLM's random dataset decodes random token ids and then re-encodes to correct the length,
 * because random ids decode to byte fragments that tokenize differently; words that are whole
 * tokens avoid the round trip, read as (odd) text, and cost nothing per request. The words are
 * taken from the tokenizer's own vocabulary (lowest ids first, which in BPE are the commonest),
 * so the text is made of real tokens of that tokenizer. A server's tokenizer cannot be read, so
 * `tokenizer: server` starts from o200k_base's words and keeps those the server counts as one
 * token (a few dozen tokenize calls at start).
 */
import { UserError } from '../../errors.js';
import type { Random } from '../../random.js';
import type { ServerTokenCounter } from '../../tokenizers/server.js';
import type { Tokenizer } from '../../tokenizers/types.js';

export interface Vocabulary {
  /** Words, each with its leading space, each one token. */
  words: readonly string[];
  /** Tokens a text of k words has beyond k (0 for byte-level BPE; a server's BOS or template). */
  base: number;
  /** Name of the tokenizer that counts them, for messages and run.json. */
  tokenizer: string;
  /**
   * The local tokenizer, when the one-token-per-word rule could not be proven for it: texts are
   * then counted and corrected one by one. Undefined when the rule holds (or for a server);
   * null when it is needed but was left in the worker thread that prepared the vocabulary.
   */
  recount?: Tokenizer | null;
}

/** Most words kept: plenty for distinct prompts (4096^16 different 16-token blocks). */
const MAX_WORDS = 4096;
/** Fewest words that make varied text. */
const MIN_WORDS = 64;
/** Ids scanned for word tokens; the first MAX_WORDS usually lie in the first ~20,000. */
const MAX_IDS_SCANNED = 150_000;

const WORD = /^[a-z]{3,12}$/;

const cache = new WeakMap<Tokenizer, Vocabulary>();

/** The vocabulary of a local tokenizer (built once per tokenizer, ~30 ms for o200k_base). */
export function localVocabulary(t: Tokenizer): Vocabulary {
  let v = cache.get(t);
  if (v) return v;
  const words: string[] = [];
  const seen = new Set<string>();
  const n = Math.min(t.vocabSize, MAX_IDS_SCANNED);
  for (let id = 0; id < n && words.length < MAX_WORDS; id++) {
    let s: string;
    try {
      s = t.decode([id]).trim();
    } catch {
      continue; // an id the tokenizer does not use
    }
    if (!WORD.test(s) || seen.has(s)) continue;
    seen.add(s);
    const w = ` ${s}`;
    // The second copy costs one token: the word is one token after another word.
    if (t.count(w + w) - t.count(w) === 1) words.push(w);
  }
  if (words.length < MIN_WORDS) {
    throw new UserError(
      `tokenizer '${t.name}' has only ${words.length} lowercase word tokens, too few to write synthetic prompts with; use another tokenizer (o200k, or the model's tokenizer.json)`,
    );
  }
  const sample = words.slice(0, 512);
  const base = t.count(sample.join('')) - sample.length;
  const other = [...sample].reverse();
  const proven = base >= 0 && t.count(other.join('')) - other.length === base;
  v = { words, base: Math.max(0, base), tokenizer: t.name, recount: proven ? undefined : t };
  cache.set(t, v);
  return v;
}

/** Most tokenize calls the calibration may make. */
const MAX_CALLS = 400;

/**
 * The words (of `candidates`, e.g. localVocabulary(o200k).words) that the server counts as
 * one token each, and what it adds to every text, by group tests: a group of g words that
 * counts g + base is all single tokens; otherwise it is split in halves.
 */
export async function serverVocabulary(counter: ServerTokenCounter, candidates: readonly string[]): Promise<Vocabulary> {
  let calls = 0;
  const count = (text: string) => {
    calls++;
    return counter.count(text);
  };
  // base = 2 c(A) - c(AA): what the server adds once (BOS, template) whatever the text.
  const probe = candidates.slice(0, 32).join('');
  const base = 2 * (await count(probe)) - (await count(probe + probe));
  if (base < 0) {
    throw new UserError(`tokenizer: server: ${counter.name} counts text inconsistently (a text twice gives more than twice its tokens); name a local tokenizer instead`);
  }
  const kept: string[] = [];
  const test = async (group: readonly string[]): Promise<void> => {
    if (calls >= MAX_CALLS || kept.length >= MAX_WORDS / 4) return;
    if ((await count(group.join(''))) - base === group.length) {
      kept.push(...group);
      return;
    }
    if (group.length === 1) return;
    const half = Math.ceil(group.length / 2);
    await test(group.slice(0, half));
    await test(group.slice(half));
  };
  for (let i = 0; i < candidates.length && calls < MAX_CALLS && kept.length < MAX_WORDS / 4; i += 64) {
    await test(candidates.slice(i, i + 64));
  }
  if (kept.length < MIN_WORDS) {
    throw new UserError(
      `tokenizer: server: only ${kept.length} of the words tried are one token each on ${counter.name}; give the model's tokenizer.json instead`,
    );
  }
  const check = kept.slice(0, 256).reverse();
  if ((await count(check.join(''))) - base !== check.length) {
    throw new UserError(`tokenizer: server: ${counter.name} merges tokens across words, so lengths cannot be set by word; give the model's tokenizer.json instead`);
  }
  return { words: kept, base, tokenizer: counter.name };
}

/** `k` words drawn with `random`, joined (the text starts with a space). */
export function drawWords(v: Vocabulary, k: number, random: Random): string {
  const { words } = v;
  let text = '';
  for (let i = 0; i < k; i++) text += words[Math.floor(random() * words.length)];
  return text;
}

/** Most corrections of one text when the tokenizer does not count one token per word. */
const MAX_FIXES = 16;

/**
 * Text of exactly `tokens` tokens (`base` included) that starts with `head` (a prefix, or
 * nothing), counting `headWords` words: words drawn with `random`, corrected by re-counting
 * when the vocabulary needs it. Throws when the tokens cannot even hold the base.
 */
export function textOfTokens(v: Vocabulary, tokens: number, random: Random, head = '', headWords = 0): string {
  const k = tokens - v.base - headWords;
  if (k < 0) {
    throw new UserError(`${tokens} tokens cannot hold the ${v.base + headWords} tokens that ${headWords > 0 ? 'the prefix and ' : ''}${v.tokenizer} adds; ask for more input tokens`);
  }
  let text = head + drawWords(v, k, random);
  const t = v.recount;
  if (!t) return text;
  // Correct by whole words, then by cutting the ids, until the count is exact (bounded).
  for (let i = 0; i < MAX_FIXES; i++) {
    const n = t.count(text);
    if (n === tokens) return text;
    if (n < tokens) text += drawWords(v, tokens - n, random);
    else text = t.decode(t.encode(text).slice(0, tokens));
  }
  return text;
}
