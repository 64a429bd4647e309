import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { columnsMarkdown } from '../../../src/records/columns.js';
import { capacityTable, parseCapacityCsv, serializeCapacityCsv } from '../../../src/results/capacity-csv.js';
import { capacityEntry } from '../../helpers/capacity.js';
import { REPO } from '../../helpers/cli.js';

const entry = capacityEntry;

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
