import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { parseOverride } from '../../../src/spec/overrides.js';
import { load, problems } from './helpers.js';

const SPEC = `name: t
target:
  base_url: http://127.0.0.1:8000/v1
  timeout: { connect_ms: 1000 }
prompts: [hi, there]
params: { model: qwen }
matrix:
  temperature: [0, 0.7]
  max_tokens: [64]
requests: 4
thresholds:
  latency_ms.p95: "< 2000"
`;

describe('parseOverride', () => {
  it('reads the value as YAML', () => {
    expect(parseOverride('requests=5')).toEqual({ path: ['requests'], value: 5, text: 'requests=5' });
    expect(parseOverride('matrix.temperature=[0, 1]').value).toEqual([0, 1]);
    expect(parseOverride('target.base_url=http://h:1/v1').value).toBe('http://h:1/v1');
    expect(parseOverride('output.save_responses=true').value).toBe(true);
    expect(parseOverride('target.api_key=').value).toBe('');
    expect(parseOverride('description=[unclosed').value).toBe('[unclosed');
  });

  it('splits a dotted path, with list indexes as numbers', () => {
    expect(parseOverride('prompts.0.file=q.txt').path).toEqual(['prompts', 0, 'file']);
  });

  it('keeps dotted threshold and compare keys whole', () => {
    expect(parseOverride('thresholds.latency_ms.p95=< 500').path).toEqual(['thresholds', 'latency_ms.p95']);
    expect(parseOverride('compare.ttft_ms.p50=+5%').path).toEqual(['compare', 'ttft_ms.p50']);
  });

  it('makes a single value for a matrix axis a one-value axis', () => {
    expect(parseOverride('matrix.model=llama3-8b').value).toEqual(['llama3-8b']);
    expect(parseOverride('matrix.include=[]').value).toEqual([]);
  });

  it.each(['requests', '=5', 'a..b=1', 'a b=1'])('rejects %j with an example', (text) => {
    expect(() => parseOverride(text)).toThrow(UserError);
  });
});

describe('--set on a spec', () => {
  it('overrides a scalar', () => {
    expect(load(SPEC, { set: ['requests=9'] }).spec.requests).toBe(9);
  });

  it('overrides a list, keeping the axis in its place', () => {
    const { spec } = load(SPEC, { set: ['matrix.temperature=[0.2, 0.4, 0.6]'] });
    expect(spec.matrix.temperature).toEqual([0.2, 0.4, 0.6]);
    expect(Object.keys(spec.matrix)).toEqual(['temperature', 'max_tokens']);
  });

  it('overrides a nested value and keeps its siblings', () => {
    const { spec } = load(SPEC, { set: ['target.timeout.read_ms=500'] });
    expect(spec.target!.timeout).toEqual({ connect_ms: 1000, read_ms: 500 });
  });

  it('adds a new key, creating missing parents', () => {
    const { spec } = load(SPEC, { set: ['params.seed=7', 'target.retry.retries=0', 'slo.ttft_ms=300'] });
    expect(spec.params.seed).toBe(7);
    expect(spec.target!.retry.retries).toBe(0);
    expect(spec.slo).toEqual({ ttft_ms: 300 });
  });

  it('adds a new matrix axis at the end', () => {
    const { spec } = load(SPEC, { set: ['matrix.concurrency=[1,8]'] });
    expect(Object.keys(spec.matrix)).toEqual(['temperature', 'max_tokens', 'concurrency']);
  });

  it('sets a dotted threshold key and a list item', () => {
    const { spec } = load(SPEC, { set: ['thresholds.latency_ms.p95=< 500', 'prompts.1=bye', 'prompts.2=new'] });
    expect(spec.thresholds).toEqual({ 'latency_ms.p95': '< 500' });
    expect(spec.prompts).toEqual(['hi', 'bye', 'new']);
  });

  it('is validated like the file, and problems name the flag, in flag order', () => {
    expect(problems(SPEC, { set: ['requests=0', 'matrix.temperature=[]', 'requets=3'] })).toEqual([
      '--set requests=0: requests must be a whole number of at least 1, got 0',
      '--set matrix.temperature=[]: matrix.temperature is an empty list; give the axis at least one value, or remove it',
      "--set requets=3: unknown key 'requets' — did you mean 'requests'?",
    ]);
  });

  it('is interpolated', () => {
    expect(load(SPEC, { set: ['target.api_key=${KEY}'], env: { KEY: 'sk-12345' } }).spec.target!.api_key).toBe('sk-12345');
  });

  it('explains paths that cannot be set', () => {
    expect(problems(SPEC, { set: ['requests.max=3'] })).toEqual([
      "--set requests.max=3: requests is 4, not a mapping, so it has no key 'max'; set requests itself instead",
    ]);
    expect(problems(SPEC, { set: ['prompts.5=x'] })).toEqual([
      '--set prompts.5=x: prompts has 2 items; use an index from 0 to 2 (2 adds one at the end)',
    ]);
    expect(problems(SPEC, { set: ['prompts.first=x'] })).toEqual([
      '--set prompts.first=x: prompts is a list; address an item by its index, e.g. prompts.0',
    ]);
    expect(problems(SPEC, { set: ['output.formats.0=csv'] })).toEqual([
      '--set output.formats.0=csv: output.formats does not exist yet, so it has no item 0; set the whole list, e.g. --set output.formats=[...]',
    ]);
  });
});
