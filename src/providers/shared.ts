/**
 * What the native providers share: URLs, JSON helpers, and the explicit parameter tables
 * that map llm-sweep's (OpenAI-style) parameter names onto each API's own fields. A table
 * is both the request builder's map and the validate-time check: a key that is not in a
 * provider's table is an error, never a silent no-op.
 */
import { isObject } from '../json.js';
import type { ChatMessage } from '../spec/schema.js';
import { nearest } from '../spec/suggest.js';
import type { ParamProblem } from './types.js';

export { isObject };

/**
 * `base` + `path`, the path going before base's query (`http://h/v1?key=k` + `/chat/completions`
 * is `http://h/v1/chat/completions?key=k`); a query in `path` joins base's.
 */
export function joinUrl(base: string, path: string): string {
  const [head, query] = splitQuery(base);
  const [p, pathQuery] = splitQuery(path);
  const q = [pathQuery, query].filter(Boolean).join('&');
  return `${head.replace(/\/+$/, '')}${p}${q ? `?${q}` : ''}`;
}

function splitQuery(url: string): [string, string] {
  const i = url.indexOf('?');
  return i < 0 ? [url, ''] : [url.slice(0, i), url.slice(i + 1)];
}

/** A finite number, or undefined. */
export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Parses one stream event; an empty event is undefined. Throws on broken JSON. */
export function parseEvent(data: string): Record<string, unknown> | undefined {
  const text = data.trim();
  if (text === '') return undefined;
  const v: unknown = JSON.parse(text);
  if (!isObject(v)) throw new Error('expected a JSON object');
  return v;
}

/** Authorization: Bearer <api_key> when there is a key, then the target's own headers over it. */
export function bearerHeaders(target: { api_key?: string; headers: Record<string, string> }): Record<string, string> {
  return { ...(target.api_key ? { authorization: `Bearer ${target.api_key}` } : {}), ...target.headers };
}

/** A lone stop string becomes a list, as the native APIs want. */
export function stopList(v: unknown): unknown {
  return typeof v === 'string' ? [v] : v;
}

/** The text of a chat message (string content, or the text parts of a content list). */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content.map((p) => (isObject(p) && typeof p.text === 'string' ? p.text : '')).join('');
  }
  return content == null ? '' : JSON.stringify(content);
}

/** Splits system messages (joined with blank lines) from the rest of a conversation. */
export function splitSystem(messages: readonly ChatMessage[]): { system?: string; rest: ChatMessage[] } {
  const system = messages.filter((m) => m.role === 'system').map((m) => contentText(m.content));
  return {
    system: system.length > 0 ? system.join('\n\n') : undefined,
    rest: messages.filter((m) => m.role !== 'system'),
  };
}

/** Sets `body.a.b.c` for the dotted path 'a.b.c', creating objects on the way. */
export function setPath(body: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let at = body;
  for (const p of parts.slice(0, -1)) {
    if (!isObject(at[p])) at[p] = {};
    at = at[p] as Record<string, unknown>;
  }
  at[parts[parts.length - 1]] = value;
}

/** Where one llm-sweep parameter goes in a provider's request body. */
export interface FieldRule {
  /** Dotted destination, e.g. 'parameters.max_new_tokens'. */
  to: string;
  /** Converts the value on the way (e.g. a stop string to a list). */
  convert?: (value: unknown) => unknown;
  /** Writes the value itself when a plain move is not enough (TGI's temperature 0). */
  apply?: (value: unknown, body: Record<string, unknown>) => void;
  /** What the rule does beyond a rename, for the docs table. */
  note?: string;
}

/** A provider's parameter names: every key a spec may set, and where it goes. */
export type ParamTable = Readonly<Record<string, FieldRule>>;

/** A table entry that keeps the name, under `prefix` ('' for the top level). */
export function same(prefix: string, names: readonly string[]): Record<string, FieldRule> {
  return Object.fromEntries(names.map((n) => [n, { to: prefix ? `${prefix}.${n}` : n }]));
}

/**
 * Writes `params` into `body` by the table. A key the table lacks (validate reports those)
 * goes to `fallbackPrefix` as is, so code that skips validation still sends what it asked.
 */
export function applyParams(
  body: Record<string, unknown>,
  params: Record<string, unknown>,
  table: ParamTable,
  fallbackPrefix = '',
): void {
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    const rule = Object.hasOwn(table, key) ? table[key] : undefined;
    if (!rule) {
      setPath(body, fallbackPrefix ? `${fallbackPrefix}.${key}` : key, value);
    } else if (rule.apply) {
      rule.apply(value, body);
    } else {
      const v = rule.convert ? rule.convert(value) : value;
      const current = getPath(body, rule.to);
      // Two names for one field (max_tokens and max_new_tokens), or a raw `options` object
      // beside single options: merge objects, and otherwise the later key wins.
      setPath(body, rule.to, isObject(current) && isObject(v) ? { ...current, ...v } : v);
    }
  }
}

function getPath(body: Record<string, unknown>, path: string): unknown {
  let at: unknown = body;
  for (const p of path.split('.')) at = isObject(at) ? at[p] : undefined;
  return at;
}

/**
 * Checks one cell's keys against a provider's table: every key must be in it. `reasons`
 * explains the keys users commonly try (why TGI has no `model`, say).
 */
export function checkAgainstTable(
  kind: string,
  keys: readonly string[],
  table: ParamTable,
  reasons: Readonly<Record<string, string>> = {},
): ParamProblem[] {
  const known = Object.keys(table);
  const problems: ParamProblem[] = [];
  for (const key of keys) {
    if (Object.hasOwn(table, key)) continue;
    const reason = Object.hasOwn(reasons, key) ? reasons[key] : undefined;
    const guess = reason ? undefined : nearest(key, known);
    const why = reason ?? (guess ? `did you mean '${guess}'?` : `it accepts ${known.join(', ')}`);
    problems.push({ key, message: `provider '${kind}' has no field for '${key}'; ${why} (see docs/providers.md)` });
  }
  return problems;
}

/** A problem when a key the API requires is missing from a cell. */
export function requireKey(kind: string, keys: readonly string[], key: string, why: string): ParamProblem[] {
  return keys.includes(key) ? [] : [{ message: `provider '${kind}' needs '${key}' in params or the matrix: ${why}` }];
}
