/**
 * Numbers drawn per request: token counts (`input_tokens`, `output_tokens`) and think times.
 * A spec writes a plain number, `{ fixed: N }`, `{ uniform: [lo, hi] }`,
 * `{ normal: { mean, stddev, min, max } }` or `{ lognormal: { mean, stddev, min, max } }`
 * (genai-bench's D(...) / N(...) scenarios and guidellm's prompt_tokens/output_tokens
 * spreads). Draws take a seeded Random, so the same seed gives the same numbers.
 */
import { z } from 'zod';
import { normal, type Random } from '../../random.js';

/** A distribution as written in the spec (a plain number is `{ fixed: N }`). */
export type Distribution =
  | number
  | { fixed: number }
  | { uniform: [number, number] }
  | { normal: Spread }
  | { lognormal: Spread };

/** Mean and spread of the values drawn, with optional bounds (draws outside are drawn again). */
export interface Spread {
  mean: number;
  stddev: number;
  min?: number;
  max?: number;
}

/** What one kind of quantity allows. */
export interface DistributionKind {
  /** Whole numbers only (token counts), rounded to the nearest. */
  integer: boolean;
  /** Smallest value allowed (1 for token counts, 0 for think times). */
  floor: number;
  /** What a value is, for descriptions: 'tokens', 'ms'. */
  unit: string;
  /** Largest value allowed: a written value above it is an error, a draw above it is clamped. */
  ceiling: number;
  /** Why the ceiling, for the message. */
  ceilingWhy?: string;
}

/**
 * Most tokens one prompt may have: beyond any served model's context (1-2M), and its text
 * (~7 bytes a token) still fits comfortably in memory and in one request body.
 */
export const MAX_PROMPT_TOKENS = 2_000_000;

export const TOKEN_COUNT: DistributionKind = {
  integer: true,
  floor: 1,
  unit: 'tokens',
  ceiling: MAX_PROMPT_TOKENS,
  ceilingWhy: 'beyond any model\'s context',
};
export const DURATION_MS: DistributionKind = { integer: false, floor: 0, unit: 'ms', ceiling: Number.MAX_SAFE_INTEGER };

/** A token count of a prefix or a block, with the same ceiling as TOKEN_COUNT. */
export function tokenCountSchema() {
  return z.number().int().positive().max(MAX_PROMPT_TOKENS, `must be at most ${MAX_PROMPT_TOKENS.toLocaleString('en-US')} tokens (${TOKEN_COUNT.ceilingWhy})`);
}

/** The zod schema of a distribution of one kind, with min <= max checked at its line. */
export function distributionSchema(kind: DistributionKind) {
  const tooBig = `must be at most ${kind.ceiling.toLocaleString('en-US')} ${kind.unit}${kind.ceilingWhy ? ` (${kind.ceilingWhy})` : ''}`;
  const value = (kind.integer ? z.number().int() : z.number()).min(kind.floor).max(kind.ceiling, tooBig);
  const spread = z
    .strictObject({
      mean: z.number().min(kind.floor).max(kind.ceiling, tooBig).describe(`Mean of the values drawn, ${kind.unit}.`),
      stddev: z.number().nonnegative().describe(`Standard deviation of the values drawn, ${kind.unit}.`),
      min: value.optional().describe(`Smallest value; draws below are drawn again, ${kind.unit}.`),
      max: value.optional().describe(`Largest value; draws above are drawn again, ${kind.unit}.`),
    })
    .superRefine((s, ctx) => {
      if (s.min !== undefined && s.max !== undefined && s.min > s.max) {
        ctx.addIssue({ code: 'custom', path: ['min'], message: `must be at most max (${s.max}); swap them` });
      } else if (s.min !== undefined && s.mean < s.min && s.stddev === 0) {
        ctx.addIssue({ code: 'custom', path: ['mean'], message: `is below min (${s.min}) with stddev 0, so nothing can be drawn` });
      } else if (s.max !== undefined && s.mean > s.max && s.stddev === 0) {
        ctx.addIssue({ code: 'custom', path: ['mean'], message: `is above max (${s.max}) with stddev 0, so nothing can be drawn` });
      }
    });
  return z.union([
    value.describe(`A fixed value, ${kind.unit}.`),
    z.strictObject({ fixed: value.describe(`Every request gets this value, ${kind.unit}.`) }).describe('A fixed value.'),
    z
      .strictObject({
        uniform: z
          .tuple([value, value])
          .superRefine((t, ctx) => {
            if (t[0] > t[1]) ctx.addIssue({ code: 'custom', path: [0], message: `must be at most the upper bound (${t[1]}); write [low, high]` });
          })
          .describe(`[low, high], both included, ${kind.unit}.`),
      })
      .describe('Uniform between two bounds.'),
    z.strictObject({ normal: spread.describe('Normal (Gaussian), truncated to [min, max].') }).describe('Normal distribution.'),
    z
      .strictObject({ lognormal: spread.describe('Log-normal with this mean and standard deviation of the values (long right tail, like real prompt lengths), truncated to [min, max].') })
      .describe('Log-normal distribution.'),
  ]);
}

/** Draws this many times before giving up on [min, max] and clamping (a bound far in a tail). */
const MAX_REDRAWS = 64;

/** One draw. Integers for an integer kind; never below the kind's floor. */
export function draw(d: Distribution, kind: DistributionKind, random: Random): number {
  if (typeof d === 'number') return d;
  if ('fixed' in d) return d.fixed;
  if ('uniform' in d) {
    const [lo, hi] = d.uniform;
    return kind.integer ? lo + Math.floor(random() * (hi - lo + 1)) : lo + random() * (hi - lo);
  }
  const s = 'normal' in d ? d.normal : d.lognormal;
  const sample = 'normal' in d ? () => s.mean + s.stddev * normal(random) : lognormalSampler(s, random);
  const lo = Math.max(kind.floor, s.min ?? -Infinity);
  const hi = Math.min(kind.ceiling, s.max ?? Infinity);
  const shape = (x: number) => (kind.integer ? Math.round(x) : x);
  for (let i = 0; i < MAX_REDRAWS; i++) {
    const x = shape(sample());
    if (x >= lo && x <= hi) return x;
  }
  return Math.min(hi, Math.max(lo, shape(s.mean)));
}

/** A log-normal whose values have mean m and stddev s: sigma^2 = ln(1 + s^2/m^2), mu = ln m - sigma^2/2. */
function lognormalSampler(s: Spread, random: Random): () => number {
  if (s.mean <= 0) return () => 0;
  const sigma2 = Math.log(1 + (s.stddev * s.stddev) / (s.mean * s.mean));
  const mu = Math.log(s.mean) - sigma2 / 2;
  const sigma = Math.sqrt(sigma2);
  return () => Math.exp(mu + sigma * normal(random));
}

/** The expected value (before truncation), for plan totals. */
export function meanOf(d: Distribution): number {
  if (typeof d === 'number') return d;
  if ('fixed' in d) return d.fixed;
  if ('uniform' in d) return (d.uniform[0] + d.uniform[1]) / 2;
  return 'normal' in d ? d.normal.mean : d.lognormal.mean;
}

/** The largest value a draw can give (Infinity when unbounded), for corpus limits. */
export function maxOf(d: Distribution): number {
  if (typeof d === 'number') return d;
  if ('fixed' in d) return d.fixed;
  if ('uniform' in d) return d.uniform[1];
  return ('normal' in d ? d.normal.max : d.lognormal.max) ?? Infinity;
}

/** Short text for tables and cell ids: 1024, U(128,512), N(480,240), LN(480,240). */
export function describeDistribution(d: Distribution): string {
  if (typeof d === 'number') return String(d);
  if ('fixed' in d) return String(d.fixed);
  if ('uniform' in d) return `U(${d.uniform[0]},${d.uniform[1]})`;
  const s = 'normal' in d ? d.normal : d.lognormal;
  const bounds = s.min !== undefined || s.max !== undefined ? `[${s.min ?? ''},${s.max ?? ''}]` : '';
  return `${'normal' in d ? 'N' : 'LN'}(${s.mean},${s.stddev})${bounds}`;
}
