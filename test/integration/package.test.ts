/**
 * What `npm pack` ships (issue 14.12): only what runs. No source maps (they pointed at an
 * unshipped src/), no screenshot, no tests; the vendored tokenizer is in; every relative
 * link of the README and docs/ points at a file the package has.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../helpers/cli.js';

// --ignore-scripts: no rebuild of dist/ under the other tests' feet.
const packed = JSON.parse(
  execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
) as { files: { path: string; size: number }[]; unpackedSize: number }[];
const files = packed[0].files.map((f) => f.path);

describe('the package', () => {
  it('ships no source maps, sources, tests or screenshot', () => {
    expect(files.filter((f) => /\.map$|^src\/|^test\/|^bench\/|\.png$/.test(f))).toEqual([]);
    expect(files).toEqual(expect.arrayContaining(['bin/llm-sweep.js', 'dist/cli/index.js', 'README.md', 'docs/spec.md', 'sweeps/example.yaml']));
  });

  it('ships the two vendored encodings and no other, with their licence', () => {
    const vendor = files.filter((f) => f.startsWith('dist/vendor/'));
    expect(vendor.filter((f) => f.includes('/bpeRanks/')).sort()).toEqual([
      'dist/vendor/gpt-tokenizer/bpeRanks/cl100k_base.js',
      'dist/vendor/gpt-tokenizer/bpeRanks/o200k_base.js',
    ]);
    expect(vendor).toContain('dist/vendor/gpt-tokenizer/LICENSE');
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(pkg.dependencies['gpt-tokenizer']).toBeUndefined();
  });

  it('has every file its README and docs link to', () => {
    const shipped = new Set(files);
    const missing: string[] = [];
    for (const doc of files.filter((f) => f.endsWith('.md'))) {
      const text = readFileSync(join(REPO, doc), 'utf8');
      for (const m of text.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
        if (/^[a-z]+:/.test(m[1])) continue;
        const target = normalize(join(dirname(doc), m[1]));
        if (!shipped.has(target) && !files.some((f) => f.startsWith(`${target}/`))) missing.push(`${doc}: ${m[1]}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
