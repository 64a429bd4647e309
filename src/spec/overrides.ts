/**
 * `--set key=value`: override any spec value by its dotted path before interpolation and
 * validation, so the result is checked exactly like a hand-edited spec (problems name the
 * flag). The value is read as YAML: `--set requests=5` is a number, `--set
 * matrix.temperature=[0,1]` a list, `--set target.api_key='${KEY}'` is interpolated.
 *
 * Paths: `target.timeout.read_ms`, list items by index (`prompts.0.file`), new keys and
 * missing parents are created (`--set params.seed=7`). Under `thresholds` and `compare`
 * the rest of the path is one key, because their keys contain dots
 * (`--set thresholds.latency_ms.p95="< 500"`). A single value for a matrix axis is a
 * one-value axis (`--set matrix.model=llama3-8b`).
 */
import { isMap, isScalar, isSeq, parse, type Document, type Node, type YAMLMap, type YAMLSeq } from 'yaml';
import { UserError } from '../errors.js';
import type { YamlSource } from './yaml-source.js';

export interface Override {
  path: (string | number)[];
  value: unknown;
  /** The flag as given, for messages. */
  text: string;
}

/** Sections whose keys contain dots: the rest of a --set path is one key. */
const DOTTED_KEY_SECTIONS = new Set(['thresholds', 'compare']);

export function parseOverride(text: string): Override {
  const eq = text.indexOf('=');
  if (eq <= 0) {
    throw new UserError(`--set ${text}: expected key=value, e.g. --set requests=10 or --set matrix.temperature=[0,1]`);
  }
  const key = text.slice(0, eq).trim();
  const raw = text.slice(eq + 1);
  if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(key)) {
    throw new UserError(
      `--set ${text}: '${key}' is not a dotted path like target.base_url, matrix.max_tokens or prompts.0.file`,
    );
  }
  let value: unknown;
  try {
    value = raw.trim() === '' ? '' : parse(raw);
  } catch {
    // Not valid YAML on its own (e.g. "[1,2"): take the text as is; validation says if it fits.
    value = raw;
  }
  const path = overridePath(key);
  if (isAxisPath(path) && !Array.isArray(value)) value = [value];
  return { path, value, text };
}

/** A dotted key as a path: list indices as numbers; under thresholds and compare the rest is one key. */
export function overridePath(key: string): (string | number)[] {
  const segs = key.split('.');
  return DOTTED_KEY_SECTIONS.has(segs[0]) && segs.length > 2
    ? [segs[0], segs.slice(1).join('.')]
    : segs.map((seg) => (/^\d+$/.test(seg) ? Number(seg) : seg));
}

/** A matrix axis (not include/exclude): a single value set there is a one-value axis. */
export function isAxisPath(path: readonly (string | number)[]): boolean {
  return path[0] === 'matrix' && path.length === 2 && path[1] !== 'include' && path[1] !== 'exclude';
}

export function applyOverrides(src: YamlSource, overrides: readonly Override[]): void {
  const problems: string[] = [];
  for (const o of overrides) {
    try {
      setPath(src.doc, o.path, src.doc.createNode(o.value) as Node);
      src.markOverride(o.path, o.text);
    } catch (e) {
      if (!(e instanceof OverrideError)) throw e;
      problems.push(`--set ${o.text}: ${e.message}`);
    }
  }
  if (problems.length > 0) throw new UserError(problems.join('\n'), problems);
}

/** A path that cannot be set (through a list without an index, into a scalar, ...). */
export class OverrideError extends Error {}

function dotted(path: readonly (string | number)[]): string {
  return path.join('.');
}

/**
 * Sets `value` at `path`, creating missing mappings on the way. `keyNode`, when given, is the
 * key a new last pair gets (an environment's own key, so a problem with it points there).
 */
export function setPath(doc: Document, path: readonly (string | number)[], value: Node, keyNode?: Node): void {
  if (!isMap(doc.contents)) {
    if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
      doc.contents = doc.createNode({}) as YAMLMap;
    } else {
      throw new OverrideError('the spec is not a mapping of keys, so nothing can be set in it');
    }
  }
  let parent: YAMLMap | YAMLSeq = doc.contents as YAMLMap;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const here = path.slice(0, i);
    const isLast = i === path.length - 1;
    if (isSeq(parent)) {
      if (typeof seg !== 'number') {
        throw new OverrideError(`${dotted(here)} is a list; address an item by its index, e.g. ${dotted([...here, 0])}`);
      }
      if (seg > parent.items.length) {
        throw new OverrideError(
          `${dotted(here)} has ${parent.items.length} item${parent.items.length === 1 ? '' : 's'}; use an index from 0 to ${parent.items.length} (${parent.items.length} adds one at the end)`,
        );
      }
      if (isLast) {
        if (seg === parent.items.length) parent.items.push(value);
        else parent.items[seg] = value;
        return;
      }
      let child = parent.items[seg] as unknown;
      if (child === undefined || isEmpty(child)) {
        child = doc.createNode({});
        if (seg === parent.items.length) parent.items.push(child);
        else parent.items[seg] = child;
      }
      parent = collection(child, [...here, seg], path[i + 1]);
      continue;
    }
    // A mapping: keep the key's existing spelling/type (e.g. a numeric key), else add a string key.
    const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
    if (isLast) {
      if (pair) pair.value = value;
      else parent.set(keyNode ?? doc.createNode(String(seg)), value);
      return;
    }
    let child: unknown = pair?.value;
    if (child === undefined || child === null || isEmpty(child)) {
      if (typeof path[i + 1] === 'number') {
        throw new OverrideError(
          `${dotted([...here, seg])} does not exist yet, so it has no item ${path[i + 1]}; set the whole list, e.g. --set ${dotted([...here, seg])}=[...]`,
        );
      }
      child = doc.createNode({});
      if (pair) pair.value = child;
      else parent.set(doc.createNode(String(seg)), child);
    }
    parent = collection(child, [...here, seg], path[i + 1]);
  }
}

function isEmpty(node: unknown): boolean {
  return isScalar(node) && node.value === null;
}

function collection(node: unknown, at: readonly (string | number)[], next: string | number): YAMLMap | YAMLSeq {
  if (isMap(node) || isSeq(node)) return node;
  const value = isScalar(node) ? JSON.stringify(node.value) : 'a value';
  throw new OverrideError(
    `${dotted(at)} is ${value}, not a mapping, so it has no key '${next}'; set ${dotted(at)} itself instead`,
  );
}
