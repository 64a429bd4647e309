/** max-length and min-length, in characters (code points) or tokens. */
import { estimateTokens } from '../../metrics/tokens.js';
import type { CheckTest, CompileContext } from '../types.js';
import type { CheckKind, SpecOf } from './kind.js';

type LengthSpec = SpecOf<'max-length'> | SpecOf<'min-length'>;

function lengthKind(bound: 'max' | 'min'): CheckKind<LengthSpec> {
  return {
    perPrompt: false,
    label: (spec) => `${bound}-length ${spec.value} ${spec.unit}`,
    compile: (spec, ctx: CompileContext): CheckTest => {
      const measure = spec.unit === 'tokens' ? (ctx.countTokens ?? estimateTokens) : codePoints;
      return (text) => {
        const n = measure(text);
        const ok = bound === 'max' ? n <= spec.value : n >= spec.value;
        return ok ? { pass: true } : { pass: false, reason: `${n} ${spec.unit} (${bound === 'max' ? 'most' : 'least'} ${spec.value})` };
      };
    },
  };
}

export const maxLength = lengthKind('max');
export const minLength = lengthKind('min');

/** Unicode code points: an emoji is one character, as a user counts it. */
export function codePoints(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff || i === 0 || (text.charCodeAt(i - 1) & 0xfc00) !== 0xd800) n++;
  }
  return n;
}
