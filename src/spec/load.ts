/**
 * Loading a spec: read the YAML keeping positions, apply --set, interpolate ${VAR}, validate
 * with zod, and report every problem at once as `file:line:col: message`.
 */
import { createHash } from 'node:crypto';
import { basename, dirname, extname, resolve } from 'node:path';
import { z } from 'zod';
import { UserError } from '../errors.js';
import { interpolateDocument } from './interpolate.js';
import { applyOverrides, type Override } from './overrides.js';
import { redact, secretsOf } from './redact.js';
import { LOAD_KEYS, specSchema, type Spec } from './schema.js';
import { nearest } from './suggest.js';
import { readYaml, type YamlPath, type YamlSource } from './yaml-source.js';

export interface LoadedSpec {
  spec: Spec;
  /** Path of the spec file as given. */
  file: string;
  /** Folder that relative paths in the spec (prompt files) resolve against. */
  dir: string;
  /** The spec's name, or the file's base name. */
  name: string;
  /** Secret values (api_key, auth headers), to scrub from anything written. */
  secrets: string[];
  /** sha256 of the redacted, validated spec: resume and merge check it. */
  hash: string;
  source: YamlSource;
}

export interface LoadOptions {
  overrides?: readonly Override[];
  env?: NodeJS.ProcessEnv;
}

/** Body parameters that common servers accept; a near miss of one is reported as a typo. */
export const KNOWN_BODY_PARAMS = [
  'model',
  'temperature',
  'top_p',
  'top_k',
  'min_p',
  'max_tokens',
  'max_completion_tokens',
  'max_new_tokens',
  'num_predict',
  'min_tokens',
  'presence_penalty',
  'frequency_penalty',
  'repetition_penalty',
  'seed',
  'stop',
  'n',
  'logprobs',
  'top_logprobs',
  'logit_bias',
  'user',
  'response_format',
  'tools',
  'tool_choice',
  'reasoning_effort',
  'ignore_eos',
  'best_of',
  'use_beam_search',
  'length_penalty',
  'echo',
  'suffix',
  'system',
  'thinking',
  'options',
  'keep_alive',
  'stream_options',
  ...LOAD_KEYS,
];

export function loadSpec(file: string, opts: LoadOptions = {}): LoadedSpec {
  const source = readYaml(file);
  if (opts.overrides?.length) applyOverrides(source, opts.overrides);
  const { problems } = interpolateDocument(source, opts.env ?? process.env);
  const raw: unknown = source.doc.toJS();
  if (raw === null || raw === undefined) {
    throw new UserError(`${file}:1:1: the spec is empty; start from sweeps/example.yaml`);
  }
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new UserError(`${source.locate([])}: the spec must be a mapping of keys (name, target, prompts, matrix, ...)`);
  }
  const parsed = specSchema.safeParse(raw);
  if (!parsed.success) problems.push(...zodProblems(parsed.error, source));
  else problems.push(...semanticProblems(parsed.data, source));
  if (problems.length > 0) {
    const unique = [...new Set(problems)].sort(byPosition);
    throw new UserError(unique.join('\n'), unique);
  }
  const spec = parsed.data!;
  const name = spec.name ?? basename(file, extname(file)).replace(/[^A-Za-z0-9._-]+/g, '-');
  return {
    spec,
    file,
    dir: dirname(resolve(file)),
    name,
    secrets: secretsOf(spec),
    hash: hashSpec(spec),
    source,
  };
}

export function hashSpec(spec: Spec): string {
  return createHash('sha256').update(canonicalJson(redact(spec))).digest('hex').slice(0, 16);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Checks zod cannot express: typos of known body parameters in params and matrix. */
function semanticProblems(spec: Spec, src: YamlSource): string[] {
  const problems: string[] = [];
  const check = (section: 'params' | 'matrix', key: string) => {
    if (KNOWN_BODY_PARAMS.includes(key)) return;
    if (section === 'matrix' && (key === 'include' || key === 'exclude')) return;
    const candidates = section === 'matrix' ? [...KNOWN_BODY_PARAMS, 'include', 'exclude'] : KNOWN_BODY_PARAMS;
    const guess = nearest(key, candidates);
    if (guess && guess !== key) {
      problems.push(
        `${src.locate([section, key], 'key')}: unknown key '${key}' in ${section} — did you mean '${guess}'?`,
      );
    }
  };
  for (const key of Object.keys(spec.params)) check('params', key);
  for (const key of Object.keys(spec.matrix)) check('matrix', key);
  for (const key of ['concurrency', 'rate'] as const) {
    const values = spec.matrix[key] as unknown[] | undefined;
    values?.forEach((v, i) => {
      const ok = key === 'concurrency' ? Number.isInteger(v) && (v as number) > 0 : typeof v === 'number' && v > 0;
      if (!ok) {
        problems.push(
          `${src.locate(['matrix', key, i])}: ${key} must be a ${key === 'concurrency' ? 'whole number' : 'number'} above 0, got ${JSON.stringify(v)}`,
        );
      }
    });
  }
  const stream = spec.matrix.stream as unknown[] | undefined;
  stream?.forEach((v, i) => {
    if (typeof v !== 'boolean') problems.push(`${src.locate(['matrix', 'stream', i])}: stream must be true or false`);
  });
  return problems;
}

function zodProblems(error: z.ZodError, src: YamlSource): string[] {
  const out: string[] = [];
  for (const issue of error.issues) out.push(...formatIssue(issue, src));
  return out;
}

function formatIssue(issue: z.core.$ZodIssue, src: YamlSource): string[] {
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  const where = pathText(path);
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => {
        const known = knownKeysAt(path);
        const guess = nearest(key, known);
        const hint = guess ? ` — did you mean '${guess}'?` : known.length ? ` (expected one of: ${known.join(', ')})` : '';
        return `${src.locate([...path, key], 'key')}: unknown key '${key}'${where ? ` in ${where}` : ''}${hint}`;
      });
    case 'invalid_type': {
      const got = describeValue(valueAt(src, path));
      if (got === 'nothing') {
        return [`${src.locate(path.slice(0, -1))}: missing required key '${pathText(path)}' (${issue.expected} expected)`];
      }
      return [`${src.locate(path)}: ${where || 'the spec'} must be ${article(issue.expected)}, got ${got}`];
    }
    case 'invalid_value':
      return [
        `${src.locate(path)}: ${where} must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${JSON.stringify(valueAt(src, path))}`,
      ];
    case 'invalid_union':
      return [unionMessage(path, src)];
    default:
      return [`${src.locate(path)}: ${where ? `${where}: ` : ''}${issue.message}`];
  }
}

function unionMessage(path: (string | number)[], src: YamlSource): string {
  const where = pathText(path);
  if (path[0] === 'prompts') {
    return `${src.locate(path)}: ${where} must be a string, or a mapping with one of prompt, messages or file`;
  }
  if (path[0] === 'thresholds') {
    return `${src.locate(path)}: ${where} must be a condition like "< 2000" or a list of them`;
  }
  if (path[0] === 'target' && path[1] === 'retry') {
    return `${src.locate(path)}: ${where} must be an HTTP status (100-599) or "network"`;
  }
  return `${src.locate(path)}: ${where} has an unexpected form`;
}

function pathText(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function article(expected: string): string {
  const name = expected === 'record' ? 'mapping' : expected === 'object' ? 'mapping' : expected === 'array' ? 'list' : expected;
  return /^[aeiou]/.test(name) ? `an ${name}` : `a ${name}`;
}

function valueAt(src: YamlSource, path: YamlPath): unknown {
  const node = src.doc.getIn(path as (string | number)[], false);
  return node;
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'an empty value';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') {
    const js = (v as { toJSON?: () => unknown }).toJSON?.();
    if (Array.isArray(js)) return 'a list';
    return 'a mapping';
  }
  if (typeof v === 'string') return `the text ${JSON.stringify(v)}`;
  return `${typeof v} ${JSON.stringify(v)}`;
}

/** Keys the schema allows at a path, for "did you mean" suggestions. */
function knownKeysAt(path: readonly (string | number)[]): string[] {
  let schema: unknown = specSchema;
  for (const seg of path) {
    schema = unwrap(schema);
    if (typeof seg === 'number') {
      schema = (schema as { element?: unknown }).element ?? schema;
      continue;
    }
    const shape = (schema as { shape?: Record<string, unknown> }).shape;
    if (!shape || !(seg in shape)) return [];
    schema = shape[seg];
  }
  schema = unwrap(schema);
  const shape = (schema as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : [];
}

function unwrap(schema: unknown): unknown {
  let s = schema as { def?: { type?: string; innerType?: unknown; in?: unknown } };
  for (let i = 0; i < 10 && s?.def; i++) {
    const t = s.def.type;
    if ((t === 'optional' || t === 'default' || t === 'nullable' || t === 'prefault') && s.def.innerType) {
      s = s.def.innerType as typeof s;
    } else if (t === 'pipe' && s.def.in) {
      s = s.def.in as typeof s;
    } else break;
  }
  return s;
}

function byPosition(a: string, b: string): number {
  const pa = /:(\d+):(\d+):/.exec(a);
  const pb = /:(\d+):(\d+):/.exec(b);
  if (!pa || !pb) return 0;
  return Number(pa[1]) - Number(pb[1]) || Number(pa[2]) - Number(pb[2]);
}
