/**
 * Pricing that cannot be what the user meant, found before the run: a price for a model the
 * sweep never sends (a typo, most likely), a model the sweep sends that has no price, and
 * default prices given by halves.
 */
import { nearest } from '../spec/suggest.js';
import type { Pricing } from './schema.js';

export interface PricingProblem {
  /** Path inside `pricing:` of the key at fault. */
  path: string[];
  message: string;
}

/** `models`: the model of each cell (undefined for a cell that sends none), in cell order. */
export function pricingProblems(pricing: Pricing, models: readonly (string | undefined)[]): PricingProblem[] {
  const problems: PricingProblem[] = [];
  const sent = [...new Set(models.filter((m): m is string => m !== undefined))];
  const listed = Object.keys(pricing.models ?? {});
  for (const m of listed) {
    if (sent.includes(m)) continue;
    const guess = nearest(m, sent);
    problems.push({
      path: ['models', m],
      message:
        `pricing for model '${m}', which the sweep does not send${guess ? ` — did you mean '${guess}'?` : ''}` +
        (sent.length > 0 ? ` (it sends: ${sent.join(', ')})` : ' (no cell sets a model: give input and output at the top of pricing: instead)'),
    });
  }
  const halves = (['input', 'output'] as const).filter((k) => pricing[k] === undefined);
  const hasDefault = halves.length === 0;
  if (halves.length === 1) {
    problems.push({ path: [halves[0] === 'input' ? 'output' : 'input'], message: `default prices need both input and output; ${halves[0]} is missing` });
  } else if (!hasDefault && pricing.cached_input !== undefined) {
    problems.push({ path: ['cached_input'], message: 'a default cached_input price needs default input and output prices too' });
  }
  if (!hasDefault && halves.length === 2) {
    const unpriced = sent.filter((m) => !listed.includes(m));
    if (unpriced.length > 0) {
      problems.push({
        path: listed.length > 0 ? ['models'] : [],
        message: `no price for model${unpriced.length > 1 ? 's' : ''} ${unpriced.map((m) => `'${m}'`).join(', ')}; add ${unpriced.length > 1 ? 'them' : 'it'} under pricing.models, or give default input and output prices`,
      });
    }
    if (models.some((m) => m === undefined)) {
      problems.push({ path: [], message: 'some cells send no model, so pricing.models cannot price them; give default input and output prices at the top of pricing:' });
    }
  }
  return problems;
}
