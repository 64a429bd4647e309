/**
 * capacity.csv, column by column: one row per searched cell (`search:` in the spec), the
 * same figures as run.json's `capacity`, written and read back by one table.
 */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { UserError } from '../errors.js';
import { round } from '../metrics/stats.js';
import { axisColumn, csvTable, numberCell, parseNumberCell, type Column, type CsvTable } from '../records/columns.js';
import type { CapacityEntry } from '../search/result.js';

export const CAPACITY_CSV = 'capacity.csv';

type Num = 'capacity' | 'attainment' | 'fail_attainment' | 'goodput_rps' | 'output_tokens_per_s' | 'target' | 'confidence' | 'requests';

function num(name: Num, doc: string, digits = 4, type: 'integer' | 'number' = 'number'): Column<CapacityEntry> {
  return {
    name,
    doc,
    type,
    get: (e) => numberCell(round(e[name], digits)),
    parse: (t, e) => ((e as unknown as Record<string, number | undefined>)[name] = parseNumberCell(t)),
  };
}

function end(name: 'bracket_pass' | 'bracket_fail', key: 'pass' | 'fail', doc: string): Column<CapacityEntry> {
  return { name, doc, type: 'number', get: (e) => numberCell(e.bracket[key]), parse: (t, e) => (e.bracket[key] = parseNumberCell(t)) };
}

function interval(name: 'attainment_low' | 'attainment_high', i: 0 | 1, doc: string): Column<CapacityEntry> {
  return {
    name,
    doc,
    type: 'number',
    get: (e) => numberCell(round(e.interval?.[i], 4)),
    parse: (t, e) => {
      const v = parseNumberCell(t);
      if (v !== undefined) (e.interval ??= [NaN, NaN])[i] = v;
    },
  };
}

function flag(name: 'decided' | 'converged', doc: string): Column<CapacityEntry> {
  return { name, doc, type: 'boolean', get: (e) => String(e[name]), parse: (t, e) => (e[name] = t === 'true') };
}

const CELL: Column<CapacityEntry> = {
  name: 'cell',
  doc: 'id of the searched cell: its matrix values without the searched one',
  type: 'string',
  get: (e) => e.cell,
  parse: (t, e) => (e.cell = t),
};

/** The columns after the matrix axes, in file order. */
export const CAPACITY_COLUMNS: readonly Column<CapacityEntry>[] = [
  {
    name: 'over',
    doc: '`concurrency` or `rate`: the load setting searched',
    type: 'string',
    values: ['concurrency', 'rate'],
    get: (e) => e.over,
    parse: (t, e) => (e.over = t === 'rate' ? 'rate' : 'concurrency'),
  },
  {
    name: 'outcome',
    doc: '`bracketed` (between a pass and a fail), `below_min` (even `min` failed: capacity < min), `at_max` (`max` passed: capacity >= max) or `unbracketed` (stopped before any step failed: only a lower bound)',
    type: 'string',
    values: ['bracketed', 'below_min', 'at_max', 'unbracketed'],
    get: (e) => e.outcome,
    parse: (t, e) => (e.outcome = t as CapacityEntry['outcome']),
  },
  num('capacity', 'the largest value that passed (requests in flight, or requests/s); empty when below_min', 4),
  end('bracket_pass', 'pass', 'the last value that passed (= capacity); empty when below_min'),
  end('bracket_fail', 'fail', 'the first value that failed; empty when at_max or unbracketed'),
  num('attainment', 'share of requests meeting the objective at the capacity'),
  interval('attainment_low', 0, 'low end of its Wilson interval at `confidence`'),
  interval('attainment_high', 1, 'high end of its Wilson interval'),
  num('fail_attainment', 'share of requests meeting the objective at the first fail'),
  num('goodput_rps', 'requests meeting every SLO per second at the capacity', 3),
  num('output_tokens_per_s', 'output tokens per second at the capacity', 3),
  {
    name: 'criterion',
    doc: 'what a step was judged by, in words: `TTFT p95 <= 500 ms`, `ttft_ms.p95 < 500 and error_rate < 1%`',
    type: 'string',
    get: (e) => e.criterion,
    parse: (t, e) => (e.criterion = t),
  },
  num('target', 'the share of requests the criterion asks for (the binding threshold\'s for thresholds)'),
  num('confidence', 'level of every step\'s interval'),
  {
    name: 'steps',
    doc: 'values measured',
    type: 'integer',
    get: (e) => String(e.steps.length),
    parse: () => {},
  },
  num('requests', 'recorded requests spent over all steps', 0, 'integer'),
  flag('decided', '`true` when both ends of the bracket were decided by their interval; `false` when one was still undecided at `max_rounds`'),
  flag('converged', '`true` when the bracket is as tight as asked (adjacent concurrencies, rates within `tolerance`) or the capacity is at an end of the range; `false` when `max_steps` ran out first'),
];

function blank(): CapacityEntry {
  return {
    cell: '',
    params: {},
    over: 'concurrency',
    outcome: 'bracketed',
    bracket: {},
    decided: false,
    converged: false,
    criterion: '',
    confidence: NaN,
    requests: 0,
    steps: [],
  };
}

export function capacityTable(axes: readonly string[]): CsvTable<CapacityEntry> {
  return csvTable([CELL, ...axes.map((a) => axisColumn<CapacityEntry>(a)), ...CAPACITY_COLUMNS], blank);
}

/** `axes`: the plan's axes without the searched one. */
export function serializeCapacityCsv(entries: readonly CapacityEntry[], axes: readonly string[]): string {
  const table = capacityTable(axes);
  return stringify([table.header(), ...entries.map(table.row)]);
}

/** capacity.csv back into entries (without their steps, which only run.json lists). */
export function parseCapacityCsv(text: string, file = CAPACITY_CSV): CapacityEntry[] {
  let rows: string[][];
  try {
    rows = parse(text, { bom: true, relax_column_count: true, skip_empty_lines: true }) as string[][];
  } catch (e) {
    throw new UserError(`${file}: not a readable capacity.csv (${(e as Error).message})`);
  }
  const header = rows[0] ?? [];
  const at = header.indexOf(CAPACITY_COLUMNS[0].name);
  if (header[0] !== CELL.name || at < 0) throw new UserError(`${file}: not a capacity.csv written by llm-sweep`);
  const read = capacityTable(header.slice(1, at)).reader(header);
  return rows.slice(1).map(read);
}
