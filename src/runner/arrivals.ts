/**
 * Open-loop arrival times, as vLLM's serving benchmark draws them: gaps from a gamma
 * distribution with shape = burstiness and mean 1/rate (burstiness 1 is a Poisson process),
 * or evenly spaced gaps for `constant`.
 */
import { gamma, mulberry32 } from '../random.js';

export interface ArrivalOptions {
  /** Requests per second. */
  rate: number;
  arrival: 'poisson' | 'constant';
  burstiness: number;
  seed: number;
}

/** An endless generator of arrival offsets in ms from the cell start; the first is 0. */
export function* arrivalOffsets(opts: ArrivalOptions): Generator<number> {
  const meanGapMs = 1000 / opts.rate;
  const random = mulberry32(opts.seed);
  let t = 0;
  for (;;) {
    yield t;
    t += opts.arrival === 'constant' ? meanGapMs : gamma(opts.burstiness, meanGapMs / opts.burstiness, random);
  }
}
