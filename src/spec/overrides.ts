/**
 * `--set key=value`: override any spec value by its dotted path before validation, so the
 * result is checked exactly like a hand-edited spec. The value is read as YAML, so
 * `--set matrix.temperature=[0,1]` sets a list and `--set requests=5` a number.
 */
import { parse } from 'yaml';
import { UserError } from '../errors.js';
import type { YamlSource } from './yaml-source.js';

export interface Override {
  path: (string | number)[];
  value: unknown;
  /** The flag as given, for messages. */
  text: string;
}

export function parseOverride(text: string): Override {
  const eq = text.indexOf('=');
  if (eq <= 0) {
    throw new UserError(`--set ${text}: expected key=value, e.g. --set requests=10 or --set matrix.temperature=[0,1]`);
  }
  const key = text.slice(0, eq).trim();
  const raw = text.slice(eq + 1);
  if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(key)) {
    throw new UserError(`--set ${text}: '${key}' is not a dotted path like target.base_url or matrix.max_tokens`);
  }
  let value: unknown;
  try {
    value = raw === '' ? '' : parse(raw);
  } catch {
    value = raw;
  }
  const path = key.split('.').map((seg) => (/^\d+$/.test(seg) ? Number(seg) : seg));
  return { path, value, text };
}

export function applyOverrides(src: YamlSource, overrides: readonly Override[]): void {
  for (const o of overrides) {
    try {
      src.doc.setIn(o.path, src.doc.createNode(o.value));
    } catch (e) {
      throw new UserError(`--set ${o.text}: cannot set ${o.path.join('.')}: ${(e as Error).message}`);
    }
  }
}
