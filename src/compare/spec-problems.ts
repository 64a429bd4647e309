/** Load-time checks of the spec's gate sections, so bad syntax is exit 2 with file:line:col. */
import type { Spec } from '../spec/schema.js';
import type { YamlSource } from '../spec/yaml-source.js';
import { compareRuleProblems } from './tolerances.js';
import { parseThresholds } from './thresholds.js';

export function gateProblems(spec: Spec, src: YamlSource): string[] {
  return [
    ...parseThresholds(spec, (path, which) => src.locate(path, which)).problems,
    ...compareRuleProblems(spec.compare, (path, which) => src.locate(path, which)),
  ];
}
