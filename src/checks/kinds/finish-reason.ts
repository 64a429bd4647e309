/** finish-reason: the server's reason for ending the answer is one of the given ones. */
import type { CheckKind, SpecOf } from './kind.js';

export const finishReason: CheckKind<SpecOf<'finish-reason'>> = {
  perPrompt: false,
  label: (spec) => `finish-reason ${[spec.value].flat().join('|')}`,
  compile: (spec) => {
    const allowed = [spec.value].flat();
    return (_text, _expected, answer) => {
      const got = answer.finishReason;
      if (got === undefined || got === '') return { pass: false, reason: 'the server sent no finish_reason' };
      return allowed.includes(got) ? { pass: true } : { pass: false, reason: `finish_reason ${got}, not ${allowed.join(' or ')}` };
    };
  },
};
