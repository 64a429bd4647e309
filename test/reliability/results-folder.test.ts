/**
 * Issue 13, items 5-8: the results folder under faults. A full or read-only disk is exit 3
 * with the path and the cause, every row that reached the disk whole, no *.tmp left, and a
 * --resume that finishes once there is room; SIGKILL loses at most the requests in flight;
 * resume works whatever output.formats says; a folder holding rows the plan cannot have is
 * refused by name.
 */
import { appendFileSync, cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { csvLine } from '../../src/results/exporters/requests-csv.js';
import { parseRequestsCsv } from '../../src/results/read-requests.js';
import { runCli, tempDir, writeSpec } from '../helpers/cli.js';
import { json, startFakeServer, type FakeServer } from '../helpers/fake-openai.js';
import { mountTmpfs, probeMount, resizeTmpfs, unmountAll } from '../helpers/tmpfs.js';

const servers: FakeServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});
afterAll(() => unmountAll());

/** An instant server; `done` counts the answers it finished writing. */
async function instant() {
  const counter = { done: 0 };
  const s = await startFakeServer((_req, res) => {
    res.on('finish', () => counter.done++);
    json(res, 200, { choices: [{ message: { content: 'ok' }, finish_reason: 'stop' }], usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } });
  });
  servers.push(s);
  return Object.defineProperty(s, 'finished', { get: () => counter.done }) as FakeServer & { readonly finished: number };
}

/** runCli options that send `signal` to the CLI once the server has finished `answers`; `sent` and `finishedAt` say when. */
function signalWhen(server: { readonly finished: number }, answers: number, signal: NodeJS.Signals) {
  const state = {
    sent: false,
    finishedAt: 0,
    onSpawn: (child: ChildProcess) => {
      const poll = setInterval(() => {
        if (server.finished < answers || state.sent) return;
        state.sent = true;
        clearInterval(poll);
        child.kill(signal);
        state.finishedAt = server.finished;
      }, 5);
      child.once('exit', () => clearInterval(poll));
    },
  };
  return state;
}

function specFor(baseUrl: string, requests: number, formats: string, concurrency = 4): string {
  return `name: folder
target: { base_url: ${baseUrl}, retry: { retries: 0 } }
prompts: ["a", "b", "c"]
params: { model: m }
matrix: { concurrency: [${concurrency}], stream: [false], temperature: [0, 1] }
requests: ${requests}
output: { formats: [${formats}] }
`;
}

const rowKeys = (csv: string) => parseRequestsCsv(csv).records.map((r) => `${r.cell}|${r.prompt_id}|${r.repeat}`);

function expectWholeRows(csvPath: string): string[] {
  const text = readFileSync(csvPath, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  const parsed = parseRequestsCsv(text);
  expect(parsed.dropped).toBe(0);
  return rowKeys(text);
}

function tmpFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.tmp'));
}

const noStack = (stderr: string) => expect(stderr).not.toMatch(/internal error|\n\s+at |node:internal/);

const mount = probeMount();
if (!mount.mountable) console.warn(`skipping the disk-fault tests: ${mount.why} (they need root and mount(8))`);

describe.skipIf(!mount.mountable)('a full disk or a read-only folder (item 5)', () => {
  for (const formats of ['csv', 'csv, json, html']) {
    it(`disk full mid-run (formats: [${formats}]): exit 3 naming the path and the cause, whole rows, no *.tmp, --resume finishes once there is room`, async () => {
      const server = await instant();
      const disk = mountTmpfs(formats === 'csv' ? '48k' : '400k');
      const out = join(disk, 'out');
      const file = writeSpec(specFor(server.baseUrl, 300, formats));
      const first = await runCli(['run', file, '--out', out, '--quiet']);
      expect(first.code, first.stderr).toBe(3);
      noStack(first.stderr);
      expect(first.stderr).toMatch(/no space left on the device \(ENOSPC\)/);
      expect(first.stderr).toContain(out);
      expect(first.stderr).toMatch(/--resume/);
      expect(tmpFiles(out)).toEqual([]);
      const before = expectWholeRows(join(out, 'requests.csv'));
      // With csv alone the rows fill the disk; with html the report (~250 KB, twice while it
      // is replaced after the first cell) is what no longer fits.
      if (formats === 'csv') expect(before.length).toBeLessThan(600);
      expect(new Set(before).size).toBe(before.length);

      resizeTmpfs(disk, '8m');
      const second = await runCli(['run', file, '--resume', out, '--quiet']);
      expect(second.code, second.stderr).toBe(0);
      const after = expectWholeRows(join(out, 'requests.csv'));
      expect(after.length).toBe(600);
      expect(new Set(after).size).toBe(600);
      expect(tmpFiles(out)).toEqual([]);
    });
  }

  it('a read-only results folder: exit 3 naming the folder and the cause', async () => {
    const server = await instant();
    const disk = mountTmpfs('64k', true);
    const out = join(disk, 'out');
    const r = await runCli(['run', writeSpec(specFor(server.baseUrl, 10, 'csv, json')), '--out', out, '--quiet']);
    expect(r.code, r.stderr).toBe(3);
    noStack(r.stderr);
    expect(r.stderr).toContain(out);
    expect(r.stderr).toMatch(/read-only file system \(EROFS\)/);
    expect(server.seen).toHaveLength(0);
  });
});

describe('SIGKILL loses at most the requests in flight (item 6)', () => {
  it('at ~thousands of requests/s, rows on disk = answers the server finished, minus at most the concurrency', async () => {
    const server = await instant();
    const dir = tempDir();
    const out = join(dir, 'out');
    const file = writeSpec(specFor(server.baseUrl, 200_000, 'csv', 8));
    const kill = signalWhen(server, 2000, 'SIGKILL');
    const r = await runCli(['run', file, '--out', out, '--quiet'], kill);
    expect(kill.sent).toBe(true);
    const finishedAtKill = kill.finishedAt;
    expect(r.signal).toBe('SIGKILL');
    // Answers finished by then, and a few still leaving the server's socket when the kill came.
    await new Promise((res) => setTimeout(res, 100));
    const finished = server.finished;
    expect(finished - finishedAtKill).toBeLessThanOrEqual(8);
    const rows = expectWholeRows(join(out, 'requests.csv')).length;
    expect(finished - rows, `${finished} answers finished, ${rows} rows on disk`).toBeLessThanOrEqual(8);
  });
});

describe('resume whatever output.formats says (item 7)', () => {
  it('formats: [csv]: interrupted, then --resume completes it', async () => {
    const server = await instant();
    const dir = tempDir();
    const out = join(dir, 'out');
    const file = writeSpec(specFor(server.baseUrl, 400, 'csv', 2));
    const first = await runCli(['run', file, '--out', out, '--quiet'], signalWhen(server, 100, 'SIGINT'));
    expect(first.code, first.stderr).toBe(130);
    const second = await runCli(['run', file, '--resume', out, '--quiet']);
    expect(second.code, second.stderr).toBe(0);
    const rows = expectWholeRows(join(out, 'requests.csv'));
    expect(new Set(rows).size).toBe(800);
    expect(rows.length).toBe(800);
    expect(existsSync(join(out, 'report.html'))).toBe(false);
  });
});

describe('--resume refuses a folder the plan cannot have written (item 8)', () => {
  async function finishedFolder() {
    const server = await instant();
    const dir = tempDir();
    const out = join(dir, 'out');
    const file = writeSpec(specFor(server.baseUrl, 5, 'csv, json'), dir);
    const r = await runCli(['run', file, '--out', out, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    return { file, out, dir };
  }
  function copy(out: string, dir: string, name: string): string {
    const to = join(dir, name);
    cpSync(out, to, { recursive: true });
    return to;
  }

  it('duplicated rows, out-of-plan prompt_id / repeat and unknown cells: exit 2 naming the rows; run.json null: exit 2', async () => {
    const { file, out, dir } = await finishedFolder();
    const [header, ...rows] = parse(readFileSync(join(out, 'requests.csv'), 'utf8')) as string[][];
    const lines = [header, ...rows].map((f) => csvLine(f).trimEnd());
    const edit = (line: string, name: string, value: string) => {
      const [f] = parse(line) as string[][];
      f[header.indexOf(name)] = value;
      return csvLine(f).trimEnd();
    };
    const cases: [string, string, RegExp][] = [
      ['dup', `${lines[1]}\n${lines[2]}\n`, /row 11 .*appears twice/],
      ['prompt', `${edit(lines[1], 'prompt_id', '7')}\n`, /row 11 .*prompt_id 7.*only 3 prompts/],
      ['repeat', `${edit(lines[1], 'repeat', '9')}\n`, /row 11 .*repeat 9.*5 requests/],
      ['cell', `${edit(lines[1], 'cell', 'c=4,s=false,t=5')}\n`, /row 11 .*cell 'c=4,s=false,t=5'.*not in the plan/],
    ];
    for (const [name, extra, pattern] of cases) {
      const folder = copy(out, dir, name);
      appendFileSync(join(folder, 'requests.csv'), extra);
      const r = await runCli(['run', file, '--resume', folder, '--quiet']);
      expect(r.code, `${name}: ${r.stderr}`).toBe(2);
      noStack(r.stderr);
      expect(r.stderr, r.stderr).toMatch(pattern);
      expect(r.stderr).toMatch(/requests\.csv/);
    }
    const nulled = copy(out, dir, 'null');
    writeFileSync(join(nulled, 'run.json'), 'null\n');
    const r = await runCli(['run', file, '--resume', nulled, '--quiet']);
    expect(r.code, r.stderr).toBe(2);
    noStack(r.stderr);
    expect(r.stderr).toMatch(/run\.json/);
  });
});
