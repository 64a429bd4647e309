import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { specJsonSchema } from '../../../src/spec/json-schema.js';
import { BODY_PARAMS, KNOWN_PARAMS, LOAD_KEYS } from '../../../src/spec/params.js';
import { specSchema } from '../../../src/spec/schema.js';

type Node = Record<string, unknown>;

/** Every property of every object in the schema, with its path. */
function properties(node: unknown, path = ''): [string, Node][] {
  if (!node || typeof node !== 'object') return [];
  const n = node as Node;
  const out: [string, Node][] = [];
  for (const [k, v] of Object.entries((n.properties as Record<string, Node> | undefined) ?? {})) {
    out.push([`${path}.${k}`, v], ...properties(v, `${path}.${k}`));
  }
  for (const key of ['items', 'additionalProperties']) {
    if (n[key] && typeof n[key] === 'object') out.push(...properties(n[key], `${path}[]`));
  }
  for (const key of ['anyOf', 'oneOf', 'allOf']) {
    for (const x of (n[key] as unknown[] | undefined) ?? []) out.push(...properties(x, path));
  }
  return out;
}

describe('the JSON Schema', () => {
  const schema = specJsonSchema();

  it('describes every field', () => {
    const all = properties(schema);
    expect(all.length).toBeGreaterThan(100);
    expect(all.filter(([, v]) => typeof v.description !== 'string').map(([p]) => p)).toEqual([]);
  });

  it('is a 2020-12 schema that requires prompts and one of target and targets', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.required).toEqual(['prompts']);
    expect(schema.oneOf).toEqual([{ required: ['target'] }, { required: ['targets'] }]);
  });

  it('completes the known parameters in params, matrix, include and exclude', () => {
    const props = (schema.properties as Record<string, Node>);
    const params = props.params.properties as Node;
    const matrix = props.matrix.properties as Record<string, Node>;
    expect(Object.keys(params)).toEqual(KNOWN_PARAMS);
    expect(Object.keys(matrix)).toEqual(['include', 'exclude', ...KNOWN_PARAMS]);
    expect((matrix.include.items as Node).properties).toHaveProperty('max_tokens');
    expect(LOAD_KEYS.every((k) => KNOWN_PARAMS.includes(k))).toBe(true);
    expect(Object.keys(BODY_PARAMS)).toContain('temperature');
  });

  it('matches the committed docs/spec.schema.json (regenerate: node bin/llm-sweep.js schema > docs/spec.schema.json)', () => {
    const committed = readFileSync(new URL('../../../docs/spec.schema.json', import.meta.url), 'utf8');
    expect(committed).toBe(`${JSON.stringify(schema, null, 2)}\n`);
  });

  it('is generated from the zod schema that validates', () => {
    expect(specSchema.safeParse({ target: { base_url: 'builtin' }, prompts: ['hi'] }).success).toBe(true);
  });
});

describe('docs/spec.md', () => {
  const doc = readFileSync(new URL('../../../docs/spec.md', import.meta.url), 'utf8');
  const schema = specJsonSchema() as Node;
  const props = (n: unknown) => Object.keys(((n as Node)?.properties as Node | undefined) ?? {});
  const top = schema.properties as Record<string, Node>;
  // One form per provider: every setting of any of them.
  const target = Object.assign({}, ...(top.target.oneOf as Node[]).map((form) => form.properties)) as Record<string, Node>;
  const fields = [
    ...props(schema),
    ...Object.keys(target),
    ...props(target.timeout),
    ...props(target.retry),
    ...props(target.simulator),
    ...props(top.slo),
    ...props(top.output),
    ...KNOWN_PARAMS,
  ];

  it.each([...new Set(fields)])('documents `%s`', (field) => {
    expect(doc).toMatch(new RegExp(`\`[^\`\\n]*\\b${field}\\b[^\`\\n]*\``));
  });
});
