/**
 * `targets:` in the spec: named target blocks validated like `target:`, and every bad use
 * of them reported at its file:line:col with the fix (and the nearest name).
 */
import { describe, expect, it } from 'vitest';
import { REDACTED } from '../../../src/spec/redact.js';
import { load, problems } from './helpers.js';

const TWO = `name: t
targets:
  vllm:
    provider: openai-chat
    base_url: http://127.0.0.1:8000/v1
    api_key: \${VLLM_KEY}
  sglang:
    provider: openai-chat
    base_url: http://127.0.0.1:30000/v1
    headers: { Authorization: Bearer tok-sglang-123 }
prompts: [hi]
`;

describe('targets:', () => {
  it('loads each named block with its defaults, and keeps every secret out of the redacted spec', () => {
    const loaded = load(TWO, { env: { VLLM_KEY: 'sk-vllm-123456' } });
    expect(Object.keys(loaded.spec.targets!)).toEqual(['vllm', 'sglang']);
    expect(loaded.spec.targets!.sglang.timeout).toEqual({ connect_ms: 5000, read_ms: 30000 });
    expect(loaded.secrets).toEqual(expect.arrayContaining(['sk-vllm-123456', 'Bearer tok-sglang-123', 'tok-sglang-123']));
    expect(loaded.spec.target).toBeUndefined();
  });

  it('hashes the same whatever the keys are', () => {
    expect(load(TWO, { env: { VLLM_KEY: 'sk-one-1234' } }).hash).toBe(load(TWO, { env: { VLLM_KEY: 'sk-two-5678' } }).hash);
  });

  it('a target block missing provider, and one of an unknown provider', () => {
    expect(problems('name: t\ntargets:\n  a:\n    base_url: http://x/v1\n  b: { provider: opneai-chat, base_url: http://x/v1 }\nprompts: [hi]\n')).toEqual([
      "sweep.yaml:3:3: missing required key 'provider' in targets.a — one of openai-chat, openai-completions, azure-openai, anthropic, tgi, triton, ollama, http",
      'sweep.yaml:5:18: targets.b.provider must be one of "openai-chat", "openai-completions", "azure-openai", "anthropic", "tgi", "triton", "ollama", "http", got the text "opneai-chat" — did you mean \'openai-chat\'?',
    ]);
  });

  it('settings of another provider and bad values inside a named block, at their lines', () => {
    expect(problems('name: t\ntargets:\n  a:\n    provider: tgi\n    base_url: http://x\n    http: {}\n    retry: { on: [700] }\nprompts: [hi]\n')).toEqual([
      'sweep.yaml:6:5: targets.a.http is a setting of provider http, not of tgi; remove it, or set provider: http',
      'sweep.yaml:7:19: targets.a.retry.on[0] must be at most 599, got 700',
    ]);
  });

  it('an axis value naming no target, with the nearest name', () => {
    expect(problems(`${TWO}matrix:\n  target: [vllm, sglan]\n`, { env: { VLLM_KEY: 'k' } })).toEqual([
      "sweep.yaml:13:18: matrix.target[1] is \"sglan\", which names no target — did you mean 'sglang'? (targets: vllm, sglang)",
    ]);
  });

  it('target both as an axis and fixed', () => {
    expect(problems(`${TWO}params: { target: vllm }\nmatrix:\n  target: [vllm, sglang]\n`, { env: { VLLM_KEY: 'k' } })).toEqual([
      'sweep.yaml:12:11: target is both a matrix axis (matrix.target) and fixed (params.target); remove one: params.target runs one target, matrix.target compares several',
    ]);
  });

  it('params.target, include and exclude naming no target', () => {
    expect(problems(`${TWO}params: { target: vlm }\n`, { env: { VLLM_KEY: 'k' } })).toEqual([
      "sweep.yaml:12:19: params.target is \"vlm\", which names no target — did you mean 'vllm'? (targets: vllm, sglang)",
    ]);
    const text = `${TWO}matrix:\n  concurrency: [1]\n  exclude: [{ target: sg }]\n  include: [{ target: sglang2, concurrency: 2 }]\n`;
    expect(problems(text, { env: { VLLM_KEY: 'k' } })).toEqual([
      'sweep.yaml:14:23: matrix.exclude[0].target is "sg", which names no target (targets: vllm, sglang)',
      "sweep.yaml:15:23: matrix.include[0].target is \"sglang2\", which names no target — did you mean 'sglang'? (targets: vllm, sglang)",
    ]);
  });

  it('exactly one of target and targets; a name fit for a cell id; not an empty mapping', () => {
    expect(problems('name: t\nprompts: [hi]\n')).toEqual([
      "sweep.yaml:1:1: missing required key 'target' — The endpoint under test. (Or targets: to compare several named endpoints; see docs/targets.md.)",
    ]);
    expect(problems(`name: t\ntarget: { base_url: "http://x/v1" }\n${TWO.slice('name: t\n'.length)}`, { env: { VLLM_KEY: 'k' } })).toEqual([
      'sweep.yaml:3:1: give target: (one endpoint) or targets: (named endpoints), not both; move the target: block under targets: with a name',
    ]);
    expect(problems('name: t\ntargets:\n  "a b": { provider: openai-chat, base_url: "http://x/v1" }\nprompts: [hi]\n')).toEqual([
      'sweep.yaml:3:3: target name \'a b\' may use letters, digits, ".", "_" and "-" only (it is written into cell ids and CSV columns)',
    ]);
    expect(problems('name: t\ntargets: {}\nprompts: [hi]\n')[0]).toMatch(/^sweep.yaml:2:10: targets is an empty mapping; name at least one/);
  });

  it('a target axis with a single target: says to name them', () => {
    expect(problems('name: t\ntarget: { base_url: "http://x/v1" }\nprompts: [hi]\nmatrix: { target: [a] }\n')).toEqual([
      'sweep.yaml:4:11: matrix.target picks a named target, but the spec has a single target:; name your endpoints under targets: (see docs/targets.md)',
    ]);
  });

  it('exclude may name the implied target axis', () => {
    const loaded = load(`${TWO}matrix:\n  concurrency: [1, 2]\n  exclude: [{ target: sglang, concurrency: 2 }]\n`, { env: { VLLM_KEY: 'k' } });
    expect(loaded.spec.matrix.exclude).toEqual([{ target: 'sglang', concurrency: 2 }]);
  });

  it('warns about a base_url that does not fit its provider, naming the target', () => {
    const loaded = load('name: t\ntargets:\n  a: { provider: openai-chat, base_url: "http://x:8000" }\nprompts: [hi]\n');
    expect(loaded.warnings!.map((w) => w.replace(/^\S*?sweep\.yaml/, 'sweep.yaml'))).toEqual([
      'sweep.yaml:3:41: targets.a.base_url for openai-chat usually ends in /v1 (e.g. http://localhost:8000/v1); the provider appends /chat/completions to it',
    ]);
  });

  it('redacts the key of every target in the spec written to run.json', async () => {
    const { redact } = await import('../../../src/spec/redact.js');
    const loaded = load(TWO, { env: { VLLM_KEY: 'sk-vllm-123456' } });
    const out = redact(loaded.spec, loaded.secrets);
    expect(out.targets!.vllm.api_key).toBe(REDACTED);
    expect(out.targets!.sglang.headers.Authorization).toBe(REDACTED);
  });
});
