/**
 * Cell ids are built from the cell's own values only, so adding or removing an unrelated
 * cell never renames another one (results stay comparable across spec edits). Common keys
 * get short names to keep ids readable in a terminal: `m=llama3-8b,t=0.7,mt=256,c=8`.
 * Keys keep the column order. A text value that could be mistaken for another value
 * (a number, true, empty, or one holding `,` or `=`) is written in JSON quotes, so
 * different cells always get different ids.
 */
import type { Combination } from './types.js';

const SHORT: Readonly<Record<string, string>> = {
  model: 'm',
  temperature: 't',
  max_tokens: 'mt',
  max_completion_tokens: 'mct',
  concurrency: 'c',
  rate: 'r',
  stream: 's',
  top_p: 'p',
  top_k: 'k',
  input_tokens: 'in',
  output_tokens: 'out',
};

export function cellId(params: Combination): string {
  const keys = Object.keys(params);
  const parts = keys.map((k) => {
    const short = Object.hasOwn(SHORT, k) ? SHORT[k] : undefined;
    // A cell that also has a key literally named like the short form keeps the long name.
    const name = short !== undefined && !keys.includes(short) ? short : k;
    // `inf` is the only text a rate takes: no quotes needed to tell it from a number.
    return `${name}=${k === 'rate' && params[k] === 'inf' ? 'inf' : valueText(params[k])}`;
  });
  return parts.length > 0 ? parts.join(',') : 'default';
}

const LOOKS_LIKE_ANOTHER_TYPE = /^(true|false|null|~|[-+]?(\d[\d_]*)?\.?\d+([eE][-+]?\d+)?|[-+]?\.?inf(inity)?|\.?nan)$/i;

function valueText(v: unknown): string {
  if (typeof v === 'string') {
    const ambiguous = v === '' || v !== v.trim() || /[,="]/.test(v) || /^[[{]/.test(v) || LOOKS_LIKE_ANOTHER_TYPE.test(v);
    return ambiguous ? JSON.stringify(v) : v;
  }
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null || v === undefined) return 'null';
  return JSON.stringify(v);
}
