/** CSV datasets with a header line: the prompt in the `text:` column (default "prompt"). */
import { recordContent } from './columns.js';
import type { DatasetFormat } from './dataset-format.js';
import { csvRows } from './read-rows.js';

export const csvFormat: DatasetFormat = {
  rows: csvRows,
  content: (row, ref, columns) => recordContent(row.value as Record<string, string>, columns, `${ref.shown}:${row.line}`, 'column'),
};
