/**
 * Seeded randomness, the one source for the client (arrival times, backoff tests, the
 * bootstrap) and the simulator (jitter, text, faults): deterministic across runs and
 * platforms, and cheap enough for the simulator's per-token path.
 */

/** A source of uniform numbers in [0, 1). */
export type Random = () => number;

/** mulberry32: a tiny, fast 32-bit PRNG. */
export function mulberry32(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a over the UTF-16 code units of `text`, continuing from `h`. */
export function hashString(text: string, h = 0x811c9dc5): number {
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Mixes several values (numbers, or text such as a cell id) into one 32-bit seed. */
export function mixSeed(...parts: (number | string)[]): number {
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

/** Standard normal by Box-Muller. */
export function normal(random: Random): number {
  let u = 0;
  while (u === 0) u = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** Gamma(shape, scale) by Marsaglia and Tsang (2000); shape < 1 via the boost trick. */
export function gamma(shape: number, scale: number, random: Random): number {
  if (shape < 1) {
    let u = 0;
    while (u === 0) u = random();
    return gamma(shape + 1, scale, random) * u ** (1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(random);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = random();
    if (u < 1 - 0.0331 * x ** 4) return d * v * scale;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v * scale;
  }
}
