/**
 * `environments: { dev: {...}, staging: {...} }` and `--env NAME`: one spec for dev,
 * staging and CI. The chosen environment is merged over the spec before `--set` (which
 * still wins): a nested mapping merges into the mapping it lands on, anything else replaces
 * the value, and a dotted key (`targets.prod.base_url`) is a path as in `--set`. The
 * section itself is always taken out of the document before validation, so the other
 * environments' `${VAR}`s are not read, and the spec hash depends only on what runs.
 *
 * The merged values are the environment's own YAML nodes, so a problem in one (a bad
 * base_url, an unknown key) is reported at its line in the environments section.
 */
import { isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap } from 'yaml';
import { UserError } from '../errors.js';
import { isAxisPath, OverrideError, overridePath, setPath } from './overrides.js';
import { nearest } from './suggest.js';
import type { YamlPath, YamlSource } from './yaml-source.js';

export const ENVIRONMENTS_KEY = 'environments';

export interface EnvironmentResult {
  /** The environments the spec defines, in spec order. */
  names: string[];
  /** `file:line:col: message` for a malformed section or a value that cannot be merged. */
  problems: string[];
}

/**
 * Takes `environments:` out of `src.doc`, merging environment `name` (from --env) over the
 * spec first. An unknown name is a UserError that names the flag.
 */
export function applyEnvironment(src: YamlSource, name: string | undefined): EnvironmentResult {
  const root = src.doc.contents;
  const pair = isMap(root) ? root.items.find((p) => isScalar(p.key) && p.key.value === ENVIRONMENTS_KEY) : undefined;
  const problems: string[] = [];
  const section = pair?.value;
  if (pair) (root as YAMLMap).items.splice((root as YAMLMap).items.indexOf(pair), 1);
  const entries: Pair[] = [];
  if (pair && !(isScalar(section) && section.value === null)) {
    if (!isMap(section)) {
      problems.push(`${locateNode(src, section, pair.key)}: environments must be a mapping of names to overrides, e.g. environments: { staging: { requests: 50 } }`);
    } else {
      for (const p of section.items) {
        const label = isScalar(p.key) ? String(p.key.value) : '?';
        if (!isMap(p.value)) {
          problems.push(
            `${locateNode(src, p.value, p.key)}: environments.${label} must be a mapping of overrides (spec keys and values), e.g. { targets: { prod: { base_url: https://... } } }`,
          );
        }
        entries.push(p as Pair);
      }
    }
  }
  const names = entries.map((p) => (isScalar(p.key) ? String(p.key.value) : ''));
  if (name === undefined) return { names, problems };
  const chosen = entries.find((p) => isScalar(p.key) && String(p.key.value) === name);
  if (!chosen) throw new UserError(unknownEnvironment(name, names, pair !== undefined));
  if (isMap(chosen.value)) {
    for (const item of chosen.value.items) {
      if (!isScalar(item.key)) continue;
      const key = String(item.key.value);
      mergeAt(src, overridePath(key), item.value as Node, item.key as Node, `environments.${name}.${key}`, problems);
    }
  }
  return { names, problems };
}

/** `--env NAME` naming no environment: the fix, with the nearest name. */
export function unknownEnvironment(name: string, names: readonly string[], hasSection: boolean): string {
  if (!hasSection || names.length === 0) {
    return `--env ${name}: the spec has no environments; add environments: { ${name}: { ... } } to it, or drop --env`;
  }
  const guess = nearest(name, names);
  return `--env ${name}: the spec has no environment '${name}'${guess ? ` — did you mean '${guess}'?` : ''} (environments: ${names.join(', ')})`;
}

/** Merges `value` in at `path`: mapping into mapping key by key, anything else replaces. */
function mergeAt(src: YamlSource, path: YamlPath, value: Node, keyNode: Node, label: string, problems: string[]): void {
  const existing = nodeAt(src, path);
  if (isMap(value) && isMap(existing)) {
    for (const item of value.items) {
      if (!isScalar(item.key)) continue;
      const key = String(item.key.value);
      mergeAt(src, [...path, key], item.value as Node, item.key as Node, `${label}.${key}`, problems);
    }
    return;
  }
  let node: Node = value;
  if (isAxisPath(path) && !isSeq(value)) {
    // As with --set: one value for an axis is a one-value axis.
    const seq = src.doc.createNode([]) as Node & { items: Node[] };
    seq.items.push(value);
    node = seq;
  }
  try {
    setPath(src.doc, path, node, keyNode);
  } catch (e) {
    if (!(e instanceof OverrideError)) throw e;
    problems.push(`${locateNode(src, value, keyNode)}: ${label}: ${e.message}`);
  }
}

/** The node at `path` in the document, if there is one. */
function nodeAt(src: YamlSource, path: YamlPath): unknown {
  let node: unknown = src.doc.contents;
  for (const seg of path) {
    if (isMap(node)) node = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg))?.value;
    else if (isSeq(node) && typeof seg === 'number') node = node.items[seg];
    else return undefined;
  }
  return node;
}

function locateNode(src: YamlSource, node: unknown, key: unknown): string {
  const range = (node as Node | null | undefined)?.range ?? (key as Node | null | undefined)?.range;
  return range ? src.at(range[0]) : src.locate([]);
}
