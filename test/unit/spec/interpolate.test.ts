import { describe, expect, it } from 'vitest';
import { interpolateString } from '../../../src/spec/interpolate.js';
import { load, MINIMAL, problems } from './helpers.js';

describe('interpolateString', () => {
  const env = { HOST: 'gpu-1', EMPTY: '', PORT: '8000' };

  it('replaces ${VAR} and ${VAR:-default}', () => {
    expect(interpolateString('http://${HOST}:${PORT}/v1', env).value).toBe('http://gpu-1:8000/v1');
    expect(interpolateString('${MISSING:-fallback}', env).value).toBe('fallback');
    expect(interpolateString('${HOST:-fallback}', env).value).toBe('gpu-1');
    expect(interpolateString('${MISSING:-}', env).value).toBe('');
    expect(interpolateString('${MISSING:-a:b/c d}', env).value).toBe('a:b/c d');
  });

  it('uses the default when the variable is empty, as the shell does', () => {
    expect(interpolateString('${EMPTY:-x}', env).value).toBe('x');
  });

  it('writes $${ as a literal ${', () => {
    const r = interpolateString('cost: $${HOST} and ${HOST}', env);
    expect(r.value).toBe('cost: ${HOST} and gpu-1');
    expect(r.problems).toEqual([]);
  });

  it('reports a missing variable by name, with the fix', () => {
    expect(interpolateString('${NOPE}', env).problems).toEqual([
      {
        token: '${NOPE}',
        message: 'environment variable NOPE is not set; export it, or write ${NOPE:-default} to give a default',
      },
    ]);
  });

  it('reports an empty variable without a default', () => {
    expect(interpolateString('${EMPTY}', env).problems[0].message).toBe(
      'environment variable EMPTY is set but empty; give it a value, or write ${EMPTY:-} to allow an empty value',
    );
  });

  it('reports malformed references instead of sending them as text', () => {
    expect(interpolateString('${ HOST }', env).problems[0].message).toMatch(/^'\$\{ HOST \}' is not a variable reference/);
    expect(interpolateString('${HOST-x}', env).problems[0].message).toMatch(/is not a variable reference/);
    expect(interpolateString('abc ${HOST', env).problems[0].message).toMatch(/^'\$\{' is not closed/);
  });

  it('lists the variables used', () => {
    expect(interpolateString('${HOST}${PORT}', env).used).toEqual([
      { name: 'HOST', value: 'gpu-1' },
      { name: 'PORT', value: '8000' },
    ]);
  });
});

describe('interpolation in a spec', () => {
  const spec = `name: t
target:
  base_url: \${BASE:-http://127.0.0.1:8000/v1}
  api_key: \${API_KEY}
prompts: ["\${GREETING:-hello}"]
params:
  model: \${MODEL:-qwen}
  seed: \${SEED:-7}
matrix:
  max_tokens: ["\${MT:-64}", 128]
requests: \${N:-3}
`;

  it('fills values and gives unquoted numbers their type', () => {
    const { spec: s } = load(spec, { env: { API_KEY: 'sk-test-123456', MODEL: '42' } });
    expect(s.target!.base_url).toBe('http://127.0.0.1:8000/v1');
    expect(s.target!.api_key).toBe('sk-test-123456');
    expect(s.requests).toBe(3);
    expect(s.params.seed).toBe(7);
    expect(s.matrix.max_tokens).toEqual([64, 128]);
    // model is text in the schema, so "42" stays text.
    expect(s.params.model).toBe('42');
  });

  it('types a quoted reference where the field cannot be text (flow lists need quotes)', () => {
    const { spec: s } = load(`${MINIMAL}matrix:\n  max_tokens: ["\${MT:-64}", 128]\n  my_flag:\n    - "\${FLAG:-1}"\n    - \${FLAG:-2}\n`);
    expect(s.matrix.max_tokens).toEqual([64, 128]);
    // A free-form axis: quoted stays text, plain is typed, as if written in place.
    expect(s.matrix.my_flag).toEqual(['1', 2]);
  });

  it('reports a missing variable at the line and column of its reference', () => {
    expect(problems(spec, { env: {} })).toEqual([
      'sweep.yaml:4:12: environment variable API_KEY is not set; export it, or write ${API_KEY:-default} to give a default',
    ]);
    expect(problems(`${MINIMAL}description: "run on \${HOST} today"\n`)).toEqual([
      'sweep.yaml:5:22: environment variable HOST is not set; export it, or write ${HOST:-default} to give a default',
    ]);
  });

  it('names where a bad value came from', () => {
    expect(problems(spec, { env: { API_KEY: 'k', N: 'many' } })).toEqual([
      'sweep.yaml:11:11: requests must be a number, got the text "many" (from ${N:-3})',
    ]);
  });

  it('treats values of secret-looking variables as secrets', () => {
    const loaded = load(`name: t
target:
  base_url: http://127.0.0.1:8000/v1?key=\${GATEWAY_TOKEN}
prompts: [hi]
`, { env: { GATEWAY_TOKEN: 'tok-abcdef' } });
    expect(loaded.secrets).toContain('tok-abcdef');
  });
});
