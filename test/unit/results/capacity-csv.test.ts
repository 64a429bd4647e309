import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { columnsMarkdown } from '../../../src/records/columns.js';
import { capacityTable, parseCapacityCsv, serializeCapacityCsv } from '../../../src/results/capacity-csv.js';
import type { CapacityEntry } from '../../../src/search/result.js';
import { REPO } from '../../helpers/cli.js';

const entry = (over: Partial<CapacityEntry>): CapacityEntry => ({
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
});

describe('capacity.csv', () => {
  it('writes one row per searched cell and reads it back (without the steps, which only run.json lists)', () => {
    const below = entry({ cell: 'm=b', params: { model: 'b' }, outcome: 'below_min', capacity: undefined, bracket: { fail: 1 }, attainment: undefined, interval: undefined, decided: false });
    const text = serializeCapacityCsv([entry({}), below], ['model']);
    expect(text.split('\n').slice(0, 3)).toEqual([
      'cell,model,over,outcome,capacity,bracket_pass,bracket_fail,attainment,attainment_low,attainment_high,fail_attainment,goodput_rps,output_tokens_per_s,criterion,target,confidence,steps,requests,decided,converged',
      'm=a,a,concurrency,bracketed,24,24,32,0.9612,0.93,0.98,0.71,12.5,1500.25,TTFT p95 <= 500 ms,0.95,0.9,0,1040,true,false',
      'm=b,b,concurrency,below_min,,,1,,,,0.71,12.5,1500.25,TTFT p95 <= 500 ms,0.95,0.9,0,1040,false,false',
    ]);
    const [a, b] = parseCapacityCsv(text);
    expect(a).toEqual({ ...entry({}), steps: [] });
    expect(b).toMatchObject({ cell: 'm=b', outcome: 'below_min', capacity: undefined, bracket: { fail: 1 }, decided: false });
  });

  it('is documented in docs/metrics.md, column by column', () => {
    const doc = readFileSync(join(REPO, 'docs/metrics.md'), 'utf8');
    const block = /<!-- columns: capacity\.csv -->\n([^]*?)\n<!-- \/columns -->/.exec(doc)?.[1];
    expect(block).toBe(columnsMarkdown(capacityTable([]).columns as never));
  });
});
