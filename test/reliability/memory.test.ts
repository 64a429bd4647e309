/**
 * Issue 13, item 18: memory with big prompts. 500 KB prompts at concurrency 64 keep one
 * encoded request body per prompt, not one per request in flight: the peak RSS of the run
 * is compared with the same run on 1 KB prompts, side by side (absolute targets, 100,000
 * requests under 200 MB, are in `npm run bench`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir, writeSpec } from '../helpers/cli.js';
import { instantServerForFile } from '../helpers/instant-server.js';

const baseUrl = instantServerForFile();

/** Peak RSS of a run with 4 prompts of `size` characters, 64 in flight, MB (the kernel's high-water mark). */
async function peakMb(size: number): Promise<number> {
  const dir = tempDir();
  const lines = Array.from({ length: 4 }, (_, i) => `${String(i)}${'lorem ipsum '.repeat(Math.ceil(size / 12)).slice(0, size - 1)}`);
  writeFileSync(join(dir, 'prompts.txt'), `${lines.join('\n')}\n`);
  const file = writeSpec(
    `name: big
target: { base_url: ${baseUrl()}, retry: { retries: 0 } }
prompts: [{ file: prompts.txt }]
params: { model: m }
matrix: { concurrency: [64], stream: [false] }
requests: 384
output: { formats: [csv] }
`,
    dir,
  );
  let peak = 0;
  const r = await runCli(['run', file, '--out', join(dir, 'out'), '--quiet'], {
    onSpawn: (child) => {
      const poll = setInterval(() => {
        try {
          const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
          if (m) peak = Math.max(peak, Number(m[1]) / 1024);
        } catch {
          // gone
        }
      }, 10);
      child.once('exit', () => clearInterval(poll));
    },
  });
  expect(r.code, r.stderr).toBe(0);
  return peak;
}

describe.skipIf(process.platform !== 'linux')('big prompts (item 18)', () => {
  it('500 KB prompts at concurrency 64 cost about one body per prompt more than 1 KB prompts, not one per request in flight', async () => {
    const small = await peakMb(1024);
    const big = await peakMb(500 * 1024);
    // 64 bodies of 500 KB in flight, each a string and a Buffer, is over 60 MB before the
    // garbage they leave; 4 cached bodies and the prompts themselves are ~10 MB.
    expect(big - small, `1 KB prompts: ${small.toFixed(0)} MB, 500 KB prompts: ${big.toFixed(0)} MB`).toBeLessThan(45);
  });
});
