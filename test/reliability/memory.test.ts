/**
 * Issue 13, item 18: memory with big prompts. 500 KB prompts at concurrency 64 keep one
 * encoded request body per prompt, not one per request in flight: the peak RSS of the run
 * is compared with the same run on 1 KB prompts, side by side (absolute targets, 100,000
 * requests under 200 MB, are in `npm run bench`).
 */
import { createServer, type Server } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir, writeSpec } from '../helpers/cli.js';

let server: Server;
let baseUrl = '';
beforeAll(async () => {
  // Drains each body without keeping it, answers at once.
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ choices: [{ message: { content: 'ok' }, finish_reason: 'stop' }], usage: { prompt_tokens: 9, completion_tokens: 1, total_tokens: 10 } }));
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** Peak RSS of a run with 4 prompts of `size` characters, 64 in flight, MB (the kernel's high-water mark). */
async function peakMb(size: number): Promise<number> {
  const dir = tempDir();
  const lines = Array.from({ length: 4 }, (_, i) => `${String(i)}${'lorem ipsum '.repeat(Math.ceil(size / 12)).slice(0, size - 1)}`);
  writeFileSync(join(dir, 'prompts.txt'), `${lines.join('\n')}\n`);
  const file = writeSpec(
    `name: big
target: { base_url: ${baseUrl}, retry: { retries: 0 } }
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
