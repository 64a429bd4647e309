/**
 * Comparing two capacity searches of the same cell. A capacity is known as a bracket: it is
 * at least the last value that passed and below the first that failed. The change is a
 * regression only when the two brackets do not overlap and the current one lies below (its
 * first fail at or below the baseline's last pass); an improvement when it lies above. An
 * overlap is no evidence either way. Pure.
 */
import type { CapacityResult } from '../search/types.js';
import { bracketText } from './format.js';
import type { Verdict } from './types.js';

type Bracketed = Pick<CapacityResult, 'bracket' | 'decided'>;

export interface CapacityChange {
  verdict: Extract<Verdict, 'regression' | 'improved' | 'ok'>;
  /** Why, in words: `capacity 16-24 -> 8-12: below the baseline`. */
  note: string;
}

export function compareCapacity(baseline: Bracketed, current: Bracketed): CapacityChange {
  const below = current.bracket.fail !== undefined && baseline.bracket.pass !== undefined && current.bracket.fail <= baseline.bracket.pass;
  const above = current.bracket.pass !== undefined && baseline.bracket.fail !== undefined && current.bracket.pass >= baseline.bracket.fail;
  const verdict = below ? 'regression' : above ? 'improved' : 'ok';
  const where = below ? ': below the baseline' : above ? ': above the baseline' : ': the brackets overlap';
  const undecided = !baseline.decided || !current.decided ? ' (an end of a bracket was undecided)' : '';
  return { verdict, note: `capacity ${bracketText(baseline.bracket)} -> ${bracketText(current.bracket)}${where}${undecided}` };
}
