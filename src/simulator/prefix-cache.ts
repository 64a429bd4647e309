/**
 * The simulator's prefix cache, modelled on vLLM's automatic prefix caching, so a sweep over
 * shared prefixes or conversations shows on the simulator what a caching server gives: lower
 * TTFT and `cached_tokens` in usage. The prompt is cut into blocks; each block is keyed by a
 * hash of itself and every block before it, so a block hits only when the whole prompt up to
 * its end was seen before. A request's cached part is its leading run of known blocks, never
 * the whole prompt (the last token is always computed, as in vLLM). The prompt's blocks are
 * stored when its prefill is done, so requests that arrive together with the same new prefix
 * all miss, as they do on a real server; the answer's blocks when it is finished, so the next
 * turn of a conversation, which sends the answer back, hits on it too. Past `maxBlocks` the
 * least recently used go first.
 */
import { createHash } from 'node:crypto';

/** Tokens per block: vLLM's default block size. */
export const BLOCK_TOKENS = 16;
/** Blocks kept by default: 65,536 x 16 = ~1M tokens, a few MB of keys. */
const MAX_BLOCKS = 1 << 16;

export interface PrefixLookup {
  /** Leading units of the prompt already cached: a multiple of the block size, below its length. */
  cached: number;
  /** Stores the prompt's blocks, followed by those of `answer` (units of the output) when given. */
  store(answer?: ArrayLike<number>): void;
}

export interface PrefixCache {
  /** What is cached of a prompt given as units (token ids, or code points without a tokenizer). */
  lookup(units: ArrayLike<number>): PrefixLookup;
  /** Blocks held. */
  readonly size: number;
}

/** A cache of blocks of `blockUnits` units (token ids, or code points when counting chars / 4). */
export function createPrefixCache(blockUnits = BLOCK_TOKENS, maxBlocks = MAX_BLOCKS): PrefixCache {
  // A Map iterates in insertion order: deleting and setting again makes a key the newest.
  const blocks = new Map<string, true>();
  const touch = (key: string): void => {
    blocks.delete(key);
    blocks.set(key, true);
  };
  return {
    get size() {
      return blocks.size;
    },
    lookup(units) {
      const keys = blockKeys(units, blockUnits);
      let hits = 0;
      // The last unit is always computed, so a prompt of exactly k blocks can hit k - 1 of them.
      const cacheable = Math.floor((units.length - 1) / blockUnits);
      while (hits < cacheable && blocks.has(keys[hits])) touch(keys[hits++]);
      return {
        cached: hits * blockUnits,
        store: (answer) => {
          const all = answer && answer.length > 0 ? blockKeys([...Array.from(units), ...Array.from(answer)], blockUnits) : keys;
          for (const key of all) touch(key);
          for (const oldest of blocks.keys()) {
            if (blocks.size <= maxBlocks) break;
            blocks.delete(oldest);
          }
        },
      };
    },
  };
}

/** One key per full block: a hash chained over every block before it. */
function blockKeys(units: ArrayLike<number>, blockUnits: number): string[] {
  const keys: string[] = [];
  const block = new Int32Array(blockUnits);
  let previous = '';
  for (let start = 0; start + blockUnits <= units.length; start += blockUnits) {
    for (let i = 0; i < blockUnits; i++) block[i] = units[start + i];
    previous = createHash('sha1').update(previous).update(block).digest('base64');
    keys.push(previous);
  }
  return keys;
}
