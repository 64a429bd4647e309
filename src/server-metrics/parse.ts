/**
 * Prometheus text format (0.0.4) to samples. parse-prometheus-text-format lexes the sample
 * lines (names, escaped label values, values, timestamps). It is fed the sample lines only:
 * its grouping of typed histograms and summaries drops `_sum`/`_count` and merges series
 * when they carry labels besides `le`/`quantile` (its open issue #13), which every vLLM
 * histogram does; and it throws on a `# HELP name` with no text. The maps know each metric's
 * kind, so the comments are not needed. It does not check names or values: that is done here,
 * which is also how text that is not Prometheus at all (an HTML page, JSON) is told apart.
 */
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import type { PromSample, SampleIndex } from './types.js';

export class PromParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PromParseError';
  }
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
/** A sample line starts with a name and then labels or a blank; the library drops a line with no name silently. */
const LINE_START = /^[a-zA-Z_:][a-zA-Z0-9_:]*(?:\{|\s)/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const VALUE = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|Inf|inf|NaN|nan)$/;

/** Every sample of an exposition, in order. Throws PromParseError for text that is not the format. */
export function parsePrometheus(text: string): PromSample[] {
  const lines = text.split('\n');
  const sampleLines: string[] = [];
  for (const line of lines) {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) continue;
    if (!LINE_START.test(t)) throw new PromParseError(`not Prometheus text: ${quote(t)}`);
    sampleLines.push(t);
  }
  let families;
  try {
    // The trailing newline matters: the library drops the last line of a text without one.
    families = parsePrometheusTextFormat(`${sampleLines.join('\n')}\n`);
  } catch {
    throw new PromParseError(`not Prometheus text: ${quoteFirstBad(sampleLines)}`);
  }
  const out: PromSample[] = [];
  for (const family of families) {
    for (const s of family.metrics) {
      const value = parseValue(s.value);
      const labels = s.labels ?? {};
      if (!NAME.test(family.name) || value === undefined || !Object.keys(labels).every((k) => LABEL_NAME.test(k))) {
        throw new PromParseError(`not Prometheus text: ${quoteFirstBad(sampleLines, family.name)}`);
      }
      out.push({ name: family.name, labels, value });
    }
  }
  return out;
}

/** Samples grouped by series name, for the aggregation. */
export function indexSamples(samples: readonly PromSample[]): SampleIndex {
  const index = new Map<string, PromSample[]>();
  for (const s of samples) {
    const list = index.get(s.name);
    if (list) list.push(s);
    else index.set(s.name, [s]);
  }
  return index;
}

function parseValue(raw: string | undefined): number | undefined {
  if (raw === undefined || !VALUE.test(raw)) return undefined;
  const bare = raw.replace(/^[+-]/, '').toLowerCase();
  if (bare === 'inf') return raw.startsWith('-') ? -Infinity : Infinity;
  if (bare === 'nan') return NaN;
  return Number(raw);
}

/** The first offending line (the first one starting with `name` when known), shortened and quoted. */
function quoteFirstBad(lines: readonly string[], name?: string): string {
  return quote((name !== undefined ? lines.find((l) => l.startsWith(name)) : undefined) ?? lines[0] ?? '');
}

function quote(line: string): string {
  return JSON.stringify(line.length > 60 ? `${line.slice(0, 57)}...` : line);
}
