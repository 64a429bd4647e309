/**
 * The example sweep of every provider validates, and a parameter a provider cannot send is
 * a validate-time error at the key's position (exit 2), not a silent no-op at run time.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runCli, writeSpec } from '../helpers/cli.js';

const SWEEPS = ['azure-openai', 'anthropic', 'tgi', 'triton', 'ollama-native', 'http-gateway'];

describe('provider example sweeps', () => {
  it('validate passes on sweeps/<provider>.yaml, with no key in the environment', async () => {
    const env = { AZURE_OPENAI_ENDPOINT: undefined, AZURE_OPENAI_API_KEY: undefined, ANTHROPIC_API_KEY: undefined, GATEWAY_TOKEN: undefined };
    const results = await Promise.all(SWEEPS.map((name) => runCli(['validate', join('sweeps', `${name}.yaml`)], { cwd: REPO, env })));
    results.forEach((r, i) => {
      expect(r.stderr, SWEEPS[i]).toBe('');
      expect(r.code, SWEEPS[i]).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^sweeps/${SWEEPS[i]}.yaml: ok — \\d+ cells`));
    });
  });
});

describe('provider parameter checks', () => {
  it('names each key a provider has no field for, at its position, and exits 2', async () => {
    const file = writeSpec(`name: bad
target:
  provider: tgi
  base_url: http://127.0.0.1:9
prompts: ["Hi"]
params:
  model: qwen
  max_tokens: 64
matrix:
  presence_penalty: [0, 0.5]
  temperature: [0, 1]
  include:
    - { temperature: 0.5, n: 2 }
`);
    const r = await runCli(['validate', file]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n').filter(Boolean)).toEqual([
      `error: ${file}:7:3: provider 'tgi' has no field for 'model'; a TGI server serves one model and /generate has no model field; drop it, or use openai-chat with base_url {base}/v1 (see docs/providers.md)`,
      `error: ${file}:10:3: provider 'tgi' has no field for 'presence_penalty'; TGI has frequency_penalty and repetition_penalty, but no presence_penalty (see docs/providers.md)`,
      `error: ${file}:13:27: provider 'tgi' has no field for 'n'; TGI returns one sequence per request; best_of picks the best of several (see docs/providers.md)`,
      '3 problems',
    ]);
  });
});
