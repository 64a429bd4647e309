/** similar: word-overlap score (ROUGE-L or token F1) against a reference, at least a threshold. */
import { rougeL, tokenF1 } from '../similarity.js';
import type { CheckKind, SpecOf } from './kind.js';

const METRICS = { 'rouge-l': rougeL, f1: tokenF1 } as const;

export const similar: CheckKind<SpecOf<'similar'>> = {
  perPrompt: true,
  label: (spec) => `similar ${spec.metric} >= ${spec.threshold}${spec.column !== undefined ? ` to column ${spec.column}` : ''}`,
  compile: (spec) => {
    const score = METRICS[spec.metric];
    return (text, reference = '') => {
      const s = score(text, reference);
      return s >= spec.threshold ? { pass: true, score: s } : { pass: false, score: s, reason: `${spec.metric} ${round3(s)} < ${spec.threshold}` };
    };
  },
};

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
