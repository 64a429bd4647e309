/**
 * The capacity search: probe up from `min` (multiplying by `growth`) until a step fails or
 * `max` passes, then bisect between the last pass and the first fail: integers for
 * concurrency (until the two are adjacent), a geometric midpoint for rate (until they are
 * within the relative tolerance). A step is a value: it gets one round of `budget`, and more
 * rounds while the criterion's interval straddles the target, up to `maxRounds`; then it is
 * reported undecided and the search goes on by its point estimate. Every value measured
 * stays measured: the open bracket never holds a measured value, so no value is run twice.
 *
 * Pure and deterministic: given the same observations it measures the same values in the
 * same order, so a seeded server gives the same steps.
 */
import type { CapacityOutcome, CapacityResult, Measure, SearchOptions, SearchStep, StepObservation } from './types.js';

/** Default probing factor: double the value until a step fails. */
export const DEFAULT_GROWTH = 2;
/** Default relative tolerance of a rate search: the bracket's ends within 10%. */
export const DEFAULT_TOLERANCE = 0.1;

/** Programming errors only: the spec loader reports bad input with its position first. */
export function checkSearchOptions(o: SearchOptions): void {
  const bad = (why: string) => {
    throw new RangeError(`search: ${why}`);
  };
  // A rate may be searched without a cap (max: inf): probing then ends at the first fail or max_steps.
  const cap = Number.isFinite(o.max) || (o.over === 'rate' && o.max === Infinity);
  if (!(o.min > 0) || !cap || !(o.max >= o.min)) bad(`need 0 < min <= max (finite for concurrency), got min ${o.min}, max ${o.max}`);
  if (o.over === 'concurrency' && (!Number.isInteger(o.min) || !Number.isInteger(o.max))) bad('concurrency bounds must be integers');
  if (!(Number.isInteger(o.maxRounds) && o.maxRounds >= 1)) bad(`maxRounds must be an integer >= 1, got ${o.maxRounds}`);
  if (!(Number.isInteger(o.maxSteps) && o.maxSteps >= 1)) bad(`maxSteps must be an integer >= 1, got ${o.maxSteps}`);
  if (!((o.growth ?? DEFAULT_GROWTH) > 1)) bad(`growth must be > 1, got ${o.growth}`);
  if (!((o.tolerance ?? DEFAULT_TOLERANCE) > 0)) bad(`tolerance must be > 0, got ${o.tolerance}`);
}

/** The next probe: value x growth (at least one more for concurrency), capped at max. */
export function nextProbe(o: SearchOptions, value: number): number {
  const g = o.growth ?? DEFAULT_GROWTH;
  const next = o.over === 'concurrency' ? Math.max(value + 1, Math.round(value * g)) : value * g;
  return Math.min(o.max, next);
}

/** True when no value between the last pass and the first fail is worth measuring. */
export function isTight(o: SearchOptions, pass: number, fail: number): boolean {
  return o.over === 'concurrency' ? fail - pass <= 1 : fail / pass <= 1 + (o.tolerance ?? DEFAULT_TOLERANCE);
}

/** A value strictly between pass and fail: the integer midpoint, or the geometric one (3 significant digits when that stays inside). */
export function midpoint(o: SearchOptions, pass: number, fail: number): number {
  if (o.over === 'concurrency') return Math.floor((pass + fail) / 2);
  const mid = Math.sqrt(pass * fail);
  const rounded = Number(mid.toPrecision(3));
  return rounded > pass && rounded < fail ? rounded : mid;
}

export async function searchCapacity(o: SearchOptions, measure: Measure, signal?: AbortSignal): Promise<CapacityResult> {
  checkSearchOptions(o);
  const steps: SearchStep[] = [];
  let label = '';
  let target: number | undefined;

  const run = async (value: number, phase: SearchStep['phase']): Promise<SearchStep> => {
    const step: SearchStep = { index: steps.length, value, phase, rounds: 0, requests: 0, verdict: 'undecided', lean: 'fail', label: '' };
    steps.push(step);
    for (let round = 0; round < o.maxRounds; round++) {
      if (round > 0 && signal?.aborted) break;
      const obs = await measure(value, o.budget, { step: step.index, round });
      record(step, obs, round + 1);
      label = obs.judgement.label;
      target = obs.judgement.target;
      if (step.verdict !== 'undecided') break;
    }
    return step;
  };

  let pass: SearchStep | undefined;
  let fail: SearchStep | undefined;
  for (let value = o.min; steps.length < o.maxSteps && !signal?.aborted; value = nextProbe(o, value)) {
    const s = await run(value, 'probe');
    if (s.lean === 'fail') {
      fail = s;
      break;
    }
    pass = s;
    if (value >= o.max) break;
  }
  while (pass && fail && !isTight(o, pass.value, fail.value) && steps.length < o.maxSteps && !signal?.aborted) {
    const s = await run(midpoint(o, pass.value, fail.value), 'bisect');
    if (s.lean === 'pass') pass = s;
    else fail = s;
  }
  return result(o, steps, pass, fail, label, target);
}

function record(step: SearchStep, obs: StepObservation, rounds: number): void {
  const j = obs.judgement;
  step.rounds = rounds;
  step.requests = obs.requests;
  step.verdict = j.verdict;
  step.lean = j.lean;
  step.attainment = j.attainment;
  step.interval = j.interval;
  step.target = j.target;
  step.label = j.label;
  step.goodput_rps = obs.goodput_rps;
  step.output_tokens_per_s = obs.output_tokens_per_s;
}

function result(
  o: SearchOptions,
  steps: SearchStep[],
  pass: SearchStep | undefined,
  fail: SearchStep | undefined,
  label: string,
  target: number | undefined,
): CapacityResult {
  const outcome: CapacityOutcome =
    pass && fail ? 'bracketed' : fail ? 'below_min' : pass && pass.value >= o.max ? 'at_max' : 'unbracketed';
  const ends = [pass, fail].filter((s): s is SearchStep => s !== undefined);
  return {
    over: o.over,
    outcome,
    capacity: pass?.value,
    bracket: { pass: pass?.value, fail: fail?.value },
    decided: ends.length > 0 && ends.every((s) => s.verdict !== 'undecided'),
    converged: outcome === 'at_max' || outcome === 'below_min' || (outcome === 'bracketed' && isTight(o, pass!.value, fail!.value)),
    attainment: pass?.attainment,
    interval: pass?.interval,
    goodput_rps: pass?.goodput_rps,
    output_tokens_per_s: pass?.output_tokens_per_s,
    fail_attainment: fail?.attainment,
    label,
    target,
    steps,
    requests: steps.reduce((n, s) => n + s.requests, 0),
  };
}
