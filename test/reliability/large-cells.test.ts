/**
 * A cell with more requests than a JavaScript call takes arguments. `Math.max(...ends)` in the
 * report's timeline threw RangeError once a cell passed ~120,000 requests (a soak test: an hour
 * at 35 req/s), and the run exited 4 after its last request; `merge` did the same with
 * `push(...rows)`. Node is started here with a small stack (--stack-size=100: a spread of
 * ~12,000 values already throws), so 20,000 requests find any spread over a cell's rows in
 * `run`, `report` and `merge` in seconds.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, runCli, tempDir, writeSpec } from '../helpers/cli.js';
import { instantServerForFile } from '../helpers/instant-server.js';

const REQUESTS = 20_000;
const node = (args: string) => `exec "${process.execPath}" --stack-size=100 "${BIN}" ${args}`;

const baseUrl = instantServerForFile();

describe('a cell of more requests than a call takes arguments', () => {
  it('run writes its report, report rebuilds it and merge joins it, with no internal error', async () => {
    const dir = tempDir();
    const file = writeSpec(
      `name: long-cell
target: { base_url: ${baseUrl()}, retry: { retries: 0 } }
prompts: ["hi"]
params: { model: m }
matrix: { concurrency: [32], stream: [false] }
requests: ${REQUESTS}
output: { formats: [csv, json, html] }
`,
      dir,
    );
    const out = join(dir, 'out');
    const run = await runCli([], { shell: node(`run "${file}" --out "${out}" --quiet --shard 1/1`), timeoutMs: 120_000 });
    expect(run.stderr).not.toMatch(/internal error/);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as { cells: { ok: number }[] };
    expect(summary.cells[0].ok).toBe(REQUESTS);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('timeline');

    const report = await runCli([], { shell: node(`report "${out}"`), timeoutMs: 120_000 });
    expect(report.stderr).not.toMatch(/internal error/);
    expect(report.code).toBe(0);

    const merged = join(dir, 'merged');
    const merge = await runCli([], { shell: node(`merge "${out}" --out "${merged}" --quiet`), timeoutMs: 120_000 });
    expect(merge.stderr).not.toMatch(/internal error/);
    expect(merge.code).toBe(0);
    const rows = readFileSync(join(merged, 'requests.csv'), 'utf8').trimEnd().split('\n').length - 1;
    expect(rows).toBe(REQUESTS);
  }, 240_000);
});
