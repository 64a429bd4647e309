/**
 * `environments:` and `--env`: an environment merged over the spec before --set (nested
 * mappings merge, other values replace, dotted keys are paths), problems at the
 * environment's own lines, the other environments never read.
 */
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { load, problems } from './helpers.js';

const SPEC = `name: t
targets:
  prod:
    provider: openai-chat
    base_url: http://127.0.0.1:8000/v1
    timeout: { connect_ms: 1000, read_ms: 2000 }
prompts: [hi]
matrix:
  concurrency: [1, 8]
requests: 10
environments:
  dev:
    requests: 2
    matrix: { concurrency: 4 }
    targets:
      prod: { base_url: "http://127.0.0.1:9000/v1", timeout: { read_ms: 500 } }
  staging:
    targets.prod.base_url: https://staging.example/v1
    thresholds: { latency_ms.p95: "< 900" }
  ci:
    targets:
      prod:
        api_key: \${CI_ONLY_KEY}
`;

describe('environments', () => {
  it('without --env: the spec as written, the section gone, other environments never interpolated', () => {
    const loaded = load(SPEC);
    expect(loaded.environments).toEqual(['dev', 'staging', 'ci']);
    expect(loaded.environment).toBeUndefined();
    expect(loaded.spec.requests).toBe(10);
    expect((loaded.spec as Record<string, unknown>).environments).toBeUndefined();
  });

  it('merges nested mappings key by key and replaces other values; one value for an axis is a one-value axis', () => {
    const { spec, environment } = load(SPEC, { environment: 'dev' });
    expect(environment).toBe('dev');
    expect(spec.requests).toBe(2);
    expect(spec.matrix.concurrency).toEqual([4]);
    expect(spec.targets!.prod.base_url).toBe('http://127.0.0.1:9000/v1');
    expect(spec.targets!.prod.timeout).toEqual({ connect_ms: 1000, read_ms: 500 });
  });

  it('takes dotted keys as paths, as --set does (thresholds keep their dotted keys)', () => {
    const { spec } = load(SPEC, { environment: 'staging' });
    expect(spec.targets!.prod.base_url).toBe('https://staging.example/v1');
    expect(spec.thresholds).toEqual({ 'latency_ms.p95': '< 900' });
  });

  it('applies before --set, which wins', () => {
    const { spec } = load(SPEC, { environment: 'dev', set: ['requests=7'] });
    expect(spec.requests).toBe(7);
  });

  it('hashes the spec as run: each environment its own hash', () => {
    const hashes = new Set([load(SPEC).hash, load(SPEC, { environment: 'dev' }).hash, load(SPEC, { environment: 'staging' }).hash]);
    expect(hashes.size).toBe(3);
  });

  it('interpolates only the chosen environment, and reports its problems at its own lines', () => {
    expect(problems(SPEC, { environment: 'ci' })).toEqual([
      'sweep.yaml:23:18: environment variable CI_ONLY_KEY is not set; export it, or write ${CI_ONLY_KEY:-default} to give a default',
    ]);
    expect(load(SPEC, { environment: 'ci', env: { CI_ONLY_KEY: 'sk-ci-12345' } }).secrets).toContain('sk-ci-12345');
    const bad = `${SPEC}  broken:\n    requets: 3\n    targets: { prod: { base_url: "not a url" } }\n`;
    expect(problems(bad, { environment: 'broken' })).toEqual([
      "sweep.yaml:25:5: unknown key 'requets' — did you mean 'requests'?",
      'sweep.yaml:26:34: targets.prod.base_url must be an http(s) URL such as http://localhost:8000/v1, or builtin, got the text "not a url"',
    ]);
  });

  it('an unknown --env names the flag and the nearest environment; no section says so', () => {
    expect(() => load(SPEC, { environment: 'stagin' })).toThrow(
      new UserError("--env stagin: the spec has no environment 'stagin' — did you mean 'staging'? (environments: dev, staging, ci)"),
    );
    expect(() => load('name: t\ntarget: { base_url: "http://x/v1" }\nprompts: [hi]\n', { environment: 'dev' })).toThrow(
      '--env dev: the spec has no environments; add environments: { dev: { ... } } to it, or drop --env',
    );
  });

  it('a malformed section or entry, at its position', () => {
    expect(problems('name: t\ntarget: { base_url: "http://x/v1" }\nprompts: [hi]\nenvironments: [dev]\n')).toEqual([
      'sweep.yaml:4:15: environments must be a mapping of names to overrides, e.g. environments: { staging: { requests: 50 } }',
    ]);
    expect(problems('name: t\ntarget: { base_url: "http://x/v1" }\nprompts: [hi]\nenvironments:\n  dev: 3\n')).toEqual([
      'sweep.yaml:5:8: environments.dev must be a mapping of overrides (spec keys and values), e.g. { targets: { prod: { base_url: https://... } } }',
    ]);
    expect(problems('name: t\ntarget: { base_url: "http://x/v1" }\nprompts: [a, b]\nenvironments:\n  dev: { prompts.x: 1 }\n', { environment: 'dev' })).toEqual([
      'sweep.yaml:5:21: environments.dev.prompts.x: prompts is a list; address an item by its index, e.g. prompts.0',
    ]);
  });
});
