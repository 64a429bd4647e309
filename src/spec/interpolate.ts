/**
 * `${VAR}` and `${VAR:-default}` in any string value of the spec, from the environment.
 * Done on the YAML document (not on the text) so a problem is reported at the line of the
 * value that needs it, and so a value can never inject YAML structure. `$${` writes a
 * literal `${`. As in the shell, `:-` uses the default when the variable is unset or empty;
 * `${VAR}` with VAR unset or empty is an error (an empty API key is almost always a
 * forgotten secret; write `${VAR:-}` to allow it).
 *
 * A value that is exactly one reference behaves as if the variable's text had been written
 * there: `requests: ${N:-20}` is the number 20 (quoted or not: inside a flow list `[...]`
 * a reference must be quoted). Fields that hold text (api_key, model, base_url, ...) always
 * stay text; in free-form fields (custom params and axes) a quoted reference stays text.
 */
import { isMap, isPair, isScalar, isSeq, parse, type Scalar } from 'yaml';
import { fieldKind } from './schema-path.js';
import type { YamlPath, YamlSource } from './yaml-source.js';

const TOKEN = /\$\$\{|\$\{([^}]*)\}|\$\{/g;
const REFERENCE = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([\s\S]*))?$/;
/** Environment variables whose names say they hold a secret; their values are scrubbed from output. */
const SECRET_NAME = /key|token|secret|passw|auth|credential|cookie|session/i;

export interface InterpolationProblem {
  /** The text as written, e.g. `${OPENAI_API_KEY}`. */
  token: string;
  message: string;
}

export interface InterpolatedString {
  value: string;
  /** Names and values of the variables used. */
  used: { name: string; value: string }[];
  problems: InterpolationProblem[];
}

export function interpolateString(text: string, env: NodeJS.ProcessEnv): InterpolatedString {
  const used: { name: string; value: string }[] = [];
  const problems: InterpolationProblem[] = [];
  const value = text.replace(TOKEN, (token: string, inner: string | undefined) => {
    if (token === '$${') return '${';
    if (inner === undefined) {
      problems.push({ token, message: "'${' is not closed; write ${NAME} or ${NAME:-default}, or $${ for a literal '${'" });
      return token;
    }
    const m = REFERENCE.exec(inner);
    if (!m) {
      problems.push({
        token,
        message: `'${token}' is not a variable reference; write \${NAME} or \${NAME:-default} (NAME: letters, digits, _), or $\${ for a literal '\${'`,
      });
      return token;
    }
    const [, name, fallback] = m;
    const v = env[name];
    if (v !== undefined && v !== '') {
      used.push({ name, value: v });
      return v;
    }
    if (fallback !== undefined) return fallback;
    problems.push({
      token,
      message:
        v === undefined
          ? `environment variable ${name} is not set; export it, or write \${${name}:-default} to give a default`
          : `environment variable ${name} is set but empty; give it a value, or write \${${name}:-} to allow an empty value`,
    });
    return '';
  });
  return { value, used, problems };
}

export interface InterpolationResult {
  /** Values that came from environment variables. */
  injected: string[];
  /** Values of variables whose names look secret (API_KEY, TOKEN, ...), to scrub from output. */
  secrets: string[];
  /** `file:line:col: message`, one per problem. */
  problems: string[];
  /** The text as written, for each interpolated value, keyed by `pathKey(path)`: messages quote it. */
  origins: Map<string, string>;
}

export function pathKey(path: YamlPath): string {
  return JSON.stringify(path);
}

export function interpolateDocument(src: YamlSource, env: NodeJS.ProcessEnv): InterpolationResult {
  const result: InterpolationResult = { injected: [], secrets: [], problems: [], origins: new Map() };
  const walk = (node: unknown, path: YamlPath) => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (isPair(pair) && isScalar(pair.key)) walk(pair.value, [...path, String(pair.key.value)]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item, [...path, i]));
    } else if (isScalar(node) && typeof node.value === 'string' && node.value.includes('${')) {
      interpolateScalar(node, path, src, env, result);
    }
  };
  walk(src.doc.contents, []);
  return result;
}

function interpolateScalar(
  node: Scalar,
  path: YamlPath,
  src: YamlSource,
  env: NodeJS.ProcessEnv,
  out: InterpolationResult,
): void {
  const original = node.value as string;
  const r = interpolateString(original, env);
  for (const p of r.problems) out.problems.push(`${whereIs(p.token, node, path, src)}: ${p.message}`);
  for (const u of r.used) {
    out.injected.push(u.value);
    if (SECRET_NAME.test(u.name)) out.secrets.push(u.value);
  }
  node.value = r.value;
  out.origins.set(pathKey(path), original);
  // A value that is exactly one reference takes the type YAML would give its text, unless
  // the field holds text; a quoted one only where the field cannot hold text anyway (quotes
  // are needed inside [flow, lists]).
  const kind = fieldKind(path);
  const convert = kind === 'typed' || (kind === 'free' && node.type === 'PLAIN');
  if (convert && /^\$\{[^}]*\}$/.test(original.trim())) {
    const typed = scalarOf(r.value);
    if (typed !== undefined) node.value = typed;
  }
}

/** What YAML would have read had the text been written in place, if it is a number or a boolean. */
function scalarOf(text: string): number | boolean | undefined {
  try {
    const v: unknown = parse(text);
    return typeof v === 'number' || typeof v === 'boolean' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** The position of the token inside the scalar when it can be found in the file, else the scalar's. */
function whereIs(token: string, node: Scalar, path: YamlPath, src: YamlSource): string {
  if (node.range) {
    const i = src.text.slice(node.range[0], node.range[1]).indexOf(token);
    if (i >= 0) return src.at(node.range[0] + i);
  }
  return src.locate(path);
}
