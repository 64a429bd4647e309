/**
 * `base_url: builtin` through the real CLI: the simulator child process is gone after the run
 * ends, fails a threshold, or is interrupted. "Gone" is checked by its port refusing
 * connections (run.json records the URL the run used).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir, writeSpec } from '../helpers/cli.js';

function spec(requests: number, threshold = 'error_rate: "< 0.5"'): string {
  return `name: life
target:
  base_url: builtin
  simulator: { ttft_ms: 5, itl_ms: 2, jitter: 0, stop_probability: 0 }
prompts: ["hi"]
params: { model: sim, max_tokens: 4 }
matrix: { concurrency: [1, 2] }
requests: ${requests}
thresholds: { ${threshold} }
`;
}

async function simulatorGone(out: string): Promise<void> {
  const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as { base_url: string };
  expect(run.base_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
  await expect(fetch(`${run.base_url}/models`)).rejects.toThrow();
}

describe('base_url: builtin', () => {
  it('stops the simulator when the run ends', async () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    const r = await runCli(['run', writeSpec(spec(3), dir), '--out', out, '--quiet']);
    expect(r.code).toBe(0);
    await simulatorGone(out);
  });

  it('stops the simulator when a threshold fails (exit 1)', async () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    const r = await runCli(['run', writeSpec(spec(3, 'latency_ms.p50: "< 0.001"'), dir), '--out', out, '--quiet']);
    expect(r.code).toBe(1);
    await simulatorGone(out);
  });

  it('stops the simulator on Ctrl-C (exit 130)', async () => {
    const dir = tempDir();
    const out = join(dir, 'out');
    const r = await runCli(['run', writeSpec(spec(2000), dir), '--out', out], {
      env: { LLM_SWEEP_PROGRESS_MS: '50' },
      signalAfter: { done: 3, total: 4000, signal: 'SIGINT' },
    });
    expect(r.signalled).toBe(true);
    expect(r.code).toBe(130);
    await simulatorGone(out);
  });
});
