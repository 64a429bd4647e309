/**
 * zod issues as messages a user can act on: `file:line:col: <field> must be ..., got ...`,
 * with the nearest valid key or value suggested, for every issue kind zod reports.
 */
import type { z } from 'zod';
import { isObject } from '../json.js';
import { pathKey } from './interpolate.js';
import { descriptionAt, formKeysAt, isIntAt, keysAt, providerKeys } from './schema-path.js';
import { commonTargetSchema } from './target.js';
import { nearest, strictLimit } from './suggest.js';
import { targetDepth } from './targets.js';
import type { YamlPath, YamlSource } from './yaml-source.js';

type Issue = z.core.$ZodIssue;
type Path = (string | number)[];

export function zodProblems(
  error: z.ZodError,
  src: YamlSource,
  raw: unknown,
  origins: ReadonlyMap<string, string> = new Map(),
): string[] {
  const ctx: Ctx = { src, raw, origins };
  return error.issues.flatMap((issue) => formatIssue(issue, cleanPath(issue.path), ctx));
}

interface Ctx {
  src: YamlSource;
  /** The spec as zod saw it (after --set and interpolation). */
  raw: unknown;
  /** Text as written of interpolated values (see interpolate.ts). */
  origins: ReadonlyMap<string, string>;
}

function cleanPath(path: readonly PropertyKey[]): Path {
  return path.filter((p): p is string | number => typeof p !== 'symbol');
}

function formatIssue(issue: Issue, path: Path, ctx: Ctx): string[] {
  const { src } = ctx;
  const where = pathText(path);
  const value = valueAt(ctx.raw, path);
  const origin = ctx.origins.get(pathKey(path));
  const got = `${describeValue(value)}${origin !== undefined ? ` (from ${origin})` : ''}`;
  // A rate is a number or the text inf: other text is neither, not a misspelt inf.
  if (isRatePath(path) && value !== undefined && typeof value !== 'number') return [`${src.locate(path)}: ${where} ${RATE_FORMS}, got ${got}`];
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => unknownKey(key, path, keysAt(path), ctx));
    case 'invalid_type': {
      if (value === undefined) return [missingKey(path, issue.expected, ctx)];
      const hint =
        issue.expected === 'array' && path[0] === 'matrix' && path.length === 2 && value !== null && typeof value !== 'object'
          ? `; write [${JSON.stringify(value)}] for a single value`
          : '';
      return [`${src.locate(path)}: ${where || 'the spec'} must be ${typeName(issue.expected)}, got ${got}${hint}`];
    }
    case 'invalid_value': {
      const options = issue.values.map((v) => JSON.stringify(v));
      const guess =
        typeof value === 'string' ? nearest(value, issue.values.map(String), { maxDistance: strictLimit(value) }) : undefined;
      const list = options.length === 1 ? options[0] : `one of ${options.join(', ')}`;
      return [`${src.locate(path)}: ${where} must be ${list}, got ${got}${guess ? ` — did you mean '${guess}'?` : ''}`];
    }
    case 'too_small':
      return [`${src.locate(path)}: ${tooSmall(issue, where, value, got, isIntAt(path))}`];
    case 'too_big':
      return [`${src.locate(path)}: ${tooBig(issue, where, got)}`];
    case 'invalid_union':
      if ((issue as { note?: string }).note === 'No matching discriminator') {
        // A target block whose provider is missing or unknown: its other problems still show.
        const block = path.slice(0, -1);
        const isTarget = path[path.length - 1] === 'provider' && block.length > 0 && targetDepth(block) === block.length;
        const rest = isTarget ? (commonTargetSchema.safeParse(valueAt(ctx.raw, block)).error?.issues ?? []) : [];
        const head = value === undefined ? missingDiscriminator(issue, path, ctx) : badDiscriminator(issue, path, value, got, ctx);
        return [head, ...rest.flatMap((e) => formatIssue(e, [...block, ...cleanPath(e.path)], ctx))];
      }
      return unionIssues(issue, path, ctx);
    case 'invalid_format':
    case 'custom': {
      // Our refinements word their message to follow the field's name ("must be ...").
      const msg = issue.message;
      const text = /^(must|cannot|is|needs)\b/.test(msg) ? `${where} ${msg}, got ${got}` : `${where}: ${msg}, got ${got}`;
      return [`${src.locate(path)}: ${text}`];
    }
    case 'invalid_key': {
      // A record's key (a header name): the key's own problem, at the key.
      const key = path[path.length - 1];
      const inner = (issue as { issues?: Issue[] }).issues?.[0]?.message ?? 'is not allowed here';
      return [`${src.locate(path, 'key')}: ${pathText(path.slice(0, -1))}: '${String(key)}' ${inner}`];
    }
    case 'not_multiple_of':
      return [`${src.locate(path)}: ${where} must be a multiple of ${issue.divisor}, got ${got}`];
    default:
      return [`${src.locate(path)}: ${where ? `${where}: ` : ''}${issue.message}`];
  }
}

/** A union on a key (target on `provider`) given a value none of its forms has. */
function badDiscriminator(issue: Extract<Issue, { code: 'invalid_union' }>, path: Path, value: unknown, got: string, ctx: Ctx): string {
  const options = ((issue as { options?: unknown[] }).options ?? []).filter((o): o is string => typeof o === 'string');
  const guess = typeof value === 'string' ? nearest(value, options, { maxDistance: strictLimit(value) }) : undefined;
  const list = options.map((o) => JSON.stringify(o)).join(', ');
  return `${ctx.src.locate(path)}: ${pathText(path)} must be one of ${list}, got ${got}${guess ? ` — did you mean '${guess}'?` : ''}`;
}

/** A union's key (a named target's `provider`) not given at all. */
function missingDiscriminator(issue: Extract<Issue, { code: 'invalid_union' }>, path: Path, ctx: Ctx): string {
  const options = ((issue as { options?: unknown[] }).options ?? []).filter((o): o is string => typeof o === 'string');
  const parent = path.slice(0, -1);
  return `${ctx.src.locate(parent, 'key')}: missing required key '${path[path.length - 1]}' in ${pathText(parent)} — one of ${options.join(', ')}`;
}

function unknownKey(key: string, path: Path, known: string[], ctx: Ctx): string {
  const owner = path.length > 0 && targetDepth(path) === path.length ? ownerOf(key, path, ctx.raw) : undefined;
  if (owner) return `${ctx.src.locate([...path, key], 'key')}: ${owner}`;
  const guess = nearest(key, known);
  const hint = guess ? ` — did you mean '${guess}'?` : known.length ? ` (expected one of: ${known.join(', ')})` : '';
  const where = pathText(path);
  return `${ctx.src.locate([...path, key], 'key')}: unknown key '${key}'${where ? ` in ${where}` : ''}${hint}`;
}

function missingKey(path: Path, expected: string, ctx: Ctx): string {
  const parent = path.slice(0, -1);
  const key = path[path.length - 1];
  const about = descriptionAt(path);
  const where = pathText(parent);
  const at = parent.length > 0 ? ctx.src.locate(parent, 'key') : ctx.src.locate([]);
  return `${at}: missing required key '${key}'${where ? ` in ${where}` : ''}${about ? ` — ${about}` : ` (${typeName(expected)})`}`;
}

function tooSmall(
  issue: Extract<Issue, { code: 'too_small' }>,
  where: string,
  value: unknown,
  got: string,
  isInt: boolean,
): string {
  const min = Number(issue.minimum);
  switch (issue.origin) {
    case 'array':
    case 'set':
      if (Array.isArray(value) && value.length === 0) {
        if (/^matrix\.[^.[]+$/.test(where)) {
          return `${where} is an empty list; give the axis at least one value, or remove it`;
        }
        return `${where} is an empty list; give at least ${min} value${min === 1 ? '' : 's'}`;
      }
      return `${where} needs at least ${min} value${min === 1 ? '' : 's'}, got ${Array.isArray(value) ? value.length : got}`;
    case 'string':
      return min <= 1 ? `${where} must not be empty` : `${where} must be at least ${min} characters long`;
    default:
      if (isInt) return `${where} must be a whole number of at least ${issue.inclusive ? min : Math.floor(min) + 1}, got ${got}`;
      return issue.inclusive
        ? `${where} must be at least ${min}, got ${got}`
        : `${where} must be above ${min}, got ${got}`;
  }
}

function tooBig(issue: Extract<Issue, { code: 'too_big' }>, where: string, got: string): string {
  const max = Number(issue.maximum);
  switch (issue.origin) {
    case 'array':
    case 'set':
      return `${where} allows at most ${max} value${max === 1 ? '' : 's'}`;
    case 'string':
      return `${where} must be at most ${max} characters long`;
    default:
      return issue.inclusive ? `${where} must be at most ${max}, got ${got}` : `${where} must be below ${max}, got ${got}`;
  }
}

const RATE_FORMS = 'must be a number of requests per second above 0, or inf (no pacing: every request due at once)';

/** params.rate, matrix.rate[i], matrix.include[i].rate, ... */
function isRatePath(path: Path): boolean {
  return path[path.length - 1] === 'rate' || (path[path.length - 2] === 'rate' && typeof path[path.length - 1] === 'number');
}

/** Custom wording for unions whose value fits none of the forms. */
function unionForms(path: Path): string | undefined {
  if (path[0] === 'prompts' && path.length === 2) {
    return 'must be a string, or a mapping with one of prompt, messages or file';
  }
  if (path[0] === 'thresholds' && path.length === 2) {
    return 'must be a condition in quotes like "< 2000", or a list of them';
  }
  if (isRatePath(path)) return RATE_FORMS;
  const d = targetDepth(path);
  if (d > 0 && path[d] === 'retry' && path[d + 1] === 'on') {
    return 'must be an HTTP status (100-599) or "network"';
  }
  return undefined;
}

/**
 * A value that fits no form of a union. When the value has the shape of one form (no
 * problem at its top), that form's own problems are the useful ones; for a mapping with
 * keys no form knows, suggest the nearest key; otherwise say which forms are accepted.
 */
function unionIssues(issue: Extract<Issue, { code: 'invalid_union' }>, path: Path, ctx: Ctx): string[] {
  const value = valueAt(ctx.raw, path);
  const where = pathText(path);
  const branches = issue.errors;
  const atTop = (i: Issue) => i.path.length === 0;
  if (value === undefined) return [missingKey(path, 'a value', ctx)];
  if (isObject(value) && Object.keys(value).length === 0) {
    return [`${ctx.src.locate(path)}: ${where} is an empty mapping; give one of ${formKeysAt(path).join(', ')}`];
  }
  // A form the value has the shape of (its problems are all inside it), or else the type of
  // (its only problems at the top are limits: too small, too big, bad format).
  const fitting = branches.filter((errs) => errs.length > 0 && !errs.some(atTop));
  const typed = branches.filter(
    (errs) => errs.length > 0 && errs.every((e) => !atTop(e) || ['too_small', 'too_big', 'invalid_format'].includes(e.code)),
  );
  const best = [...(fitting.length > 0 ? fitting : typed)].sort((a, b) => a.length - b.length)[0];
  if (best) return best.flatMap((e) => formatIssue(e, [...path, ...cleanPath(e.path)], ctx));
  if (isObject(value)) {
    const objectBranches = branches.filter((errs) => !errs.some((e) => atTop(e) && e.code === 'invalid_type'));
    const unknownIn = objectBranches.map(
      (errs) => new Set(errs.flatMap((e) => (atTop(e) && e.code === 'unrecognized_keys' ? e.keys : []))),
    );
    const forms = [...new Set(keysAt(path))];
    const keys = Object.keys(value);
    const unknownEverywhere = keys.filter((k) => unknownIn.length > 0 && unknownIn.every((s) => s.has(k)));
    if (unknownEverywhere.length > 0) return unknownEverywhere.map((k) => unknownKey(k, path, forms, ctx));
    const given = keys.filter((k) => formKeysAt(path).includes(k));
    return [`${ctx.src.locate(path)}: ${where} must have exactly one of ${formKeysAt(path).join(', ')} (found ${given.join(' and ')})`];
  }
  const custom = unionForms(path);
  if (custom) return [`${ctx.src.locate(path)}: ${where} ${custom}, got ${describeValue(value)}`];
  const expected = [
    ...new Set(
      branches.flatMap((errs) =>
        errs.filter((e) => atTop(e) && e.code === 'invalid_type').map((e) => typeName((e as { expected: string }).expected)),
      ),
    ),
  ];
  return [
    `${ctx.src.locate(path)}: ${where} must be ${expected.length > 0 ? expected.join(' or ') : 'of another form'}, got ${describeValue(value)}`,
  ];
}

/** For a target key of another provider ("http" under provider tgi): which provider takes it. */
function ownerOf(key: string, block: Path, raw: unknown): string | undefined {
  const provider = valueAt(raw, [...block, 'provider']) ?? 'openai-chat';
  const owners = providerKeys(key);
  if (owners.length === 0 || owners.includes(String(provider))) return undefined;
  return `${pathText(block)}.${key} is a setting of provider ${owners.join(' and ')}, not of ${String(provider)}; remove it, or set provider: ${owners[0]}`;
}

export function pathText(path: YamlPath): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

function typeName(expected: string): string {
  switch (expected) {
    case 'int':
      return 'a whole number';
    case 'number':
      return 'a number';
    case 'string':
      return 'text';
    case 'boolean':
      return 'true or false';
    case 'array':
    case 'tuple':
      return 'a list';
    case 'object':
    case 'record':
    case 'map':
      return 'a mapping';
    default:
      return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
  }
}

export function valueAt(root: unknown, path: YamlPath): unknown {
  let v = root;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'an empty value';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the text ${JSON.stringify(v)}`;
  return String(v);
}
