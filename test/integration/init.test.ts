/**
 * `llm-sweep init [dir]` (issue 14.11): two commented starter specs that validate, the
 * simulator one runs as written (fewer requests here), and nothing is overwritten unasked.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/cli.js';

describe('init', () => {
  it('writes a simulator spec that runs and a server spec that validates', async () => {
    const cwd = tempDir();
    const r = await runCli(['init', 'bench'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'wrote\n' +
        '  bench/sweep.yaml   the bundled simulator: runs now, no server, no key\n' +
        '  bench/server.yaml  an OpenAI-compatible server (vLLM, SGLang, llama-server, ...)\n' +
        'next:\n  llm-sweep run bench/sweep.yaml\n  llm-sweep validate bench/server.yaml\n',
    );
    const server = readFileSync(join(cwd, 'bench/server.yaml'), 'utf8');
    expect(server).toContain('base_url: ${OPENAI_BASE_URL:-http://localhost:8000/v1}');
    for (const f of ['bench/sweep.yaml', 'bench/server.yaml']) {
      const v = await runCli(['validate', f], { cwd });
      expect({ f, code: v.code, stderr: v.stderr }).toEqual({ f, code: 0, stderr: '' });
    }
    const run = await runCli(['run', 'bench/sweep.yaml', '--set', 'requests=2', '--set', 'warmup=0', '--out', 'out', '--quiet'], { cwd });
    expect(run.code).toBe(0);
    // Full axis names when they fit in 80 columns, short ones when a BOUND verdict (a busy
    // machine) widens the table: either way the table fits.
    expect(run.stdout).toMatch(/^max_tok(ens)? +conc(urrency)? +ok\/err/);
    for (const line of run.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
  });

  it('refuses to overwrite (exit 2) unless --force', async () => {
    const cwd = tempDir();
    expect((await runCli(['init'], { cwd })).code).toBe(0);
    const again = await runCli(['init'], { cwd });
    expect(again.code).toBe(2);
    expect(again.stderr).toBe('error: sweep.yaml, server.yaml already exist; choose another folder, or pass --force to overwrite\n');
    expect((await runCli(['init', '--force'], { cwd })).code).toBe(0);
  });
});
