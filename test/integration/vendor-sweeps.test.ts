/**
 * The vendors' example sweeps are ready to run: each validates with no key in the
 * environment (a missing key only fails at the first 401, with a message that says so),
 * and each has its section in docs/targets.md that names the spec and lists its quirks.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, runCli } from '../helpers/cli.js';

/** Vendor, its example spec, the docs section's heading. */
const VENDORS = [
  ['Qwen on DashScope', 'qwen-dashscope'],
  ['Hugging Face router', 'hf-router'],
  ['vLLM', 'vllm'],
  ['SGLang', 'sglang'],
  ['LM Studio', 'lm-studio'],
  ['llama.cpp server', 'llama-server'],
  ['Ollama (OpenAI route)', 'ollama'],
] as const;

const NO_KEYS = { DASHSCOPE_API_KEY: undefined, HF_TOKEN: undefined, OPENAI_API_KEY: undefined, STAGING_KEY: undefined };

describe('vendor example sweeps', () => {
  it('validate with no key set, every environment included', async () => {
    const files = [...VENDORS.map(([, f]) => f), 'vllm-vs-sglang', 'compare-two-servers'];
    const results = await Promise.all(files.map((f) => runCli(['validate', join('sweeps', `${f}.yaml`)], { cwd: REPO, env: NO_KEYS })));
    results.forEach((r, i) => {
      expect(r.stderr, files[i]).toBe('');
      expect(r.code, files[i]).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^sweeps/${files[i]}.yaml: ok — \\d+ cells`));
    });
  });

  it('each has a docs/targets.md section naming its spec and its quirks', () => {
    const doc = readFileSync(join(REPO, 'docs/targets.md'), 'utf8');
    for (const [heading, file] of VENDORS) {
      const start = doc.indexOf(`### ${heading}\n`);
      expect(start, heading).toBeGreaterThan(0);
      const next = doc.indexOf('\n### ', start + 1);
      const section = doc.slice(start, next < 0 ? undefined : next);
      expect(section, heading).toContain(`sweeps/${file}.yaml`);
      // The quirks every section answers: usage in streams, stream_options, ignore_eos, rate limits.
      for (const word of ['usage', 'stream_options', 'ignore_eos', 'rate']) expect(section.toLowerCase(), `${heading}: ${word}`).toContain(word);
    }
  });
});
