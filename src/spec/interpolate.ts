/**
 * `${VAR}` and `${VAR:-default}` in any string value of the spec, from the environment.
 * Done on the YAML document (not on the text) so a missing variable is reported at the
 * line of the value that needs it, and so a value can never inject YAML structure.
 * `$${` writes a literal `${`.
 */
import { visit, type Scalar } from 'yaml';
import type { YamlSource } from './yaml-source.js';

const PATTERN = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export interface InterpolationResult {
  /** Values that came from environment variables, to be scrubbed from any output. */
  injected: string[];
  problems: string[];
}

export function interpolateString(
  text: string,
  env: NodeJS.ProcessEnv,
  onMissing: (name: string) => void,
): { value: string; injected: string[] } {
  const injected: string[] = [];
  const value = text.replace(PATTERN, (whole, name: string | undefined, fallback: string | undefined) => {
    if (whole === '$${') return '${';
    const v = env[name!];
    if (v !== undefined && v !== '') {
      injected.push(v);
      return v;
    }
    if (fallback !== undefined) return fallback;
    onMissing(name!);
    return '';
  });
  return { value, injected };
}

export function interpolateDocument(src: YamlSource, env: NodeJS.ProcessEnv): InterpolationResult {
  const injected: string[] = [];
  const problems: string[] = [];
  visit(src.doc, {
    Scalar(_key, node: Scalar) {
      if (typeof node.value !== 'string' || !node.value.includes('${')) return;
      const where = node.range ? src.at(node.range[0]) : src.file;
      const result = interpolateString(node.value, env, (name) => {
        problems.push(
          `${where}: environment variable ${name} is not set; export it, or write \${${name}:-default} to give a default`,
        );
      });
      injected.push(...result.injected);
      node.value = result.value;
    },
  });
  return { injected, problems };
}
