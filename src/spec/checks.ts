/**
 * Checks a schema cannot express, run on the spec as written (before zod, so they are
 * reported together with zod's problems): typos of known parameters in params, matrix,
 * include and exclude; exclude keys that are not axes; empty include/exclude entries;
 * duplicate axis values. Plus warnings for things that are legal but probably wrong.
 */
import { isObject } from '../json.js';
import { PROVIDERS, PROVIDER_MAP } from '../providers/index.js';
import { canonicalJson } from './canonical.js';
import { pathText } from './issues.js';
import { KNOWN_PARAMS, MISPLACED_PARAMS, TARGET_KEY } from './params.js';
import { nearest, strictLimit } from './suggest.js';
import { hasTargetAxis, targetProblems } from './target-checks.js';
import type { YamlPath, YamlSource } from './yaml-source.js';

export interface CheckResult {
  problems: string[];
  warnings: string[];
}

const KNOWN = new Set(KNOWN_PARAMS);
const MATRIX_KEYWORDS = ['include', 'exclude'];

export function specChecks(raw: Record<string, unknown>, src: YamlSource): CheckResult {
  const out: CheckResult = { problems: [], warnings: [] };
  const custom = new Set(Array.isArray(raw.custom_params) ? raw.custom_params.filter((k) => typeof k === 'string') : []);
  const problem = (path: YamlPath, which: 'key' | 'value', message: string) =>
    out.problems.push(`${src.locate(path, which)}: ${message}`);

  /** A key that is not known but one typo away from a known one (or from `extra`). */
  const checkKey = (path: YamlPath, key: string, extra: readonly string[] = []) => {
    if (Object.hasOwn(MISPLACED_PARAMS, key)) {
      problem(path, 'key', `'${key}' cannot be a ${pathText(path.slice(0, -1))} key: ${MISPLACED_PARAMS[key]}`);
      return;
    }
    if (KNOWN.has(key) || custom.has(key) || extra.includes(key)) return;
    const guess = nearest(key, [...KNOWN_PARAMS, ...extra], { maxDistance: strictLimit(key) });
    if (guess) problem(path, 'key', `unknown key '${key}' in ${pathText(path.slice(0, -1))} — did you mean '${guess}'?`);
  };

  const modes = ['requests', 'duration_s', 'repeat'].filter((k) => raw[k] !== undefined && raw[k] !== null);
  if (modes.length > 1) {
    problem(
      [modes[1]],
      'key',
      `give only one of requests, duration_s and repeat (found ${modes.join(' and ')}); remove ${modes.slice(1).join(' and ')}`,
    );
  }

  const params = isObject(raw.params) ? raw.params : {};
  for (const key of Object.keys(params)) checkKey(['params', key], key);

  const matrix = isObject(raw.matrix) ? raw.matrix : {};
  const axes = Object.keys(matrix).filter((k) => !MATRIX_KEYWORDS.includes(k));
  // `targets:` without a target axis or params.target makes every target an axis value.
  const allAxes = hasTargetAxis(raw) && !axes.includes(TARGET_KEY) ? [TARGET_KEY, ...axes] : axes;
  for (const axis of axes) {
    checkKey(['matrix', axis], axis, MATRIX_KEYWORDS);
    const values = matrix[axis];
    if (!Array.isArray(values)) continue;
    const firstAt = new Map<string, number>();
    values.forEach((v, i) => {
      const key = canonicalJson(v);
      const first = firstAt.get(key) ?? i;
      firstAt.set(key, first);
      if (first < i) {
        problem(
          ['matrix', axis, i],
          'value',
          `matrix.${axis} lists ${JSON.stringify(v)} twice (items ${first} and ${i}); remove one, each value makes its own cells`,
        );
      }
    });
    if (Object.hasOwn(params, axis)) {
      out.warnings.push(
        `${src.locate(['params', axis], 'key')}: params.${axis} is overridden by the matrix axis ${axis} in every cell; remove one of them`,
      );
    }
  }

  const EMPTY_ENTRY = {
    exclude: 'an empty exclude entry would drop every combination; give the axis values to drop',
    include: 'an empty include entry adds nothing; give the keys and values to add',
  };
  const eachEntry = (which: 'include' | 'exclude', checkEntryKey: (path: YamlPath, key: string) => void) => {
    const list = Array.isArray(matrix[which]) ? (matrix[which] as unknown[]) : [];
    list.forEach((entry, i) => {
      if (!isObject(entry)) return;
      const path = ['matrix', which, i];
      if (Object.keys(entry).length === 0) problem(path, 'value', EMPTY_ENTRY[which]);
      for (const key of Object.keys(entry)) checkEntryKey([...path, key], key);
    });
  };
  // exclude matches original combinations only, so its keys must be axes (as in GitHub Actions).
  eachEntry('exclude', (path, key) => {
    if (allAxes.includes(key)) return;
    const guess = nearest(key, allAxes);
    const hint = guess ? ` — did you mean '${guess}'?` : allAxes.length > 0 ? ` (axes: ${allAxes.join(', ')})` : ' (the matrix has no axes)';
    problem(path, 'key', `exclude key '${key}' is not a matrix axis${hint}`);
  });
  // include may add new keys; only a near miss of a known parameter or an axis is suspect.
  eachEntry('include', (path, key) => checkKey(path, key, allAxes));

  out.problems.push(...targetProblems(raw, src));
  for (const [path, target] of rawTargets(raw)) {
    out.warnings.push(...baseUrlWarnings(target, path, src));
    if (isObject(target.params)) for (const key of Object.keys(target.params)) checkKey([...path, 'params', key], key);
  }
  return out;
}

/** Every target block as written, with its path. */
function rawTargets(raw: Record<string, unknown>): [YamlPath, Record<string, unknown>][] {
  if (isObject(raw.targets)) {
    return Object.entries(raw.targets).flatMap(([name, t]) => (isObject(t) ? [[['targets', name], t] as [YamlPath, Record<string, unknown>]] : []));
  }
  return isObject(raw.target) ? [[['target'], raw.target]] : [];
}

/** Every path some provider appends to base_url, longest first. */
const APPENDED = [...new Set(PROVIDERS.flatMap((k) => PROVIDER_MAP[k].paths))].sort((a, b) => b.length - a.length);

/** base_url is what the vendor's SDK calls the base URL; catch the two usual mix-ups. */
function baseUrlWarnings(target: Record<string, unknown>, at: YamlPath, src: YamlSource): string[] {
  if (typeof target.base_url !== 'string' || target.base_url === 'builtin') return [];
  const provider = typeof target.provider === 'string' ? target.provider : 'openai-chat';
  const style = Object.hasOwn(PROVIDER_MAP, provider) ? PROVIDER_MAP[provider as keyof typeof PROVIDER_MAP] : undefined;
  let path: string;
  try {
    path = new URL(target.base_url).pathname.replace(/\/+$/, '');
  } catch {
    return [];
  }
  const where = src.locate([...at, 'base_url']);
  const field = `${pathText(at)}.base_url`;
  const endpoint = APPENDED.find((p) => path.endsWith(p));
  if (endpoint) {
    return [`${where}: ${field} ends in ${endpoint}, which the ${provider} provider appends itself; give the base URL without it`];
  }
  if (style?.baseUrl === 'v1' && !path.endsWith('/v1')) {
    return [
      `${where}: ${field} for ${provider} usually ends in /v1 (e.g. http://localhost:8000/v1); the provider appends ${style.paths[0]} to it`,
    ];
  }
  if (style?.baseUrl === 'root' && path.endsWith('/v1')) {
    return [`${where}: ${field} for ${provider} is the server root (without /v1); the provider appends its own path`];
  }
  return [];
}

