/**
 * `llm-sweep compare <result> --by target`: one result compared within itself. Its cells
 * are split by the value of one axis; the first value (or the one named, `--by
 * target=prod`) is the baseline and every other value a current result, each joined to the
 * baseline on the remaining parameters, so CI can gate on "the candidate is not slower
 * than production" from a single sweep.
 */
import { UserError } from '../errors.js';
import { axisCell } from '../records/columns.js';
import type { LoadedResult, ResultCell } from '../results/load.js';
import { nearest } from '../spec/suggest.js';

export interface ByAxis {
  axis: string;
  /** The baseline value, as text. */
  baseline: string;
  /** The other values, as text, in the result's order. */
  values: string[];
}

/** Parses `--by axis` or `--by axis=value` against the result's axes and values. */
export function parseBy(text: string, result: LoadedResult): ByAxis {
  const eq = text.indexOf('=');
  const axis = (eq >= 0 ? text.slice(0, eq) : text).trim();
  const wanted = eq >= 0 ? text.slice(eq + 1).trim() : undefined;
  if (!result.axes.includes(axis)) {
    const guess = nearest(axis, result.axes);
    throw new UserError(
      `--by ${text}: ${result.path} has no axis '${axis}'${guess ? ` — did you mean '${guess}'?` : ''} (axes: ${result.axes.join(', ') || 'none'})`,
    );
  }
  const values: string[] = [];
  for (const c of result.cells) {
    const v = axisCell(c.params[axis]);
    if (c.params[axis] !== undefined && !values.includes(v)) values.push(v);
  }
  if (values.length < 2) {
    throw new UserError(`--by ${text}: ${result.path} has ${values.length === 1 ? `only ${axis} ${values[0]}` : `no ${axis} values`}; --by compares two or more`);
  }
  const baseline = wanted ?? values[0];
  if (!values.includes(baseline)) {
    const guess = nearest(baseline, values);
    throw new UserError(`--by ${text}: ${axis} has no value '${baseline}'${guess ? ` — did you mean '${guess}'?` : ''} (${values.join(', ')})`);
  }
  return { axis, baseline, values: values.filter((v) => v !== baseline) };
}

/** The part of `result` whose `axis` is `value`, with that axis taken out of its cells' parameters. */
export function sliceBy(result: LoadedResult, axis: string, value: string): LoadedResult {
  const cells: ResultCell[] = result.cells
    .filter((c) => c.params[axis] !== undefined && axisCell(c.params[axis]) === value)
    .map((c) => ({ ...c, params: Object.fromEntries(Object.entries(c.params).filter(([k]) => k !== axis)) }));
  return {
    ...result,
    path: `${result.path} [${axis}=${value}]`,
    axes: result.axes.filter((a) => a !== axis),
    cells,
  };
}
