/**
 * Small seeded randomness for the simulator: a 32-bit string/number hash and the mulberry32
 * generator. Deterministic across runs and platforms, and cheap enough for the per-token path.
 */

import { mulberry32, type Random } from '../random.js';

export { mulberry32, type Random };

/** FNV-1a over the UTF-16 code units of `text`, continuing from `h`. */
export function hashString(text: string, h = 0x811c9dc5): number {
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Mixes several numbers (any finite value, e.g. a seed and a temperature) into one 32-bit seed. */
export function mixSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    h = hashString(String(p), h);
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  }
  return h >>> 0;
}

/** A relative multiplier in [1 - spread, 1 + spread]; exactly 1 when spread is 0. */
export function jitterFactor(random: Random, spread: number): number {
  return spread === 0 ? 1 : 1 + spread * (2 * random() - 1);
}
