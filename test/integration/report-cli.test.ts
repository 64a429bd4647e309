/**
 * `llm-sweep report <dir>` and the report written during a run, with the real CLI against
 * a local fake server.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir, writeSpec } from '../helpers/cli.js';
import { startFakeServer, type FakeServer } from '../helpers/fake-openai.js';
import { kneeHandler } from '../helpers/knee-server.js';

let server: FakeServer;
beforeAll(async () => {
  server = await startFakeServer(kneeHandler({ ttftMs: 5, itlMs: 1, tokens: 4 }));
});
afterAll(() => server.close());

async function runSweep(extra = ''): Promise<string> {
  const dir = tempDir();
  const out = join(dir, 'out');
  const spec = writeSpec(
    `name: rep
target: { provider: openai-chat, base_url: ${server.baseUrl}, api_key: sk-report-secret-123 }
prompts: ["hi"]
params: { model: fake }
matrix: { concurrency: [1, 2], temperature: [0, 1] }
requests: 3
${extra}
`,
    dir,
  );
  const res = await runCli(['run', spec, '--out', out, '--quiet']);
  expect(res.code, res.stderr).toBe(0);
  return out;
}

describe('llm-sweep report', () => {
  it('is written during a run and rebuilt from requests.csv with the same summary.csv', async () => {
    const out = await runSweep();
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<h1>rep</h1>');
    expect(html).not.toContain('sk-report-secret-123');
    const summary = readFileSync(join(out, 'summary.csv'), 'utf8');
    rmSync(join(out, 'report.html'));
    rmSync(join(out, 'summary.csv'));
    const res = await runCli(['report', out]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout.trim()).toBe(join(out, 'report.html'));
    expect(readFileSync(join(out, 'summary.csv'), 'utf8')).toBe(summary);
    const rebuilt = readFileSync(join(out, 'report.html'), 'utf8');
    // Same content apart from the generation time.
    const strip = (s: string) => s.replace(/on \d{4}-\d\d-\d\dT[\d:.]+Z/, '');
    expect(strip(rebuilt)).toBe(strip(html));
  });

  it('shows threshold results from run.json first, and writes into another folder with --out', async () => {
    const out = await runSweep();
    const runJson = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as Record<string, unknown> & { cells: { threshold?: string }[] };
    runJson.cells[1].threshold = 'fail';
    runJson.thresholds = [{ cell: 'c=1,t=1', threshold: 'latency_ms.p95: < 1', metric: 'latency_ms.p95', op: '<', limit: 1, value: 9.5, status: 'fail' }];
    writeFileSync(join(out, 'run.json'), JSON.stringify(runJson));
    const target = join(tempDir(), 'elsewhere');
    const res = await runCli(['report', out, '--out', target, '--json']);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual({ report: join(target, 'report.html'), summary: join(target, 'summary.csv') });
    const html = readFileSync(join(target, 'report.html'), 'utf8');
    expect(html.indexOf('Thresholds failed')).toBeLessThan(html.indexOf('class="cards"'));
    expect(html).toContain('<code>c=1,t=1</code>');
    const [header, , second] = parse(readFileSync(join(target, 'summary.csv'), 'utf8')) as string[][];
    expect(second[header.indexOf('threshold')]).toBe('fail');
    // The old form, a file for --out, still works, with a warning.
    const file = join(tempDir(), 'old.html');
    const old = await runCli(['report', out, '--out', file]);
    expect(old.code).toBe(0);
    expect(old.stderr).toMatch(/^warning: --out .*old\.html: a file for --out is deprecated/);
    expect(existsSync(file)).toBe(true);
  });

  it('exits 2 naming the file when run.json is not one of ours', async () => {
    const out = await runSweep();
    writeFileSync(join(out, 'run.json'), JSON.stringify({ hello: 'world' }));
    const res = await runCli(['report', out]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/^error: .*run\.json: not a run\.json written by llm-sweep \(tool: /);
  });

  it('writes no report when the spec leaves html out of output.formats', async () => {
    const out = await runSweep('output: { formats: [csv] }');
    expect(existsSync(join(out, 'requests.csv'))).toBe(true);
    expect(existsSync(join(out, 'report.html'))).toBe(false);
  });

  it('exits 2 with one clear line for a missing folder or a folder without requests.csv', async () => {
    const missing = await runCli(['report', join(tempDir(), 'nope')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error: .*nope: no such results folder\n$/);
    const empty = join(tempDir(), 'empty');
    mkdirSync(empty);
    const res = await runCli(['report', empty]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/no requests\.csv here/);
    expect(res.stderr).not.toMatch(/\n\s+at /);
  });
});
