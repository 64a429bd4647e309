/**
 * search/: finds a cell's capacity, the largest concurrency or request rate at which the
 * criterion (SLO attainment, or k6-style thresholds) still holds. The strategy (strategy.ts)
 * is pure and deterministic: it only decides which value to measure next and with how many
 * more requests, through a `measure` callback the runner supplies; criterion.ts turns the
 * requests measured at a value into a pass / fail / undecided verdict with its interval.
 * Nothing here sends a request or prints.
 */

/** The load setting searched: requests in flight (closed loop) or requests per second (open loop). */
export type SearchOver = 'concurrency' | 'rate';

/** How much more to measure at a value in one round: a request count or a duration. */
export type Budget = { requests: number } | { duration_s: number };

export interface SearchOptions {
  over: SearchOver;
  /** Lowest value tried, and where probing starts; > 0. For concurrency, an integer >= 1. */
  min: number;
  /** Highest value tried; >= min, finite. */
  max: number;
  /** Measured per round at a value: the first round, and each further one an undecided step gets. */
  budget: Budget;
  /** Rounds a value may get before its step is reported undecided; >= 1 (1 = no extra rounds). */
  maxRounds: number;
  /** Distinct values measured at most; >= 1. */
  maxSteps: number;
  /** Probing multiplies the value by this until a step fails; > 1. Default 2. */
  growth?: number;
  /**
   * Rate only: bisection stops when first fail / last pass <= 1 + tolerance. Default 0.1.
   * Concurrency bisects integers until the two are adjacent.
   */
  tolerance?: number;
}

/** A step's verdict: the criterion's interval lies wholly on one side of its target, or not (yet). */
export type Verdict = 'pass' | 'fail' | 'undecided';

/**
 * The criterion's verdict on every request measured at one value so far (criterion.ts).
 * `attainment`/`interval`/`target` describe the proportion that decided it (the SLO
 * attainment, or the binding threshold); they are absent for a threshold with no proportion.
 */
export interface Judgement {
  verdict: Verdict;
  /** Which side the point estimate is on; equals verdict unless undecided. */
  lean: 'pass' | 'fail';
  /** Share of requests meeting the objective, 0..1. */
  attainment?: number;
  /** Wilson score interval of `attainment` at the search's confidence. */
  interval?: [number, number];
  /** The share the criterion asks for. */
  target?: number;
  /** What was judged, in words: `TTFT p95 <= 500 ms`, `ttft_ms.p95 < 500 and error_rate < 1%`. */
  label: string;
}

/** What the measure callback reports: the verdict on all requests at the value so far. */
export interface StepObservation {
  judgement: Judgement;
  /** Recorded requests measured at the value, all rounds. */
  requests: number;
  /** Requests meeting every SLO per second (with an SLO), over all rounds. */
  goodput_rps?: number;
  /** Output tokens per second over all rounds. */
  output_tokens_per_s?: number;
}

/**
 * Measures `more` at `value` on top of what earlier rounds at the same value measured, and
 * judges everything measured there. `step` is the value's 0-based order in the search,
 * `round` its 0-based round.
 */
export type Measure = (value: number, more: Budget, at: { step: number; round: number }) => Promise<StepObservation>;

/** One value the search measured: its last judgement, and what was measured there. */
export interface SearchStep extends Judgement, Omit<StepObservation, 'judgement'> {
  /** 0-based order in which the value was first measured (the `search_step` column). */
  index: number;
  value: number;
  phase: 'probe' | 'bisect';
  /** Rounds measured at the value. */
  rounds: number;
}

/**
 * Where the capacity lies: between two measured values (bracketed), below the lowest value
 * tried (the criterion failed even at min), at least the highest (it held at max), or
 * unbracketed: max_steps ran out (or the run was stopped) before any step failed, so only
 * a lower bound is known.
 */
export type CapacityOutcome = 'bracketed' | 'below_min' | 'at_max' | 'unbracketed';

export interface CapacityResult {
  over: SearchOver;
  outcome: CapacityOutcome;
  /** The largest value that passed (the bracket's pass end); undefined when below_min. */
  capacity?: number;
  /** Last pass and first fail; `pass` undefined when below_min, `fail` undefined when at_max or unbracketed. */
  bracket: { pass?: number; fail?: number };
  /**
   * True when every end of the bracket was decided by its interval. False when one was
   * undecided at the cap and the search went on by its point estimate.
   */
  decided: boolean;
  /** True when the bracket is as tight as asked (adjacent integers, rate within tolerance) or at an end; false when max_steps ran out first. */
  converged: boolean;
  /** At the capacity (the pass end). */
  attainment?: number;
  interval?: [number, number];
  goodput_rps?: number;
  output_tokens_per_s?: number;
  /** Attainment at the first fail, for "32 do not (71%)". */
  fail_attainment?: number;
  /** What the criterion judged, in words. */
  label: string;
  /** The share asked for. */
  target?: number;
  /** Every value measured, in order. */
  steps: SearchStep[];
  /** Recorded requests spent over all steps. */
  requests: number;
}
