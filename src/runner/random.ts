/** Seeded randomness for the client side (arrival times), so a run's schedule is repeatable. */

import { mulberry32, normal } from '../random.js';

/** Seeded uniform numbers in [0, 1): the arrival schedule of a cell is repeatable. */
export const seededRandom = mulberry32;

/** Gamma(shape, scale) by Marsaglia and Tsang (2000); shape < 1 via the boost trick. */
export function gamma(shape: number, scale: number, random: () => number): number {
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
