import { readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { afterEach, describe, expect, it } from 'vitest';
import { parseRequestsCsv } from '../../src/results/read-requests.js';
import { runCli, tempDir, writeSpec } from '../helpers/cli.js';
import { startFakeServer, streamChat, type FakeServer } from '../helpers/fake-openai.js';

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const keys = (csv: string) => parseRequestsCsv(csv).records.map((r) => `${r.cell}|${r.prompt_id}|${r.repeat}`);

function specFor(baseUrl: string): string {
  return `name: resume
target: { base_url: ${baseUrl}, retry: { retries: 0 } }
prompts: ["a", "b", "c"]
params: { model: m, max_tokens: 3 }
matrix:
  temperature: [0, 1]
  concurrency: [1, 3]
requests: 30
`;
}

describe('run --resume', () => {
  it('after SIGKILL mid-run, runs exactly the missing requests: no duplicate, none missing', async () => {
    server = await startFakeServer((_req, res) => streamChat(res, { ttftMs: 3, itlMs: 2, tokens: ['x', 'y', 'z'], usage: 'separate' }, true));
    const dir = tempDir();
    const file = writeSpec(specFor(server.baseUrl), dir);
    const out = join(dir, 'out');
    const first = await runCli(['run', file, '--out', out], {
      env: { LLM_SWEEP_PROGRESS_MS: '50' },
      signalAfter: { done: 40, total: 120, signal: 'SIGKILL' },
    });
    expect(first.signalled).toBe(true);
    expect(first.signal).toBe('SIGKILL');
    const partial = readFileSync(join(out, 'requests.csv'), 'utf8');
    const before = keys(partial);
    expect(before.length).toBeLessThan(120);
    // Simulate the worst crash: a torn last line.
    appendFileSync(join(out, 'requests.csv'), 'm=x,t=1,c=3,0,0,2026-');

    const sentBefore = server.seen.length;
    const second = await runCli(['run', file, '--resume', out, '--quiet']);
    // (A client-health warning may appear on a loaded machine; errors may not.)
    expect(second.stderr).not.toMatch(/error/i);
    expect(second.code).toBe(0);
    const after = keys(readFileSync(join(out, 'requests.csv'), 'utf8'));
    expect(new Set(after).size).toBe(after.length);
    expect(after).toHaveLength(120);
    for (const k of before) expect(after).toContain(k);
    const expected: string[] = [];
    for (const t of [0, 1]) for (const c of [1, 3]) for (let i = 0; i < 30; i++) expected.push(`t=${t},c=${c}|${i % 3}|${Math.floor(i / 3)}`);
    expect(after.sort()).toEqual(expected.sort());
    // The resumed run sent exactly the rows that were not on disk, nothing else.
    expect(server.seen.length - sentBefore).toBe(120 - before.length);
    const summary = parse(readFileSync(join(out, 'summary.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    expect(summary.map((row) => [row.cell, row.requests, row.ok])).toEqual([
      ['t=0,c=1', '30', '30'],
      ['t=0,c=3', '30', '30'],
      ['t=1,c=1', '30', '30'],
      ['t=1,c=3', '30', '30'],
    ]);
  });

  it('refuses a changed spec with a clear message and exit 2', async () => {
    server = await startFakeServer((_req, res) => streamChat(res, { ttftMs: 1, itlMs: 1, tokens: ['x'], usage: 'separate' }, true));
    const dir = tempDir();
    const file = writeSpec(specFor(server.baseUrl).replace('requests: 30', 'requests: 2'), dir);
    const out = join(dir, 'out');
    expect((await runCli(['run', file, '--out', out, '--quiet'])).code).toBe(0);
    writeFileSync(file, specFor(server.baseUrl).replace('requests: 30', 'requests: 3'));
    const r = await runCli(['run', file, '--resume', out, '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--resume .*: the spec differs from the one this run used/);
  });

  it('refuses a requests.csv written with other columns (an older version) rather than append rows it could not read back', async () => {
    server = await startFakeServer((_req, res) => streamChat(res, { ttftMs: 1, itlMs: 1, tokens: ['x'], usage: 'separate' }, true));
    const dir = tempDir();
    const file = writeSpec(specFor(server.baseUrl).replace('requests: 30', 'requests: 2'), dir);
    const out = join(dir, 'out');
    expect((await runCli(['run', file, '--out', out, '--quiet'])).code).toBe(0);
    // As the version before connect_ms and the server columns wrote it: the header and rows end at finish_reason.
    const csvPath = join(out, 'requests.csv');
    const rows = parse(readFileSync(csvPath, 'utf8')) as string[][];
    const cut = rows[0].indexOf('finish_reason') + 1;
    writeFileSync(csvPath, stringify(rows.slice(0, 3).map((r) => r.slice(0, cut))));
    const before = readFileSync(csvPath, 'utf8');
    const r = await runCli(['run', file, '--resume', out, '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--resume .*: requests.csv was written by another version of llm-sweep \(it lacks the columns connect_ms, server_queue_ms/);
    expect(readFileSync(csvPath, 'utf8')).toBe(before);
  });
});

describe('run into a used folder', () => {
  it('refuses to append to an earlier run without --resume', async () => {
    server = await startFakeServer((_req, res) => streamChat(res, { ttftMs: 1, itlMs: 1, tokens: ['x'], usage: 'separate' }, true));
    const dir = tempDir();
    const file = writeSpec(specFor(server.baseUrl).replace('requests: 30', 'requests: 1'), dir);
    const out = join(dir, 'out');
    expect((await runCli(['run', file, '--out', out, '--quiet'])).code).toBe(0);
    const before = readFileSync(join(out, 'requests.csv'), 'utf8');
    const r = await runCli(['run', file, '--out', out, '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`already holds a run (requests.csv); pass --resume ${out} to finish it, or choose another --out`);
    expect(readFileSync(join(out, 'requests.csv'), 'utf8')).toBe(before);
  });
});
