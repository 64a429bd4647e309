/**
 * Small seeded randomness for the simulator: a 32-bit string/number hash and the mulberry32
 * generator. Deterministic across runs and platforms, and cheap enough for the per-token path.
 */

import { hashString, mixSeed, mulberry32, type Random } from '../random.js';

export { hashString, mixSeed, mulberry32, type Random };

/** A relative multiplier in [1 - spread, 1 + spread]; exactly 1 when spread is 0. */
export function jitterFactor(random: Random, spread: number): number {
  return spread === 0 ? 1 : 1 + spread * (2 * random() - 1);
}
