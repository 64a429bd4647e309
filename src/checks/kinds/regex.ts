/** regex: a JavaScript regular expression that must match somewhere in the answer. */
import { CheckSpecError } from '../types.js';
import type { CheckKind, SpecOf } from './kind.js';
import { quote } from './kind.js';

/** Patterns from a column compiled so far (one per distinct value), bounded. */
const MAX_CACHED = 256;

export const regex: CheckKind<SpecOf<'regex'>> = {
  perPrompt: true,
  label: (spec) => (spec.column !== undefined ? `regex column ${spec.column}` : `regex /${spec.value ?? ''}/${spec.flags ?? ''}`),
  compile: (spec) => {
    const flags = spec.flags ?? '';
    if (spec.value !== undefined) {
      const fixed = compilePattern(spec.value, flags, ['value']);
      return (text) => test(fixed, text);
    }
    const cache = new Map<string, RegExp>();
    return (text, pattern = '') => {
      let re = cache.get(pattern);
      if (!re) {
        // An invalid pattern in one row throws here and fails that row's check, with the reason.
        re = compilePattern(pattern, flags, ['column']);
        if (cache.size >= MAX_CACHED) cache.clear();
        cache.set(pattern, re);
      }
      return test(re, text);
    };
  },
};

function compilePattern(pattern: string, flags: string, path: string[]): RegExp {
  try {
    return new RegExp(pattern, flags);
  } catch (e) {
    throw new CheckSpecError(path, `invalid regular expression ${quote(pattern)}: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}`);
  }
}

function test(re: RegExp, text: string): { pass: boolean; reason?: string } {
  // With the g or y flag, test() starts at lastIndex, left over from the previous answer.
  re.lastIndex = 0;
  return re.test(text) ? { pass: true } : { pass: false, reason: `no match for /${re.source}/${re.flags}` };
}
