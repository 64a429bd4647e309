import { describe, expect, it } from 'vitest';
import { cellId } from '../../../src/plan/cell-id.js';

describe('cell ids', () => {
  it('are short, readable and in column order', () => {
    expect(cellId({ model: 'llama3-8b', temperature: 0.7, max_tokens: 256, concurrency: 8 })).toBe(
      'm=llama3-8b,t=0.7,mt=256,c=8',
    );
    expect(cellId({ rate: 2.5, stream: false, top_p: 0.9, top_k: 40, seed: 1 })).toBe('r=2.5,s=false,p=0.9,k=40,seed=1');
  });

  it('is "default" for a plan without a matrix', () => {
    expect(cellId({})).toBe('default');
  });

  it('depends only on the cell itself', () => {
    const a = { model: 'a', temperature: 0 };
    expect(cellId(a)).toBe(cellId({ ...a }));
  });

  it('quotes text that could be read as another value, so distinct cells get distinct ids', () => {
    const ids = [
      cellId({ seed: 1 }),
      cellId({ seed: '1' }),
      cellId({ stream: true }),
      cellId({ stream: 'true' }),
      cellId({ stop: 'a,b' }),
      cellId({ stop: ['a', 'b'] }),
      cellId({ stop: '' }),
      cellId({ stop: null }),
      cellId({ stop: 'null' }),
    ];
    expect(ids).toEqual([
      'seed=1',
      'seed="1"',
      's=true',
      's="true"',
      'stop="a,b"',
      'stop=["a","b"]',
      'stop=""',
      'stop=null',
      'stop="null"',
    ]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps the long name when the cell also has a key named like the short one', () => {
    expect(cellId({ model: 'a', m: 'b' })).toBe('model=a,m=b');
  });

  it('writes lists and mappings as JSON', () => {
    expect(cellId({ response_format: { type: 'json_object' } })).toBe('response_format={"type":"json_object"}');
  });
});
