import { describe, expect, it } from 'vitest';
import { redact, secretsOf } from '../../../src/spec/redact.js';
import { load, MINIMAL, problems } from './helpers.js';

const withMetrics = (metrics: string) => MINIMAL.replace('  base_url: http://127.0.0.1:8000/v1\n', `  base_url: http://127.0.0.1:8000/v1\n  metrics: ${metrics}\n`);

describe('target.metrics', () => {
  it('takes auto, one endpoint with defaults, or a list', () => {
    expect(load(withMetrics('auto')).spec.target!.metrics).toBe('auto');
    expect(load(withMetrics('{ url: http://h:8000/metrics }')).spec.target!.metrics).toEqual({ url: 'http://h:8000/metrics', interval_ms: 1000, timeout_ms: 2000 });
    expect(load(withMetrics('[auto, { url: http://h:9400/metrics, interval_ms: 500 }, { url: auto, timeout_ms: 300 }]')).spec.target!.metrics).toEqual([
      'auto',
      { url: 'http://h:9400/metrics', interval_ms: 500, timeout_ms: 2000 },
      { url: 'auto', interval_ms: 1000, timeout_ms: 300 },
    ]);
  });

  it('names a bad URL or interval at its line and column', () => {
    expect(problems(withMetrics('{ url: "ftp://h/metrics" }')).join('\n')).toMatch(/sweep\.yaml:4:\d+: .*url/);
    expect(problems(withMetrics('{ url: http://h/metrics, interval_ms: 1 }')).join('\n')).toMatch(/sweep\.yaml:4:\d+: .*interval_ms/);
    expect(problems(withMetrics('{ url: http://h/metrics, every: 5 }')).join('\n')).toMatch(/unknown key 'every'/);
  });

  it('treats the password and secret query values of a metrics URL and its auth headers as secrets', () => {
    const spec = load(withMetrics('{ url: "http://u:pa%40ss99@h/metrics?token=tokval99&x=1", headers: { Authorization: "Bearer hdrval99" } }')).spec;
    const secrets = secretsOf(spec);
    expect(secrets).toEqual(expect.arrayContaining(['pa%40ss99', 'pa@ss99', 'tokval99', 'Bearer hdrval99', 'hdrval99']));
    const text = JSON.stringify(redact(spec, secrets));
    for (const s of ['pa%40ss99', 'pa@ss99', 'tokval99', 'hdrval99']) expect(text).not.toContain(s);
    expect(text).toContain('http://***@h/metrics?token=***&x=1');
  });
});
