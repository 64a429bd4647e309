/**
 * Secrets are the target's api_key and the values of auth-like headers. `redact()` returns
 * a copy of a spec safe to write into run.json or a log; `scrub()` removes secret values from
 * any text (an error message that echoes a header, say) before it is written anywhere.
 */
import type { Spec } from './schema.js';

export const REDACTED = '***';

const SECRET_HEADER = /auth|api[-_]?key|token|secret|cookie|signature|password|credential/i;

export function isSecretHeader(name: string): boolean {
  return SECRET_HEADER.test(name);
}

/** The secret values in a spec, longest first (so scrub replaces whole values). */
export function secretsOf(spec: Pick<Spec, 'target'>): string[] {
  const out = new Set<string>();
  if (spec.target.api_key) out.add(spec.target.api_key);
  for (const [name, value] of Object.entries(spec.target.headers ?? {})) {
    if (!isSecretHeader(name) || !value) continue;
    out.add(value);
    // "Bearer sk-..." also leaks as "sk-..." alone.
    const parts = value.split(/\s+/);
    if (parts.length > 1) out.add(parts[parts.length - 1]);
  }
  return [...out].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
}

export function redact<T extends Pick<Spec, 'target'>>(spec: T): T {
  const copy = structuredClone(spec);
  if (copy.target.api_key !== undefined) copy.target.api_key = REDACTED;
  if (copy.target.headers) {
    for (const name of Object.keys(copy.target.headers)) {
      if (isSecretHeader(name)) copy.target.headers[name] = REDACTED;
    }
  }
  return copy;
}

export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    if (out.includes(s)) out = out.split(s).join(REDACTED);
  }
  return out;
}
