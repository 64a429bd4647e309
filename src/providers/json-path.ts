/**
 * The small JSON path dialect of the http provider: dot-separated keys and list indexes,
 * `choices.0.delta.content`, `choices[0].delta.content` or `$.choices[0].delta.content`.
 */

export type JsonPath = readonly (string | number)[];

export function parseJsonPath(path: string): JsonPath {
  const out: (string | number)[] = [];
  const text = path.trim().replace(/^\$\.?/, '');
  for (const part of text.split('.')) {
    if (part === '') continue;
    // key[0][1] -> key, 0, 1
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) {
      out.push(part);
      continue;
    }
    if (m[1] !== '') out.push(/^\d+$/.test(m[1]) ? Number(m[1]) : m[1]);
    for (const idx of m[2].matchAll(/\[(\d+)\]/g)) out.push(Number(idx[1]));
  }
  return out;
}

/** The value at `path`, or undefined when any step is missing. */
export function getAt(value: unknown, path: JsonPath): unknown {
  let at = value;
  for (const step of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = typeof step === 'number' && Array.isArray(at) ? at[step] : (at as Record<string, unknown>)[String(step)];
  }
  return at;
}

/** The first of several paths that has a value (not undefined, not null). */
export function getFirst(value: unknown, paths: readonly JsonPath[]): unknown {
  for (const p of paths) {
    const v = getAt(value, p);
    if (v !== undefined && v !== null) return v;
  }
  return undefined;
}
