/**
 * Checks of `target:` / `targets:` and of the `target` key that picks among them, on the
 * spec as written (zod checks each target block itself): exactly one of the two spellings,
 * target names usable in cell ids, and every `target` value (axis, params, include,
 * exclude) naming a target, with the nearest name suggested.
 */
import { isObject } from '../json.js';
import { pathText } from './issues.js';
import { TARGET_KEY } from './params.js';
import { TARGET_NAME } from './schema.js';
import { nearest } from './suggest.js';
import type { YamlPath, YamlSource } from './yaml-source.js';

export function targetProblems(raw: Record<string, unknown>, src: YamlSource): string[] {
  const problems: string[] = [];
  const problem = (path: YamlPath, which: 'key' | 'value', message: string) => problems.push(`${src.locate(path, which)}: ${message}`);
  // `target:` with nothing after it is given (zod says it must be a mapping).
  const given = (k: string) => Object.hasOwn(raw, k) && raw[k] !== undefined;
  const matrix = isObject(raw.matrix) ? raw.matrix : {};
  const params = isObject(raw.params) ? raw.params : {};

  if (!given('target') && !given('targets')) {
    problems.push(
      `${src.locate([])}: missing required key 'target' — The endpoint under test. (Or targets: to compare several named endpoints; see docs/targets.md.)`,
    );
    return problems;
  }
  if (given('target') && given('targets')) {
    problem(['targets'], 'key', 'give target: (one endpoint) or targets: (named endpoints), not both; move the target: block under targets: with a name');
    return problems;
  }
  if (!given('targets')) {
    // A single target: nothing to pick, so a `target` key is a mistake.
    const single = 'picks a named target, but the spec has a single target:; name your endpoints under targets: (see docs/targets.md)';
    if (Object.hasOwn(matrix, TARGET_KEY)) problem(['matrix', TARGET_KEY], 'key', `matrix.target ${single}`);
    if (Object.hasOwn(params, TARGET_KEY)) problem(['params', TARGET_KEY], 'key', `params.target ${single}`);
    return problems;
  }
  if (!isObject(raw.targets)) return problems; // zod says what it must be
  const names = Object.keys(raw.targets);
  if (names.length === 0) {
    problem(['targets'], 'value', 'targets is an empty mapping; name at least one, e.g. targets: { vllm: { provider: openai-chat, base_url: http://localhost:8000/v1 } }');
    return problems;
  }
  for (const name of names) {
    if (!TARGET_NAME.test(name)) {
      problem(['targets', name], 'key', `target name '${name}' may use letters, digits, ".", "_" and "-" only (it is written into cell ids and CSV columns)`);
    }
  }

  /** A `target` value that names no target. */
  const checkName = (path: YamlPath, value: unknown) => {
    if (typeof value !== 'string' || names.includes(value)) return;
    const guess = nearest(value, names);
    problem(
      path,
      'value',
      `${pathText(path)} is ${JSON.stringify(value)}, which names no target${guess ? ` — did you mean '${guess}'?` : ''} (targets: ${names.join(', ')})`,
    );
  };
  const axis = matrix[TARGET_KEY];
  if (Array.isArray(axis)) axis.forEach((v, i) => checkName(['matrix', TARGET_KEY, i], v));
  if (Object.hasOwn(params, TARGET_KEY)) {
    if (Object.hasOwn(matrix, TARGET_KEY)) {
      problem(
        ['params', TARGET_KEY],
        'key',
        'target is both a matrix axis (matrix.target) and fixed (params.target); remove one: params.target runs one target, matrix.target compares several',
      );
    } else {
      checkName(['params', TARGET_KEY], params[TARGET_KEY]);
    }
  }
  for (const which of ['include', 'exclude'] as const) {
    const list = Array.isArray(matrix[which]) ? (matrix[which] as unknown[]) : [];
    list.forEach((entry, i) => {
      if (isObject(entry) && Object.hasOwn(entry, TARGET_KEY)) checkName(['matrix', which, i, TARGET_KEY], entry[TARGET_KEY]);
    });
  }
  return problems;
}

/**
 * Whether `target` is a matrix axis of this (raw) spec: listed under matrix, or implied by
 * `targets:` when params does not fix one.
 */
export function hasTargetAxis(raw: Record<string, unknown>): boolean {
  const matrix = isObject(raw.matrix) ? raw.matrix : {};
  const params = isObject(raw.params) ? raw.params : {};
  if (Object.hasOwn(matrix, TARGET_KEY)) return true;
  return isObject(raw.targets) && !Object.hasOwn(params, TARGET_KEY);
}
