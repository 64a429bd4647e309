/**
 * The spec's `search:` section: find each cell's capacity, the highest concurrency or rate
 * at which the criterion still holds (docs/search.md). Its cross-field rules (min <= max, a
 * criterion, `over` not also an axis) are checked with positions in search/spec-checks.ts.
 */
import { z } from 'zod';
import { RATE_INF } from './params.js';

/** Per-request service-level objectives, all in ms: the spec's `slo:` and a search's. */
export const sloSchema = z.strictObject({
  ttft_ms: z.number().positive().optional().describe('Time to first token at most this, ms.'),
  tpot_ms: z.number().positive().optional().describe('Time per output token at most this, ms.'),
  latency_ms: z.number().positive().optional().describe('Whole request at most this, ms.'),
  itl_ms: z.number().positive().optional().describe('Median inter-token latency at most this, ms.'),
});

/** k6-style thresholds: `key: "< 2000"` or a list of conditions. */
export const thresholdsSchema = z.record(z.string(), z.union([z.string(), z.array(z.string()).min(1)]));

const share = (what: string) =>
  z.number().refine((v) => v > 0 && v <= 1, `must be a share above 0 and at most 1 (${what})`);

export const searchSchema = z
  .strictObject({
    over: z
      .enum(['concurrency', 'rate'])
      .describe('The load setting searched: concurrency (requests in flight, closed loop) or rate (requests per second, open loop).'),
    min: z.number().positive().default(1).describe('Lowest value tried, where probing starts; default 1.'),
    max: z
      .union([z.number().positive(), z.string().regex(/^\.?inf(inity)?$/i)])
      .transform((v): number | typeof RATE_INF => (typeof v === 'string' ? RATE_INF : v))
      .describe('Highest value tried. For rate, inf probes up without a cap (until a step fails or max_steps).'),
    slo: sloSchema
      .optional()
      .describe("Per-request objectives a step's requests must meet, `attainment` of them; default: the spec's slo."),
    thresholds: thresholdsSchema
      .optional()
      .describe('k6-style thresholds every step must meet instead of an SLO (ttft_ms.p95: "< 500", error_rate: "< 1%"); a percentile becomes the share of requests under the limit.'),
    attainment: share('0.95 = 95% of requests')
      .default(0.95)
      .describe('Share of requests that must meet the SLO; 1 = every request.'),
    confidence: z
      .number()
      .refine((v) => v > 0 && v < 1, 'must be above 0 and below 1 (0.9 = a 90% interval)')
      .default(0.9)
      .describe("Level of the Wilson interval that decides a step: it passes when the interval of its attainment lies wholly at or above `attainment`, fails when wholly below."),
    max_steps: z
      .number()
      .int()
      .positive()
      .default(20)
      .describe('Distinct values measured at most; the default covers min 1, max 512 (10 probes, then up to 8 bisections).'),
    requests_per_step: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Requests per round of a step; default twice the fewest that can pass at attainment and confidence (104 for 0.95 at 0.9).'),
    duration_s_per_step: z.number().positive().optional().describe('Seconds per round of a step, instead of requests_per_step.'),
    max_rounds: z
      .number()
      .int()
      .positive()
      .default(4)
      .describe('Rounds a step gets while its interval straddles the target; then it is reported undecided.'),
    tolerance: z
      .number()
      .positive()
      .default(0.1)
      .describe('Rate only: stop bisecting when first fail / last pass <= 1 + tolerance (0.1 = within 10%). Concurrency bisects to adjacent integers.'),
  })
  .describe('Find each cell\'s capacity: the largest concurrency or rate at which the criterion holds, probing up from min, then bisecting; see docs/search.md.');

export type SearchSpec = z.output<typeof searchSchema>;
