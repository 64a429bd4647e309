/**
 * Validate-time check that every cell's parameters can be sent by the target's provider:
 * an axis the API has no field for, or a field it requires, is a user error with the
 * position of the key in the spec, never a silent no-op at run time.
 */
import { UserError } from '../errors.js';
import type { Plan } from '../plan/types.js';
import type { LoadedSpec } from '../spec/load.js';
import type { YamlPath } from '../spec/yaml-source.js';
import { PROVIDERS, PROVIDER_MAP, providerForTarget } from './index.js';

export function providerProblems(loaded: LoadedSpec, plan: Pick<Plan, 'cells'>): string[] {
  const { spec, source } = loaded;
  const provider = providerForTarget(spec.target);
  const problems: string[] = [];
  if (spec.target.base_url === 'builtin' && !provider.simulator) {
    const able = PROVIDERS.filter((k) => PROVIDER_MAP[k].simulator);
    const list = `${able.slice(0, -1).join(', ')} or ${able.at(-1)}`;
    problems.push(
      `${source.locate(['target', 'base_url'])}: base_url: builtin starts the bundled simulator, which speaks the OpenAI API (and Triton's gRPC API); ` +
        `provider '${spec.target.provider}' cannot talk to it (use ${list}, or give the server's URL)`,
    );
  }
  if (!provider.checkParams) return problems;
  const seen = new Set<string>();
  const keySets = new Set<string>();
  for (const cell of plan.cells) {
    const keys = Object.keys(cell.body);
    // Cells share key sets; check each distinct set once.
    const id = JSON.stringify([...keys].sort());
    if (keySets.has(id)) continue;
    keySets.add(id);
    for (const p of provider.checkParams(keys, spec.target)) {
      const where = p.key !== undefined ? keyPath(loaded, p.key) : (p.at ?? ['params']);
      const line = `${source.locate(where, p.key !== undefined ? 'key' : 'value')}: ${p.message}`;
      if (!seen.has(line)) {
        seen.add(line);
        problems.push(line);
      }
    }
  }
  return problems.sort(byPosition);
}

/** Throws a UserError (exit 2) listing every problem, when there is any. */
export function checkProviderParams(loaded: LoadedSpec, plan: Pick<Plan, 'cells'>): void {
  const problems = providerProblems(loaded, plan);
  if (problems.length > 0) throw new UserError(problems.join('\n'), problems);
}

/** Where a body key is set: a matrix axis first (what the user sweeps), then params, then an include entry. */
function keyPath(loaded: LoadedSpec, key: string): YamlPath {
  const { matrix, params } = loaded.spec;
  if (key !== 'include' && key !== 'exclude' && Object.hasOwn(matrix, key)) return ['matrix', key];
  if (Object.hasOwn(params, key)) return ['params', key];
  const include = (matrix.include ?? []) as Record<string, unknown>[];
  const i = include.findIndex((combo) => Object.hasOwn(combo, key));
  return i >= 0 ? ['matrix', 'include', i, key] : ['matrix'];
}

function byPosition(a: string, b: string): number {
  const pa = /:(\d+):(\d+):/.exec(a);
  const pb = /:(\d+):(\d+):/.exec(b);
  if (!pa || !pb) return 0;
  return Number(pa[1]) - Number(pb[1]) || Number(pa[2]) - Number(pb[2]);
}
