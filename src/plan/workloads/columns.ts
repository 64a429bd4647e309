/**
 * The prompt and output-length fields of a JSONL object or a CSV record, picked by name
 * (`text:` and `output:` in the spec), with "did you mean" for a misspelt field.
 */
import { UserError } from '../../errors.js';
import { nearest } from '../../spec/suggest.js';
import type { Columns, RowContent } from './dataset-format.js';

/** The content of one record (an object of fields), or a UserError at `at`. */
export function recordContent(record: Record<string, unknown>, columns: Columns, at: string, what: string): RowContent | undefined {
  const text = record[columns.text];
  if (typeof text !== 'string') {
    if (!(columns.text in record)) throw missing(record, columns.text, at, what);
    throw new UserError(`${at}: ${what} "${columns.text}" must be text, got ${JSON.stringify(text)}`);
  }
  if (text.trim() === '') return undefined;
  if (columns.output === undefined) return { prompt: text };
  const out = record[columns.output];
  if (typeof out === 'string' && out.trim() !== '' && /^\s*\d+\s*$/.test(out)) return { prompt: text, outputTokens: Number(out) };
  if (typeof out === 'number' && Number.isInteger(out) && out > 0) return { prompt: text, outputTokens: out };
  if (typeof out === 'string') return { prompt: text, answer: out };
  if (!(columns.output in record)) throw missing(record, columns.output, at, what);
  throw new UserError(`${at}: ${what} "${columns.output}" must be an output length (a whole number) or the reference answer (text), got ${JSON.stringify(out)}`);
}

function missing(record: Record<string, unknown>, name: string, at: string, what: string): UserError {
  const keys = Object.keys(record);
  const guess = nearest(name, keys);
  return new UserError(
    `${at}: no ${what} "${name}" (found ${keys.map((k) => `"${k}"`).join(', ') || 'none'})${guess ? ` — did you mean "${guess}"?` : ''}; name the ${what} with text: (and output:) in the spec`,
  );
}
