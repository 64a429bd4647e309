/**
 * Issue 13, items 4 and 11-13, 17: specs and flags a hostile (or unlucky) user writes. Each
 * is exit 2 with a message that names the place and the fix, or a warning; never exit 4,
 * never a raw Node warning or JavaScript internals, and plan/validate stay linear in size.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, REPO, tempDir } from '../helpers/cli.js';

function cli(args: string[], timeoutMs = 60_000) {
  const started = performance.now();
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: REPO,
    env: { ...process.env, NO_COLOR: '1' },
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
    timeout: timeoutMs,
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, ms: performance.now() - started };
}

const HEAD = `name: hostile
target: { base_url: builtin }
`;

function specFile(body: string, dir = tempDir()): string {
  const path = join(dir, 'spec.yaml');
  writeFileSync(path, body);
  return path;
}

/** validate on `body`: exit 2 and a message on stderr, no stack trace, no internals. */
function rejects(body: string, ...patterns: RegExp[]) {
  const file = specFile(body);
  const r = cli(['validate', file]);
  expect(r.code, r.stderr).toBe(2);
  for (const p of patterns) expect(r.stderr).toMatch(p);
  clean(r.stderr);
  return r;
}

function clean(stderr: string) {
  expect(stderr).not.toMatch(/internal error|\n\s+at |native code|\(node:\d+\)|Warning:/);
}

describe('out-of-range timeouts and rates are rejected at validate (item 4)', () => {
  it('read_ms and connect_ms beyond Node\'s longest timer', () => {
    rejects(`${HEAD.replace('{ base_url: builtin }', '{ base_url: builtin, timeout: { read_ms: 3000000000, connect_ms: 2147483648 } }')}prompts: [hi]\n`, /read_ms must be at most 2147483647/, /connect_ms must be at most 2147483647/);
  });
  it('a rate so low its gaps overflow a timer', () => {
    rejects(`${HEAD}prompts: [hi]\nmatrix: { rate: [1e-300] }\n`, /matrix\.rate\[0\] must be at least 0\.001/);
  });
  it('retry backoffs and simulator delays beyond a timer', () => {
    rejects(
      `name: x\ntarget: { base_url: builtin, retry: { backoff_ms: 1e12 }, simulator: { ttft_ms: 1e12 } }\nprompts: [hi]\n`,
      /backoff_ms must be at most 2147483647/,
      /ttft_ms must be at most 2147483647/,
    );
  });
});

describe('YAML and grids that overflowed the stack (item 11)', () => {
  it('a recursive alias is exit 2 at its line', () => {
    rejects(`${HEAD}prompts: [hi]\nmatrix: &m\n  x: [*m]\n`, /spec\.yaml:5:7: .*alias \*m/);
  });

  it('an axis of 200,000 values: plan --yes summarises the table instead of overflowing', { timeout: 120_000 }, () => {
    const values = Array.from({ length: 200_000 }, (_, i) => i).join(',');
    const file = specFile(`${HEAD}prompts: [hi]\nmatrix: { seed: [${values}] }\n`);
    const r = cli(['plan', file, '--yes'], 120_000);
    expect(r.code, r.stderr).toBe(0);
    clean(r.stderr);
    expect(r.stdout.split('\n').length).toBeLessThan(100);
    expect(r.stdout).toMatch(/200,000 cells/);
    expect(r.stdout).toMatch(/more cells/);
  });

  it('999 x 1001 cells: plan --yes works', () => {
    const a = Array.from({ length: 999 }, (_, i) => i).join(',');
    const b = Array.from({ length: 1001 }, (_, i) => i).join(',');
    const file = specFile(`${HEAD}prompts: [hi]\nmatrix: { seed: [${a}], top_k: [${b}] }\n`);
    const plan = cli(['plan', file, '--yes'], 240_000);
    expect(plan.code, plan.stderr).toBe(0);
    clean(plan.stderr);
    expect(plan.stdout).toMatch(/999,999 cells/);
  }, 240_000);

  it('plan of 20,000 cells costs about what validate costs (both expand the plan; the table was quadratic)', () => {
    const a = Array.from({ length: 200 }, (_, i) => i).join(',');
    const b = Array.from({ length: 100 }, (_, i) => i).join(',');
    const file = specFile(`${HEAD}prompts: [hi]\nmatrix: { seed: [${a}], top_k: [${b}] }\n`);
    const validate = cli(['validate', file]);
    const plan = cli(['plan', file, '--yes'], 120_000);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.ms).toBeLessThan(validate.ms * 2 + 3000);
  }, 120_000);
});

describe('prompt files (item 12)', () => {
  it('CSV files of 40,000 and 200,000 rows read about as fast as text files of as many lines', { timeout: 120_000 }, () => {
    for (const n of [40_000, 200_000]) {
      const dir = tempDir();
      const rows = Array.from({ length: n }, (_, i) => `"prompt number ${i}, with a comma",${i}`);
      writeFileSync(join(dir, 'p.csv'), `prompt,id\n${rows.join('\n')}\n`);
      writeFileSync(join(dir, 'p.txt'), `${Array.from({ length: n }, (_, i) => `prompt number ${i}, with a comma`).join('\n')}\n`);
      const csv = cli(['validate', specFile(`${HEAD}prompts: [{ file: p.csv }]\n`, dir)], 120_000);
      const txt = cli(['validate', specFile(`${HEAD}prompts: [{ file: p.txt }]\n`, dir)], 120_000);
      expect(csv.code, csv.stderr).toBe(0);
      expect(csv.stdout).toMatch(new RegExp(`${n.toLocaleString('en-US')} prompts`));
      expect(csv.ms).toBeLessThan(txt.ms * 5 + 10_000);
    }
  });

  it('a symlink to /dev/zero and a FIFO are refused at once; a huge file names the cap', () => {
    const dir = tempDir();
    symlinkSync('/dev/zero', join(dir, 'zero.txt'));
    spawnSync('mkfifo', [join(dir, 'fifo.txt')]);
    writeFileSync(join(dir, 'huge.txt'), '');
    truncateSync(join(dir, 'huge.txt'), 300 * 1024 * 1024);
    mkdirSync(join(dir, 'sub'));
    const file = specFile(`${HEAD}prompts: [{ file: zero.txt }, { file: fifo.txt }, { file: huge.txt }]\n`, dir);
    const r = cli(['validate', file], 20_000);
    expect(r.signal).toBeNull();
    expect(r.code, r.stderr).toBe(2);
    clean(r.stderr);
    expect(r.stderr).toMatch(/spec\.yaml:3:19: prompt file 'zero\.txt' is not a regular file \(a character device\)/);
    expect(r.stderr).toMatch(/spec\.yaml:3:39: prompt file 'fifo\.txt' is not a regular file \(a FIFO\)/);
    expect(r.stderr).toMatch(/prompt file 'huge\.txt' is 300 MB; prompt files may be at most 256 MB/);
  });

  it('the spec itself may not be a FIFO or a device either', () => {
    const dir = tempDir();
    spawnSync('mkfifo', [join(dir, 'spec.yaml')]);
    const r = cli(['validate', join(dir, 'spec.yaml')], 20_000);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a regular file/);
  });
});

describe('flags, header names, internals, odd keys (item 13)', () => {
  it('--set bogus.deep=1 is reported against the flag, not spec.yaml:1:1', () => {
    const file = specFile(`${HEAD}prompts: [hi]\n`);
    const r = cli(['validate', file, '--set', 'bogus.deep=1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: --set bogus\.deep=1: unknown key 'bogus'/m);
    expect(r.stderr).not.toMatch(/spec\.yaml:1:1/);
  });

  it('a header name that is not an HTTP token, or a value with a line break, is caught at validate', () => {
    rejects(
      `name: x\ntarget:\n  base_url: builtin\n  headers:\n    "bad header": x\n    x-ok: "a\\r\\nb"\nprompts: [hi]\n`,
      /spec\.yaml:5:5: target\.headers: 'bad header' is not a valid HTTP header name/,
      /spec\.yaml:6:11: target\.headers\.x-ok must not contain line breaks/,
    );
  });

  it('keys named like JavaScript internals are plain keys; __proto__ is refused, not dropped', () => {
    const keys = ['constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf'];
    const file = specFile(`${HEAD}prompts: [hi]\nparams: { ${keys.map((k) => `${k}: 1`).join(', ')} }\nmatrix: { ${keys.map((k) => `${k}: [2]`).join(', ')} }\n`);
    const p = cli(['plan', file]);
    expect(p.code, p.stderr).toBe(0);
    clean(p.stderr);
    for (const k of keys) expect(p.stdout).toContain(`${k}=2`);
    rejects(`${HEAD}prompts: [hi]\nmatrix: { __proto__: [1] }\n`, /spec\.yaml:4:11: the key '__proto__' is not allowed/);
  });

  it('a collection as a key is exit 2 at its line, not a raw Node warning', () => {
    rejects(`${HEAD}prompts: [hi]\nparams:\n  ? [a, b]\n  : 1\n`, /spec\.yaml:5:5: .*key/);
  });
});

describe('an inline api_key (item 17)', () => {
  it('is warned about at its line; ${VAR} is not', () => {
    const file = specFile(`name: x\ntarget:\n  base_url: builtin\n  api_key: sk-live-0123456789abcdef\nprompts: [hi]\n`);
    const r = cli(['validate', file]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: .*spec\.yaml:4:12: target\.api_key holds the key itself/);
    expect(r.stderr).not.toMatch(/0123456789abcdef/);
    const env = specFile(`name: x\ntarget:\n  base_url: builtin\n  api_key: \${HOME}\nprompts: [hi]\n`);
    expect(cli(['validate', env]).stderr).not.toMatch(/api_key/);
  });
});
