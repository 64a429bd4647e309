/** contains, icontains, not-contains, equals, starts-with: plain text comparisons. */
import type { CheckKind, SpecOf } from './kind.js';
import { quote, valueLabel } from './kind.js';

export const contains: CheckKind<SpecOf<'contains'>> = {
  perPrompt: true,
  label: (spec) => valueLabel('contains', spec),
  compile: () => (text, expected = '') =>
    text.includes(expected) ? { pass: true } : { pass: false, reason: `does not contain ${quote(expected)}` },
};

export const icontains: CheckKind<SpecOf<'icontains'>> = {
  perPrompt: true,
  label: (spec) => valueLabel('icontains', spec),
  compile: () => (text, expected = '') =>
    fold(text).includes(fold(expected)) ? { pass: true } : { pass: false, reason: `does not contain ${quote(expected)} (any case)` },
};

export const notContains: CheckKind<SpecOf<'not-contains'>> = {
  perPrompt: true,
  label: (spec) => valueLabel('not-contains', spec),
  compile: () => (text, expected = '') =>
    text.includes(expected) ? { pass: false, reason: `contains ${quote(expected)}` } : { pass: true },
};

export const equals: CheckKind<SpecOf<'equals'>> = {
  perPrompt: true,
  label: (spec) => valueLabel('equals', spec),
  compile: (spec) => (text, expected = '') => {
    const a = spec.trim ? text.trim() : text;
    const b = spec.trim ? expected.trim() : expected;
    return a === b ? { pass: true } : { pass: false, reason: `is ${quote(a)}, not ${quote(b)}` };
  },
};

export const startsWith: CheckKind<SpecOf<'starts-with'>> = {
  perPrompt: true,
  label: (spec) => valueLabel('starts-with', spec),
  compile: () => (text, expected = '') =>
    text.trimStart().startsWith(expected)
      ? { pass: true }
      : { pass: false, reason: `starts with ${quote(text.trimStart(), 20)}, not ${quote(expected)}` },
};

/** Case folding that also folds ß/ẞ and similar: lower case of the upper case. */
function fold(s: string): string {
  return s.toUpperCase().toLowerCase();
}
