/**
 * Secrets are the target's api_key, the values of auth-like headers, and the values of
 * environment variables with secret-looking names (`*_KEY`, `*TOKEN*`, ...) wherever they
 * were interpolated. `redact()` returns a copy of a spec safe to write into run.json or a
 * log; `scrub()` removes secret values from any text (an error message that echoes a
 * header, say) before it is written anywhere.
 */
import { metricsEntries } from '../server-metrics/schema.js';
import type { Spec } from './schema.js';

export const REDACTED = '***';

/** Header names whose values are credentials. Over-matching is harmless: it only hides a value. */
const SECRET_HEADER = /auth|key|token|secret|cookie|signature|passw|credential|session/i;

/** Secrets shorter than this are not scrubbed from text: replacing every "ab" would garble output. */
const MIN_SECRET_LENGTH = 4;

export function isSecretHeader(name: string): boolean {
  return SECRET_HEADER.test(name);
}

/** The secret values in a spec (plus `extra` ones), longest first so scrub replaces whole values. */
export function secretsOf(spec: Pick<Spec, 'target'>, extra: readonly string[] = []): string[] {
  const out = new Set<string>(extra);
  if (spec.target.api_key) out.add(spec.target.api_key);
  const headerSecrets = (headers: Readonly<Record<string, string>> | undefined) => {
    for (const [name, value] of Object.entries(headers ?? {})) {
      if (!isSecretHeader(name) || !value) continue;
      out.add(value);
      // "Bearer sk-..." also leaks as "sk-..." alone.
      const parts = value.split(/\s+/);
      if (parts.length > 1) out.add(parts[parts.length - 1]);
    }
  };
  headerSecrets(spec.target.headers);
  for (const m of metricsEntries(spec.target.metrics)) {
    if (m === 'auto') continue;
    headerSecrets(m.headers);
    if (m.url !== 'auto') for (const s of urlSecrets(m.url)) out.add(s);
  }
  return [...out].filter((s) => s.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
}

/**
 * A deep copy with `api_key` and auth-like headers replaced by `***`; with `secrets`, every
 * other string is scrubbed of them too (a key interpolated into base_url, say).
 */
export function redact<T extends Pick<Spec, 'target'>>(spec: T, secrets: readonly string[] = []): T {
  const copy = secrets.length > 0 ? scrubDeep(structuredClone(spec), secrets) : structuredClone(spec);
  if (copy.target.api_key !== undefined) copy.target.api_key = REDACTED;
  if (copy.target.headers) {
    for (const name of Object.keys(copy.target.headers)) {
      if (isSecretHeader(name)) copy.target.headers[name] = REDACTED;
    }
  }
  for (const m of metricsEntries(copy.target.metrics)) {
    if (m === 'auto') continue;
    if (m.url !== 'auto') m.url = redactUrl(m.url);
    for (const name of Object.keys(m.headers ?? {})) if (isSecretHeader(name) && m.headers) m.headers[name] = REDACTED;
  }
  return copy;
}

export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  // Longest first, so a secret that contains another is replaced whole.
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
    if (s.length >= MIN_SECRET_LENGTH && out.includes(s)) out = out.split(s).join(REDACTED);
  }
  return out;
}

function scrubDeep<T>(value: T, secrets: readonly string[]): T {
  if (typeof value === 'string') return scrub(value, secrets) as T;
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, secrets)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = scrubDeep(v, secrets);
    return out as T;
  }
  return value;
}

const SECRET_PARAM = /key|token|secret|sig|auth|pass|credential|code/i;

/**
 * A URL safe to show: user info and secret-looking query parameters masked. run.json is
 * redacted already; this also covers credentials put into a URL itself (base_url, a metrics URL).
 */
/** The password in a URL's user info and the values of its secret-looking query parameters, as written and decoded. */
function urlSecrets(url: string): string[] {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return [];
  }
  const raw = [u.password, ...[...u.searchParams.entries()].filter(([k]) => SECRET_PARAM.test(k)).map(([, v]) => v)].filter(Boolean);
  return raw.flatMap((v) => [v, safeDecode(v), encodeURIComponent(v)]);
}

function safeDecode(v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}

export function redactUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url;
  }
  let out = `${u.protocol}//${u.username || u.password ? '***@' : ''}${u.host}${u.pathname}`;
  const params = [...u.searchParams.entries()];
  if (params.length > 0) {
    out += `?${params.map(([k, v]) => `${k}=${SECRET_PARAM.test(k) ? '***' : v}`).join('&')}`;
  }
  return out;
}
