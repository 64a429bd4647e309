/** The one test every room needs when it reads untyped JSON (bodies, stream events, specs). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
