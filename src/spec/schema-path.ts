/**
 * Questions about the zod schema at a path of the spec: which keys are allowed there (for
 * "did you mean"), what the field is for (for "missing key" messages), and whether it holds
 * text (so `${VAR}` interpolation knows whether "8" should become the number 8).
 * Reads zod's public `def` objects; nothing here validates.
 */
import type { YamlPath } from './yaml-source.js';
import { specSchema } from './schema.js';

interface Def {
  type: string;
  innerType?: Schema;
  in?: Schema;
  shape?: Record<string, Schema>;
  catchall?: Schema;
  element?: Schema;
  valueType?: Schema;
  options?: Schema[];
}
interface Schema {
  def: Def;
  description?: string;
  /** Set by zod on z.number().int(). */
  isInt?: boolean;
}

const WRAPPERS = new Set(['optional', 'default', 'nullable', 'prefault', 'readonly', 'catch', 'nonoptional']);

/** The schema without optional/default/pipe wrappers, and the first description met on the way. */
function unwrap(schema: Schema): { schema: Schema; description?: string } {
  let s = schema;
  let description = s.description;
  for (let i = 0; i < 20; i++) {
    const next = WRAPPERS.has(s.def.type) ? s.def.innerType : s.def.type === 'pipe' ? s.def.in : undefined;
    if (!next) break;
    s = next;
    description ??= s.description;
  }
  return { schema: s, description };
}

function step(schema: Schema, seg: string | number): Schema | undefined {
  const s = unwrap(schema).schema;
  const d = s.def;
  switch (d.type) {
    case 'object':
      if (typeof seg === 'string' && d.shape && Object.hasOwn(d.shape, seg)) return d.shape[seg];
      return d.catchall && d.catchall.def.type !== 'never' ? d.catchall : undefined;
    case 'record':
      return d.valueType;
    case 'array':
      return typeof seg === 'number' ? d.element : undefined;
    case 'union':
      for (const o of d.options ?? []) {
        const r = step(o, seg);
        if (r) return r;
      }
      return undefined;
    default:
      return undefined;
  }
}

/** The (wrapped) schema at `path`, or undefined when the path leaves the schema. */
export function schemaAt(path: YamlPath, root: Schema = specSchema as unknown as Schema): Schema | undefined {
  let s: Schema | undefined = root;
  for (const seg of path) {
    if (!s) return undefined;
    s = step(s, seg);
  }
  return s;
}

/** Keys a mapping at `path` declares (empty for free-form mappings). */
export function keysAt(path: YamlPath): string[] {
  const s = schemaAt(path);
  if (!s) return [];
  const inner = unwrap(s).schema;
  if (inner.def.type === 'object' && inner.def.shape) return Object.keys(inner.def.shape);
  if (inner.def.type === 'union') {
    const keys = new Set<string>();
    for (const o of inner.def.options ?? []) {
      const u = unwrap(o).schema;
      if (u.def.type === 'object' && u.def.shape) for (const k of Object.keys(u.def.shape)) keys.add(k);
    }
    return [...keys];
  }
  return [];
}

/**
 * The keys that tell the forms of a union apart at `path`: those some form requires (a
 * prompt is `prompt`, `messages` or `file`; an optional `vars` is none of them). For a plain
 * mapping, all its keys.
 */
export function formKeysAt(path: YamlPath): string[] {
  const s = schemaAt(path);
  if (!s || unwrap(s).schema.def.type !== 'union') return keysAt(path);
  const keys = new Set<string>();
  for (const o of unwrap(s).schema.def.options ?? []) {
    const shape = unwrap(o).schema.def.shape ?? {};
    for (const [k, v] of Object.entries(shape)) if (v.def.type !== 'optional' && v.def.type !== 'default') keys.add(k);
  }
  return [...keys];
}

/** The providers whose target has `key` of their own (not one every target has). */
export function providerKeys(key: string): string[] {
  const target = unwrap(schemaAt(['target'])!).schema;
  const branches = (target.def.options ?? []).map((o) => unwrap(o).schema.def.shape ?? {});
  if (branches.every((shape) => Object.hasOwn(shape, key))) return [];
  return branches.filter((shape) => Object.hasOwn(shape, key)).map((shape) => String((shape.provider.def as { values?: unknown[] }).values?.[0] ?? ''));
}

/** The `.describe()` text of the field at `path`. */
export function descriptionAt(path: YamlPath): string | undefined {
  const s = schemaAt(path);
  return s ? unwrap(s).description : undefined;
}

/**
 * What the field at `path` holds: 'text' (a string, an enum, or a union that allows a
 * string), 'free' (anything: custom params and axes, or a path outside the schema), or
 * 'typed' (numbers, booleans, lists, mappings).
 */
export function fieldKind(path: YamlPath): 'text' | 'free' | 'typed' {
  const s = schemaAt(path);
  if (!s) return 'free';
  const inner = unwrap(s).schema;
  const t = inner.def.type;
  if (t === 'string' || t === 'enum' || t === 'template_literal') return 'text';
  if (t === 'literal' && ((inner.def as { values?: unknown[] }).values ?? []).every((v) => typeof v === 'string')) return 'text';
  if (t === 'unknown' || t === 'any') return 'free';
  if (t === 'union' && (inner.def.options ?? []).some((o) => unwrap(o).schema.def.type === 'string')) return 'text';
  return 'typed';
}

/** Whether the field at `path` is a whole number. */
export function isIntAt(path: YamlPath): boolean {
  const s = schemaAt(path);
  return s ? unwrap(s).schema.isInt === true : false;
}
