import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import { csvLine } from '../../../src/results/exporters/requests-csv.js';

describe('csvLine', () => {
  it('writes exactly what csv-stringify writes with its defaults', () => {
    const samples = ['', 'a', 'a,b', 'a"b', '"', 'x\ny', 'x\r\ny', '\r', ' lead', 'trail ', '=1+2', '-3', 'é,ü', 'c=64,s=false', '"q",', '\t', 'a""b'];
    for (const a of samples) for (const b of samples) expect(csvLine([a, b, 'z'])).toBe(stringify([[a, b, 'z']]));
  });
});
