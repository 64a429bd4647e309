/**
 * The capacity of one searched cell in one line of words, e.g.
 * `model=llama3-8b: 24 concurrent requests meet TTFT p95 <= 500 ms (attainment 96%, 90% CI 93-98%); 32 do not (71%)`.
 * Pure: returns a string.
 */
import { capacityResultOf, type CapacityEntry } from '../search/result.js';
import type { CapacityResult, SearchStep } from '../search/types.js';
import { axisCell } from '../records/columns.js';
import { formatNumber } from './format.js';

/**
 * A share as a percentage: whole per cents, one decimal above 99% and below 100%. Interval ends
 * round outward (`down` for the low end, `up` for the high one), so a shown interval never
 * looks clear of a target that the real one straddles.
 */
export function percent(x: number, mode: 'nearest' | 'down' | 'up' = 'nearest'): string {
  const p = x * 100;
  const fine = p > 99 && p < 100;
  const scaled = fine ? p * 10 : p;
  // The epsilon keeps 99.8 (998.0000000000001 after scaling) from rounding up to 99.9.
  const r = mode === 'down' ? Math.floor(scaled + 1e-9) : mode === 'up' ? Math.ceil(scaled - 1e-9) : Math.round(scaled);
  return fine ? (r / 10).toFixed(1) : String(r);
}

function value(r: CapacityResult, v: number): string {
  return r.over === 'rate' ? formatNumber(v) : String(v);
}

function unit(r: CapacityResult, v: number): string {
  if (r.over === 'rate') return `${value(r, v)} requests/s`;
  return `${v} concurrent request${v === 1 ? '' : 's'}`;
}

/** `meet`, or `meets` after one concurrent request. */
function verb(r: CapacityResult, v: number, plural: string, singular: string): string {
  return r.over === 'concurrency' && v === 1 ? singular : plural;
}

/** `(attainment 96%, 90% CI 93-98%)`, or nothing when the step has no proportion. */
function evidence(step: SearchStep | undefined, confidence: number): string {
  if (step?.attainment === undefined) return '';
  const ci = step.interval ? `, ${percent(confidence)}% CI ${percent(step.interval[0], 'down')}-${percent(step.interval[1], 'up')}%` : '';
  return ` (attainment ${percent(step.attainment)}%${ci})`;
}

function stepAt(r: CapacityResult, v: number | undefined): SearchStep | undefined {
  return v === undefined ? undefined : r.steps.find((s) => s.value === v);
}

export function formatCapacityLine(prefix: string, r: CapacityResult, confidence: number): string {
  return `${prefix}: ${capacitySentence(r, confidence)}`;
}

/** The verdict without the cell: `24 concurrent requests meet ...; 32 do not (71%)`. */
export function capacitySentence(r: CapacityResult, confidence: number): string {
  const pass = stepAt(r, r.bracket.pass);
  const fail = stepAt(r, r.bracket.fail);
  const label = r.label || 'the criterion';
  let line: string;
  switch (r.outcome) {
    case 'below_min':
      line = `even ${unit(r, fail!.value)} ${verb(r, fail!.value, 'do', 'does')} not meet ${label}${evidence(fail, confidence)}: capacity < ${value(r, fail!.value)}`;
      break;
    case 'at_max':
      line = `${unit(r, pass!.value)} still ${verb(r, pass!.value, 'meet', 'meets')} ${label}${evidence(pass, confidence)}: capacity >= ${value(r, pass!.value)}, the highest tried`;
      break;
    case 'unbracketed':
      line =
        pass === undefined
          ? `no step finished: capacity unknown`
          : `${unit(r, pass.value)} ${verb(r, pass.value, 'meet', 'meets')} ${label}${evidence(pass, confidence)}; the search stopped before any step failed: capacity >= ${value(r, pass.value)}`;
      break;
    case 'bracketed': {
      const failShare = fail?.attainment === undefined ? '' : ` (${percent(fail.attainment)}%)`;
      line = `${unit(r, pass!.value)} ${verb(r, pass!.value, 'meet', 'meets')} ${label}${evidence(pass, confidence)}; ${value(r, fail!.value)} do not${failShare}`;
      if (!r.converged) line += `; max_steps ran out with the capacity between ${value(r, pass!.value)} and ${value(r, fail!.value)}`;
      break;
    }
  }
  const undecided = [pass, fail].filter((s): s is SearchStep => s?.verdict === 'undecided');
  for (const s of undecided) line += `; not decided: ${value(r, s.value)} was too close to call after ${s.requests} requests`;
  return line;
}

/** `model=llama3-8b, max_tokens=256`: the searched cell by its own values; `capacity` when it has none. */
export function searchedLabel(params: Record<string, unknown>): string {
  const parts = Object.entries(params).map(([k, v]) => `${k}=${axisCell(v)}`);
  return parts.length > 0 ? parts.join(', ') : 'capacity';
}

/** One line per searched cell, for the end of a run. */
export function formatCapacityLines(entries: readonly CapacityEntry[]): string {
  return entries.map((e) => `${formatCapacityLine(searchedLabel(e.params), capacityResultOf(e), e.confidence)}\n`).join('');
}
