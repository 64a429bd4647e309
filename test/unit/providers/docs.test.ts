/** docs/providers.md documents every parameter each provider's table accepts, and names every example sweep. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ANTHROPIC_PARAMS } from '../../../src/providers/anthropic.js';
import { OLLAMA_CHAT_PARAMS, OLLAMA_GENERATE_PARAMS } from '../../../src/providers/ollama.js';
import type { ParamTable } from '../../../src/providers/shared.js';
import { TGI_PARAMS } from '../../../src/providers/tgi.js';
import { PROVIDERS } from '../../../src/spec/schema.js';
import { REPO } from '../../helpers/cli.js';

const doc = readFileSync(join(REPO, 'docs/providers.md'), 'utf8');

function section(name: string): string {
  const start = doc.indexOf(`\n## ${name}`);
  expect(start, `section ${name}`).toBeGreaterThan(0);
  const end = doc.indexOf('\n## ', start + 1);
  return doc.slice(start, end < 0 ? undefined : end);
}

const tables: [string, ParamTable][] = [
  ['anthropic', ANTHROPIC_PARAMS],
  ['tgi', TGI_PARAMS],
  ['ollama', { ...OLLAMA_CHAT_PARAMS, ...OLLAMA_GENERATE_PARAMS }],
];

describe('docs/providers.md', () => {
  it.each(tables)('the %s section names every parameter of its table', (name, table) => {
    const text = section(name);
    const missing = Object.keys(table).filter((k) => !text.includes(`\`${k}\``));
    expect(missing).toEqual([]);
  });

  it('has a section per provider and an existing example for the native ones', () => {
    for (const p of PROVIDERS.filter((k) => !k.startsWith('openai'))) section(p.replace(/^http$/, 'http (templated)'));
    for (const m of doc.matchAll(/`(sweeps\/[\w.-]+\.yaml)`/g)) {
      // vllm.yaml, openai.yaml and ollama.yaml come with the spec work.
      if (['sweeps/vllm.yaml', 'sweeps/openai.yaml', 'sweeps/ollama.yaml'].includes(m[1])) continue;
      expect(existsSync(join(REPO, m[1])), m[1]).toBe(true);
    }
  });
});
