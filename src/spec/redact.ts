/**
 * Secrets are the target's api_key, the values of auth-like headers, the credentials and
 * secret-named query values of base_url (`?api_key=...`), and the values of environment
 * variables with secret-looking names (`*_KEY`, `*TOKEN*`, ...) wherever they were
 * interpolated. `redact()` returns a copy of a spec safe to write into run.json or a log;
 * `scrub()` removes secret values from any text (an error message that echoes a header, a
 * cell id made from a secret matrix value) before it is written anywhere: in plain,
 * URL-encoded, base64 and JSON- or CSV-escaped form, and any 8+ character prefix of one,
 * which is what a cut through a secret leaves.
 */
import { metricsEntries } from '../server-metrics/schema.js';
import type { Spec, Target } from './schema.js';
import { specTargets } from './targets.js';

export const REDACTED = '***';

/** Header names whose values are credentials. Over-matching is harmless: it only hides a value. */
const SECRET_HEADER = /auth|key|token|secret|cookie|signature|passw|credential|session/i;

/** Secrets shorter than this are not scrubbed from text: replacing every "ab" would garble output. */
const MIN_SECRET_LENGTH = 4;

export function isSecretHeader(name: string): boolean {
  return SECRET_HEADER.test(name);
}

/** The secret values in a spec (plus `extra` ones), longest first so scrub replaces whole values. */
export function secretsOf(spec: Pick<Spec, 'target' | 'targets'>, extra: readonly string[] = []): string[] {
  const out = new Set<string>(extra);
  const headerSecrets = (headers: Readonly<Record<string, string>> | undefined) => {
    for (const [name, value] of Object.entries(headers ?? {})) {
      if (!isSecretHeader(name) || !value) continue;
      out.add(value);
      // "Bearer sk-..." also leaks as "sk-..." alone.
      const parts = value.split(/\s+/);
      if (parts.length > 1) out.add(parts[parts.length - 1]);
    }
  };
  for (const { target } of specTargets(spec)) {
    if (target.api_key) out.add(target.api_key);
    // A key in the base_url's query (?key=...) or userinfo.
    for (const s of urlSecrets(target.base_url)) out.add(s);
    headerSecrets(target.headers);
    for (const m of metricsEntries(target.metrics)) {
      if (m === 'auto') continue;
      headerSecrets(m.headers);
      if (m.url !== 'auto') for (const s of urlSecrets(m.url)) out.add(s);
    }
  }
  return [...out].filter((s) => s.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
}

/**
 * A deep copy with `api_key` and auth-like headers replaced by `***`; with `secrets`, every
 * other string is scrubbed of them too (a key interpolated into base_url, say).
 */
export function redact<T extends Pick<Spec, 'target' | 'targets'>>(spec: T, secrets: readonly string[] = []): T {
  const copy = secrets.length > 0 ? scrubDeep(structuredClone(spec), secrets) : structuredClone(spec);
  for (const { target } of specTargets(copy)) redactTarget(target);
  return copy;
}

function redactTarget(target: Target): void {
  if (target.api_key !== undefined) target.api_key = REDACTED;
  if (target.headers) {
    for (const name of Object.keys(target.headers)) {
      if (isSecretHeader(name)) target.headers[name] = REDACTED;
    }
  }
  for (const m of metricsEntries(target.metrics)) {
    if (m === 'auto') continue;
    if (m.url !== 'auto') m.url = redactUrl(m.url);
    for (const name of Object.keys(m.headers ?? {})) if (isSecretHeader(name) && m.headers) m.headers[name] = REDACTED;
  }
}

/** A cut through a secret leaves at least this much of it to be scrubbed. */
const MIN_PREFIX = 8;

/**
 * The parts of base64 text that hold `secret` whatever bytes come before it (it can start
 * at any of 3 alignments: base64 of "user:key" holds the key at an offset), standard and
 * URL-safe alphabets.
 */
function base64Forms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const out: string[] = [];
  for (let pad = 0; pad < 3; pad++) {
    const b64 = Buffer.concat([Buffer.alloc(pad), bytes]).toString('base64');
    // Characters made only of the secret's bits: after the padding bytes, before the last partial one.
    const core = b64.slice(Math.ceil((8 * pad) / 6), Math.floor((8 * (pad + bytes.length)) / 6));
    if (core.length >= MIN_SECRET_LENGTH) out.push(core, core.replaceAll('+', '-').replaceAll('/', '_'));
  }
  return out;
}

/** Every written form of `secret`: as is, URL-encoded, base64, JSON-escaped, CSV-quoted. */
export function secretForms(secret: string): string[] {
  const forms = new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1), secret.replaceAll('"', '""'), ...base64Forms(secret)]);
  return [...forms].filter((f) => f.length >= MIN_SECRET_LENGTH);
}

const scrubbers = new WeakMap<readonly string[], (text: string) => string>();

/** A function that scrubs text of `secrets` (and their forms); made once per list. */
export function scrubber(secrets: readonly string[]): (text: string) => string {
  const cached = scrubbers.get(secrets);
  if (cached) return cached;
  // Longest first, so a secret that contains another is replaced whole.
  const forms = [...new Set(secrets.filter((s) => s.length >= MIN_SECRET_LENGTH).flatMap(secretForms))].sort((a, b) => b.length - a.length);
  const cuttable = forms.filter((f) => f.length > MIN_PREFIX);
  const fn =
    forms.length === 0
      ? (text: string) => text
      : (text: string) => {
          let out = text;
          for (const f of forms) if (out.includes(f)) out = out.split(f).join(REDACTED);
          // What a cut through a secret left: its first 8+ characters (whole ones are gone).
          for (const f of cuttable) {
            const head = f.slice(0, MIN_PREFIX);
            for (let i = out.indexOf(head); i >= 0; i = out.indexOf(head, i + REDACTED.length)) {
              let n = MIN_PREFIX;
              while (n < f.length && out[i + n] === f[n]) n++;
              out = `${out.slice(0, i)}${REDACTED}${out.slice(i + n)}`;
            }
          }
          return out;
        };
  scrubbers.set(secrets, fn);
  return fn;
}

export function scrub(text: string, secrets: readonly string[]): string {
  return scrubber(secrets)(text);
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
/** The user and password in a URL's user info and the values of its secret-looking query parameters, as written and decoded. */
function urlSecrets(url: string): string[] {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return [];
  }
  const raw = [u.username, u.password, ...[...u.searchParams.entries()].filter(([k]) => SECRET_PARAM.test(k)).map(([, v]) => v)].filter(Boolean);
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
