/**
 * The xlsx output (issue 14.3): results.xlsx holds a summary and a requests sheet whose
 * cells are typed (every numeric column's cells are numbers, equal to the CSV's), the
 * header row frozen; read back with read-excel-file and, where it is installed, with
 * LibreOffice headless under a German locale (which misreads the CSVs).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import readXlsxFile from 'read-excel-file/node';
import { beforeAll, describe, expect, it } from 'vitest';
import { REQUEST_COLUMNS } from '../../src/records/columns.js';
import { SUMMARY_COLUMNS } from '../../src/results/summary-csv.js';
import { runCli, tempDir, writeSpec } from '../helpers/cli.js';
import { zipEntry } from '../helpers/zip.js';

const NUMERIC = new Set(
  [...REQUEST_COLUMNS, ...SUMMARY_COLUMNS].filter((c) => c.type === 'number' || c.type === 'integer').map((c) => c.name),
);

let out: string;
beforeAll(async () => {
  const dir = tempDir();
  const file = writeSpec(
    `name: xlsx
target:
  provider: openai-chat
  base_url: builtin
  simulator: { ttft_ms: 2, itl_ms: 1, seed: 5, fault_rate: 0.2, faults: ["503"] }
  retry: { retries: 0 }
prompts: ["Say hello, briefly.", "Count to three."]
params: { model: sim-7b, max_tokens: 6 }
matrix:
  temperature: [0, 0.7]
  concurrency: [1, 2]
requests: 6
percentiles: [50, 90, 95, 99, 99.9]
output: { formats: [csv, json, xlsx] }
`,
    dir,
  );
  out = join(dir, 'out');
  const r = await runCli(['run', file, '--out', out, '--quiet']);
  expect(r.code).toBe(0);
}, 60_000);

const csv = (f: string) => parse(readFileSync(join(out, f), 'utf8')) as string[][];

describe('results.xlsx', () => {
  it('has one sheet per CSV, the same header and rows, numbers as numbers', async () => {
    const sheets = await readXlsxFile(readFileSync(join(out, 'results.xlsx')));
    expect(sheets.map((s) => s.sheet)).toEqual(['summary', 'requests']);
    for (const [name, file] of [['summary', 'summary.csv'], ['requests', 'requests.csv']] as const) {
      const [header, ...rows] = csv(file);
      const data = sheets.find((s) => s.sheet === name)!.data;
      expect(data[0]).toEqual(header);
      expect(data.length - 1).toBe(rows.length);
      let numbers = 0;
      header.forEach((col, j) => {
        const numeric = NUMERIC.has(col) || /_p\d+(\.\d+)?$/.test(col) || col === 'temperature' || col === 'concurrency';
        rows.forEach((row, i) => {
          const cell = data[i + 1][j];
          if (row[j] === '') return expect(cell ?? null).toBeNull();
          if (!numeric) return expect({ col, type: typeof cell }).toEqual({ col, type: col === 'client_bound' ? 'boolean' : 'string' });
          numbers++;
          expect({ col, cell }).toEqual({ col, cell: Number(row[j]) });
        });
      });
      expect(numbers).toBeGreaterThan(rows.length * 5);
    }
  });

  it('freezes the header row of each sheet', () => {
    const zip = readFileSync(join(out, 'results.xlsx'));
    for (const n of [1, 2]) {
      expect(zipEntry(zip, `xl/worksheets/sheet${n}.xml`)!.toString('utf8')).toMatch(/<pane [^>]*ySplit="1"[^>]*state="frozen"/);
    }
  });

  const soffice = ['soffice', 'libreoffice'].find((b) => spawnSync('sh', ['-c', `command -v ${b}`]).status === 0);
  it.skipIf(!soffice)('reads as numbers in LibreOffice under a German locale', () => {
    const dir = tempDir();
    // A flat ODS says each cell's type: office:value-type="float" is a number.
    execFileSync(soffice!, ['--headless', `-env:UserInstallation=file://${dir}/profile`, '--convert-to', 'fods', '--outdir', dir, join(out, 'results.xlsx')], {
      env: { ...process.env, LANG: 'de_DE.UTF-8', LC_ALL: 'de_DE.UTF-8' },
      stdio: 'ignore',
      timeout: 120_000,
    });
    const fods = readFileSync(join(dir, readdirSync(dir).find((f) => f.endsWith('.fods'))!), 'utf8');
    const requests = fods.slice(fods.indexOf('table:name="requests"'));
    const [header, ...rows] = csv('requests.csv');
    const firstRow = requests.slice(requests.indexOf('<table:table-row', requests.indexOf('</table:table-row>')));
    // One element per column: a cell may stand for several (number-columns-repeated).
    const cells = [...firstRow.slice(0, firstRow.indexOf('</table:table-row>')).matchAll(/<table:table-cell([^>]*)>/g)].flatMap((m) =>
      new Array<string>(Number(/table:number-columns-repeated="(\d+)"/.exec(m[1])?.[1] ?? 1)).fill(m[1]),
    );
    const attr = (cell: string, name: string) => new RegExp(`${name}="([^"]*)"`).exec(cell)?.[1];
    let checked = 0;
    header.forEach((col, j) => {
      if (!NUMERIC.has(col) || rows[0][j] === '') return;
      checked++;
      expect({ col, type: attr(cells[j], 'office:value-type'), value: Number(attr(cells[j], 'office:value')) }).toEqual({
        col,
        type: 'float',
        value: Number(rows[0][j]),
      });
    });
    expect(rows[0][header.indexOf('latency_ms')]).toMatch(/\./);
    expect(checked).toBeGreaterThan(5);
  });

  it.skipIf(!soffice)("imports summary.csv right under a German locale with the README's filter (and wrong without it)", () => {
    const [header, row] = csv('summary.csv');
    const col = header.indexOf('latency_ms_mean');
    const valueOf = (language: string) => {
      const dir = tempDir();
      execFileSync(
        soffice!,
        ['--headless', `-env:UserInstallation=file://${dir}/profile`, `--infilter=CSV:44,34,76,1,,${language}`, '--convert-to', 'fods', '--outdir', dir, join(out, 'summary.csv')],
        { env: { ...process.env, LANG: 'de_DE.UTF-8', LC_ALL: 'de_DE.UTF-8' }, stdio: 'ignore', timeout: 120_000 },
      );
      const fods = readFileSync(join(dir, 'summary.fods'), 'utf8');
      const second = fods.split('<table:table-row').slice(1)[1];
      const cells = [...second.matchAll(/<table:table-cell([^>]*)>/g)].flatMap((m) =>
        new Array<string>(Number(/table:number-columns-repeated="(\d+)"/.exec(m[1])?.[1] ?? 1)).fill(m[1]),
      );
      return Number(/office:value="([^"]*)"/.exec(cells[col])?.[1]);
    };
    expect(row[col]).toMatch(/^\d+\.\d+$/);
    expect(valueOf('1033')).toBe(Number(row[col]));
    expect(valueOf('1031')).not.toBe(Number(row[col]));
  });
});
