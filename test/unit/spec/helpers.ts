/** Specs written to a temp folder, loaded, and their problems read back with the folder stripped. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { loadSpec, type LoadedSpec, type LoadOptions } from '../../../src/spec/load.js';
import { parseOverride } from '../../../src/spec/overrides.js';

/** A minimal valid spec, to which a test appends or from which it starts. */
export const MINIMAL = `name: t
target:
  base_url: http://127.0.0.1:8000/v1
prompts: [hi]
`;

export interface SpecOptions extends LoadOptions {
  /** Extra files next to the spec, by relative path. */
  files?: Record<string, string>;
  /** --set flags as typed. */
  set?: string[];
}

/** Writes `text` as sweep.yaml in a fresh folder (with `files`); returns its path. */
export function writeSpec(text: string, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'llm-sweep-spec-'));
  const file = join(dir, 'sweep.yaml');
  writeFileSync(file, text);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return file;
}

export function load(text: string, opts: SpecOptions = {}): LoadedSpec {
  const file = writeSpec(text, opts.files);
  return loadSpec(file, { env: opts.env ?? {}, environment: opts.environment, overrides: (opts.set ?? []).map(parseOverride) });
}

/** The problems loading `text` reports, with the temp folder removed (`sweep.yaml:3:5: ...`). */
export function problems(text: string, opts: SpecOptions = {}): string[] {
  const file = writeSpec(text, opts.files);
  const dir = dirname(file);
  try {
    loadSpec(file, { env: opts.env ?? {}, environment: opts.environment, overrides: (opts.set ?? []).map(parseOverride) });
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return (e as UserError).problems.map((p) => p.split(`${dir}/`).join(''));
  }
  throw new Error('expected the spec to be rejected');
}
