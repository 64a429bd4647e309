/** A capacity search's result as run.json keeps it, for tests of what reads one. */
import type { CapacityEntry } from '../../src/search/result.js';

/** A bracketed concurrency search of the cell m=a (capacity 24, first fail 32), with `over` laid on top. */
export function capacityEntry(over: Partial<CapacityEntry> = {}): CapacityEntry {
  return {
    cell: 'm=a',
    params: { model: 'a' },
    over: 'concurrency',
    outcome: 'bracketed',
    capacity: 24,
    bracket: { pass: 24, fail: 32 },
    decided: true,
    converged: false,
    attainment: 0.9612,
    interval: [0.93, 0.98],
    fail_attainment: 0.71,
    goodput_rps: 12.5,
    output_tokens_per_s: 1500.25,
    criterion: 'TTFT p95 <= 500 ms',
    target: 0.95,
    confidence: 0.9,
    requests: 1040,
    steps: [],
    ...over,
  };
}
