/**
 * A capacity search's result as run.json keeps it (`capacity`, one entry per searched cell)
 * and capacity.csv shows it: the cell it was searched for, the capacity and its bracket,
 * the evidence at both ends, and every step. The schema lives here, beside the search;
 * results/run-json.ts is the only code that reads or writes the file.
 */
import { z } from 'zod';
import type { CapacityResult } from './types.js';

const stepSchema = z.object({
  index: z.number().int().describe('0-based order in the search (the search_step column).'),
  cell: z.string().describe('Id of the step\'s cell (its rows in requests.csv, its summary in cells).'),
  value: z.number().describe('The searched value: requests in flight, or requests/s.'),
  phase: z.enum(['probe', 'bisect']).describe('Probing up from min, or bisecting the bracket.'),
  rounds: z.number().int().describe('Rounds of requests the step got.'),
  requests: z.number().int().describe('Recorded requests of the step, all rounds.'),
  verdict: z.enum(['pass', 'fail', 'undecided']).describe('Interval wholly at or above the target, wholly below, or neither after the last round.'),
  lean: z.enum(['pass', 'fail']).describe('The side the search took: the verdict, or for an undecided step its point estimate.'),
  attainment: z.number().optional().describe('Share of requests meeting the objective.'),
  interval: z.tuple([z.number(), z.number()]).optional().describe('Wilson interval of the attainment at `confidence`.'),
  goodput_rps: z.number().optional().describe('Requests meeting every SLO per second.'),
  output_tokens_per_s: z.number().optional().describe('Output tokens per second.'),
});

export const capacityEntrySchema = z
  .object({
    cell: z.string().describe('Id of the searched cell: its own matrix values, without the searched one.'),
    params: z.record(z.string(), z.unknown()).describe('Matrix values of the searched cell.'),
    over: z.enum(['concurrency', 'rate']).describe('The load setting searched.'),
    outcome: z
      .enum(['bracketed', 'below_min', 'at_max', 'unbracketed'])
      .describe('bracketed: between a pass and a fail; below_min: even min failed; at_max: max passed; unbracketed: stopped before any step failed.'),
    capacity: z.number().optional().describe('The largest value that passed; absent when below_min.'),
    bracket: z.object({ pass: z.number().optional(), fail: z.number().optional() }).describe('Last pass and first fail.'),
    decided: z.boolean().describe('Both ends of the bracket decided by their interval (false: one was undecided at the cap).'),
    converged: z.boolean().describe('The bracket is as tight as asked, or the capacity is at an end of the range.'),
    attainment: z.number().optional().describe('Attainment at the capacity.'),
    interval: z.tuple([z.number(), z.number()]).optional().describe('Its Wilson interval.'),
    fail_attainment: z.number().optional().describe('Attainment at the first fail.'),
    goodput_rps: z.number().optional().describe('Goodput at the capacity, requests/s.'),
    output_tokens_per_s: z.number().optional().describe('Output tokens per second at the capacity.'),
    criterion: z.string().describe('What was judged, in words: "TTFT p95 <= 500 ms".'),
    target: z.number().optional().describe('The share of requests asked for.'),
    confidence: z.number().describe('Level of every step\'s interval.'),
    requests: z.number().int().describe('Recorded requests spent over all steps.'),
    steps: z.array(stepSchema).describe('Every value measured, in order.'),
  })
  .describe('The capacity of one searched cell.');

export type CapacityEntry = z.output<typeof capacityEntrySchema>;

/** The search's result for run.json; step cell ids by step index. */
export function capacityEntry(
  searched: { cell: string; params: Record<string, unknown> },
  r: CapacityResult,
  confidence: number,
  stepCells: readonly string[],
): CapacityEntry {
  return {
    cell: searched.cell,
    params: searched.params,
    over: r.over,
    outcome: r.outcome,
    capacity: r.capacity,
    bracket: { pass: r.bracket.pass, fail: r.bracket.fail },
    decided: r.decided,
    converged: r.converged,
    attainment: r.attainment,
    interval: r.interval,
    fail_attainment: r.fail_attainment,
    goodput_rps: r.goodput_rps,
    output_tokens_per_s: r.output_tokens_per_s,
    criterion: r.label,
    target: r.target,
    confidence,
    requests: r.requests,
    steps: r.steps.map((s) => ({
      index: s.index,
      cell: stepCells[s.index],
      value: s.value,
      phase: s.phase,
      rounds: s.rounds,
      requests: s.requests,
      verdict: s.verdict,
      lean: s.lean,
      attainment: s.attainment,
      interval: s.interval,
      goodput_rps: s.goodput_rps,
      output_tokens_per_s: s.output_tokens_per_s,
    })),
  };
}

/** Back to the strategy's shape (for the verdict line, compare and the report). */
export function capacityResultOf(e: CapacityEntry): CapacityResult {
  return {
    over: e.over,
    outcome: e.outcome,
    capacity: e.capacity,
    bracket: e.bracket,
    decided: e.decided,
    converged: e.converged,
    attainment: e.attainment,
    interval: e.interval,
    goodput_rps: e.goodput_rps,
    output_tokens_per_s: e.output_tokens_per_s,
    fail_attainment: e.fail_attainment,
    label: e.criterion,
    target: e.target,
    requests: e.requests,
    steps: e.steps.map((s) => ({ ...s, target: e.target, label: e.criterion })),
  };
}
