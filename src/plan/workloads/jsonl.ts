/** JSON Lines datasets: one object per line, the prompt in the `text:` field (default "prompt"). */
import { UserError } from '../../errors.js';
import { recordContent } from './columns.js';
import type { DatasetFormat } from './dataset-format.js';
import { jsonlRows } from './read-rows.js';

export const jsonlFormat: DatasetFormat = {
  rows: jsonlRows,
  content(row, ref, columns) {
    const at = `${ref.shown}:${row.line}`;
    const v = row.value;
    if (typeof v === 'string') {
      // A bare string line is a prompt, as in prompt files.
      return columns.output === undefined && v.trim() !== '' ? { prompt: v } : recordContent({}, columns, at, 'field');
    }
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new UserError(`${at}: each line must be a JSON object with a "${columns.text}" field`);
    return recordContent(v as Record<string, unknown>, columns, at, 'field');
  },
};
