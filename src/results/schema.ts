/**
 * The JSON Schema of a results folder, from the definitions that write it: run.json's zod
 * schema, and a row of requests.csv, summary.csv and capacity.csv from their column tables. Printed by
 * `llm-sweep schema --results`, committed as docs/results.schema.json.
 */
import { z } from 'zod';
import { REQUEST_COLUMNS, type Column } from '../records/columns.js';
import { CAPACITY_COLUMNS } from './capacity-csv.js';
import { runJsonSchema } from './run-json.js';
import { SUMMARY_COLUMNS } from './summary-csv.js';

/** A CSV row as JSON Schema: every column as text (empty = no value), its `doc` as the description. */
function rowSchema<T>(columns: readonly Column<T>[], first: Column<T>, description: string): Record<string, unknown> {
  const property = (c: Column<T>) => {
    const kind = c.values ? `one of ${c.values.join(', ')}` : c.type === 'any' ? 'a matrix value' : `a${c.type === 'integer' ? 'n' : ''} ${c.type}`;
    const p: Record<string, unknown> = { type: 'string', description: `${c.doc} (${kind}, or empty)` };
    if (c.values) p.enum = ['', ...c.values];
    else if (c.type === 'integer') p.pattern = '^(-?\\d+)?$';
    else if (c.type === 'number') p.pattern = '^(-?(\\d+\\.?\\d*|\\.\\d+)(e[-+]?\\d+)?)?$';
    else if (c.type === 'boolean') p.enum = ['', 'true', 'false'];
    return p;
  };
  return {
    type: 'object',
    description: `${description} Columns between \`${first.name}\` and \`${columns[0].name}\` are the matrix axes, in spec order; columns are text as in the file.`,
    properties: Object.fromEntries([first, ...columns].map((c) => [c.name, property(c)])),
    required: [first.name, ...columns.map((c) => c.name)],
    additionalProperties: { type: 'string', description: 'a matrix axis: its value as text (lists and maps as JSON)' },
  };
}

export function resultsJsonSchema(): Record<string, unknown> {
  const cell = { name: 'cell', doc: 'cell id', type: 'string' } as Column<unknown>;
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://github.com/llm-sweep/llm-sweep/schema/results.json',
    title: 'llm-sweep results folder',
    description: 'What a results folder holds: run.json, and one row of requests.csv, of summary.csv and (with search:) of capacity.csv.',
    $defs: {
      'run.json': z.toJSONSchema(runJsonSchema, { io: 'output', unrepresentable: 'any' }),
      'requests.csv': rowSchema(REQUEST_COLUMNS, cell as Column<never>, 'One row of requests.csv: one planned request.'),
      'summary.csv': rowSchema(SUMMARY_COLUMNS, cell as Column<never>, 'One row of summary.csv: one cell.'),
      'capacity.csv': rowSchema(CAPACITY_COLUMNS, cell as Column<never>, 'One row of capacity.csv: one searched cell (search: in the spec).'),
    },
  };
}
