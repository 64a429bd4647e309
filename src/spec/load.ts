/**
 * Loading a spec: read the YAML keeping positions, apply --set, interpolate ${VAR},
 * validate with zod and the checks zod cannot express, read the prompt files, and report
 * every problem at once as `file:line:col: message` (a UserError: exit 2, no stack).
 */
import { createHash } from 'node:crypto';
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { checkSpecProblems } from '../checks/spec-problems.js';
import { gateProblems } from '../compare/spec-problems.js';
import { UserError } from '../errors.js';
import { collectPrompts } from '../plan/prompts.js';
import { workloadProblems } from '../plan/workloads/spec-checks.js';
import type { Prompt } from '../plan/types.js';
import { searchChecks } from '../search/spec-checks.js';
import { canonicalJson } from './canonical.js';
import { specChecks } from './checks.js';
import { applyEnvironment } from './environments.js';
import { interpolateDocument } from './interpolate.js';
import { zodProblems } from './issues.js';
import { applyOverrides, type Override } from './overrides.js';
import { redact, secretsOf } from './redact.js';
import { specSchema, type Spec } from './schema.js';
import { specTargets } from './targets.js';
import { readYaml, type YamlSource } from './yaml-source.js';

export { canonicalJson };

export interface LoadedSpec {
  spec: Spec;
  /** Path of the spec file as given. */
  file: string;
  /** Folder that relative paths in the spec (prompt files) resolve against. */
  dir: string;
  /** The spec's name, or the file's base name. */
  name: string;
  /** Secret values (api_key, auth headers, secret-looking env vars), to scrub from anything written. */
  secrets: string[];
  /** sha256 (16 hex) of the redacted, validated spec: resume and merge check it. */
  hash: string;
  source: YamlSource;
  /** The resolved prompt list (files read); buildPlan uses it instead of reading the files again. */
  prompts?: Prompt[];
  /** Legal but probably wrong (`file:line:col: message`); print them, do not fail. */
  warnings?: string[];
  /** The environment merged over the spec (`--env`), if any. */
  environment?: string;
  /** The environments the spec defines (`environments:`), in spec order. */
  environments?: string[];
}

export interface LoadOptions {
  overrides?: readonly Override[];
  env?: NodeJS.ProcessEnv;
  /** The spec's environment to merge over it before the overrides (`--env NAME`). */
  environment?: string;
}

export function loadSpec(file: string, opts: LoadOptions = {}): LoadedSpec {
  const source = readYaml(file);
  const environments = applyEnvironment(source, opts.environment);
  if (opts.overrides?.length) applyOverrides(source, opts.overrides);
  const interpolation = interpolateDocument(source, opts.env ?? process.env);
  let raw: unknown;
  try {
    raw = source.doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    throw new UserError(`${file}:1:1: cannot read the YAML: ${(e as Error).message}`);
  }
  if (raw === null || raw === undefined) {
    throw new UserError(`${file}:1:1: the spec is empty; llm-sweep init writes two commented starter specs (docs/spec.md describes every field)`);
  }
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new UserError(
      `${source.locate([])}: the spec must be a mapping of keys (name, target, prompts, matrix, ...), got ${Array.isArray(raw) ? 'a list' : 'a single value'}`,
    );
  }
  const problems = [...environments.problems, ...interpolation.problems];
  const parsed = specSchema.safeParse(raw);
  if (!parsed.success) problems.push(...zodProblems(parsed.error, source, raw, interpolation.origins));
  problems.push(...gateProblemsBestEffort(parsed.success ? parsed.data : (raw as Spec), source));
  const search = searchChecksBestEffort(parsed.success ? parsed.data : (raw as Spec), source);
  problems.push(...search.problems);
  const checks = specChecks(raw as Record<string, unknown>, source);
  problems.push(...checks.problems);

  const dir = dirname(resolve(file));
  if (parsed.success) problems.push(...workloadProblems(parsed.data, source, dir));
  const rawPrompts = (raw as { prompts?: unknown }).prompts;
  const prompts = collectPrompts(Array.isArray(rawPrompts) ? rawPrompts : [], {
    dir,
    locate: (i, key) => source.locate(key ? ['prompts', i, key] : ['prompts', i]),
    display: (f) => (isAbsolute(f) ? f : join(dirname(file), f)),
  });
  problems.push(...prompts.problems);
  problems.push(...checkSpecProblems(raw as Record<string, unknown>, source, prompts.prompts, dir));

  if (problems.length > 0 || !parsed.success) {
    const sorted = sortProblems([...new Set(problems)], file, (opts.overrides ?? []).map((o) => o.text));
    throw new UserError(sorted.join('\n'), sorted);
  }
  // zod lists declared keys first; the matrix axes must keep the order they were written in.
  const spec = inInputOrder(parsed.data, raw);
  const warnings = sortProblems(
    [...checks.warnings, ...search.warnings, ...promptWarnings(spec, prompts.prompts.length, source), ...inlineKeyWarnings(spec, source, interpolation.origins)],
    file,
    [],
  );
  const secrets = secretsOf(spec, interpolation.secrets);
  return {
    spec,
    file,
    dir,
    name: spec.name ?? (basename(file, extname(file)).replace(/[^A-Za-z0-9._-]+/g, '-') || 'sweep'),
    secrets,
    hash: hashSpec(spec, secrets),
    source,
    prompts: prompts.prompts,
    warnings,
    environment: opts.environment,
    environments: environments.names,
  };
}

/**
 * Short sha256 of the spec with secrets redacted: equal for equal sweeps, whatever the key.
 * The budget is left out: it limits the spending, not the sweep, so a run stopped on its
 * budget can be resumed with a higher one. So are the workers: they change how requests are
 * sent, not which, so a run may be resumed with another count.
 */
export function hashSpec(spec: Spec, secrets: readonly string[] = []): string {
  const { budget: _budget, workers: _workers, ...sweep } = spec;
  return createHash('sha256').update(canonicalJson(redact(sweep as Spec, secrets))).digest('hex').slice(0, 16);
}

/** `value` with every mapping's keys in the order of `input` (keys only in `value`, e.g. defaults, last). */
function inInputOrder<T>(value: T, input: unknown): T {
  if (Array.isArray(value)) {
    return value.map((v, i) => inInputOrder(v, Array.isArray(input) ? input[i] : undefined)) as T;
  }
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const given = input !== null && typeof input === 'object' && !Array.isArray(input) ? (input as Record<string, unknown>) : {};
  const keys = [...Object.keys(given).filter((k) => Object.hasOwn(obj, k)), ...Object.keys(obj).filter((k) => !Object.hasOwn(given, k))];
  return Object.fromEntries(keys.map((k) => [k, inInputOrder(obj[k], given[k])])) as T;
}

/** Values of api_key that are obviously not a key (local servers that want some string). */
const PLACEHOLDER_KEYS = /^(none|empty|dummy|test|token|key|x+|no-?key|not-?needed|sk-no-key-required|placeholder|local|ollama|lm-studio)$/i;

/** An api_key written into the spec itself: a spec is easy to commit, share or paste. */
function inlineKeyWarnings(spec: Spec, src: YamlSource, origins: ReadonlyMap<string, string>): string[] {
  return specTargets(spec).flatMap(({ target, path }) => {
    const key = target.api_key;
    if (!key || key.length < 4 || PLACEHOLDER_KEYS.test(key)) return [];
    if (origins.has(JSON.stringify([...path, 'api_key']))) return [];
    const at = src.locate([...path, 'api_key']);
    if (at.startsWith('--set ')) return [];
    return [
      `${at}: ${path.join('.')}.api_key holds the key itself; keep it out of the spec: export it (export OPENAI_API_KEY=...) and write api_key: \${OPENAI_API_KEY}`,
    ];
  });
}

function promptWarnings(spec: Spec, count: number, src: YamlSource): string[] {
  if (spec.requests !== undefined && spec.requests < count) {
    return [
      `${src.locate(['requests'])}: requests (${spec.requests}) is less than the number of prompts (${count}); prompts ${spec.requests} to ${count - 1} are never sent (use repeat: 1 to send each once)`,
    ];
  }
  return [];
}

/**
 * Problems in reading order: --set flags first, then the spec by line and column, then
 * other files (prompt files) by name, line and column.
 */
function sortProblems(problems: string[], specFile: string, flags: readonly string[]): string[] {
  const key = (p: string): [number, string, number, number] => {
    if (p.startsWith('--set ')) return [0, '', flags.findIndex((f) => p.startsWith(`--set ${f}: `)), 0];
    const m = /^(.*?):(\d+):(\d+): /.exec(p);
    if (m) return [m[1] === specFile ? 1 : 2, m[1], Number(m[2]), Number(m[3])];
    // No position ("file: ... and 3 more"): after that file's positioned problems.
    const f = /^(.*?): /.exec(p)?.[1] ?? '';
    return [f === specFile ? 1 : 2, f, Infinity, Infinity];
  };
  return problems
    .map((p, i) => ({ p, i, k: key(p) }))
    .sort((a, b) => {
      for (let j = 0; j < 4; j++) {
        const x = a.k[j];
        const y = b.k[j];
        if (x !== y) return x < y ? -1 : 1;
      }
      return a.i - b.i;
    })
    .map((e) => e.p);
}

/** The search's checks, like the gate's, even when other parts of the spec are broken. */
function searchChecksBestEffort(spec: Spec, source: YamlSource): { problems: string[]; warnings: string[] } {
  try {
    return searchChecks(spec, source);
  } catch {
    return { problems: [], warnings: [] };
  }
}

/**
 * Threshold and compare rules are checked even when other parts of the spec are broken, so
 * the user sees every problem in one go; a spec too broken to read them is skipped here
 * (its other problems are already reported).
 */
function gateProblemsBestEffort(spec: Spec, source: YamlSource): string[] {
  try {
    return gateProblems(spec, source);
  } catch {
    return [];
  }
}
