/**
 * Validate-time check that every cell's parameters can be sent by the target's provider:
 * an axis the API has no field for, or a field it requires, is a user error with the
 * position of the key in the spec, never a silent no-op at run time.
 */
import { UserError } from '../errors.js';
import type { Plan } from '../plan/types.js';
import type { LoadedSpec } from '../spec/load.js';
import { specTargets } from '../spec/targets.js';
import type { YamlPath } from '../spec/yaml-source.js';
import { PROVIDERS, PROVIDER_MAP, providerForTarget } from './index.js';

export function providerProblems(loaded: LoadedSpec, plan: Pick<Plan, 'cells'>): string[] {
  const { source } = loaded;
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const { name, target, path } of specTargets(loaded.spec)) {
    const provider = providerForTarget(target);
    const cells = plan.cells.filter((c) => c.target === name);
    if (target.base_url === 'builtin' && !provider.simulator && cells.length > 0) {
      const able = PROVIDERS.filter((k) => PROVIDER_MAP[k].simulator);
      const list = `${able.slice(0, -1).join(', ')} or ${able.at(-1)}`;
      problems.push(
        `${source.locate([...path, 'base_url'])}: base_url: builtin starts the bundled simulator, which speaks the OpenAI API (and Triton's generate extension and gRPC API); ` +
          `provider '${target.provider}' cannot talk to it (use ${list}, or give the server's URL)`,
      );
    }
    if (!provider.checkParams) continue;
    const keySets = new Set<string>();
    for (const cell of cells) {
      const keys = Object.keys(cell.body);
      // Cells share key sets; check each distinct set once.
      const id = JSON.stringify([...keys].sort());
      if (keySets.has(id)) continue;
      keySets.add(id);
      for (const p of provider.checkParams(keys, target)) {
        const where = p.key !== undefined ? keyPath(loaded, p.key, path) : p.at ? (p.at[0] === 'target' ? [...path, ...p.at.slice(1)] : p.at) : ['params'];
        const line = `${source.locate(where, p.key !== undefined ? 'key' : 'value')}: ${p.message}`;
        if (!seen.has(line)) {
          seen.add(line);
          problems.push(line);
        }
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

/** Where a body key is set: a matrix axis first (what the user sweeps), then the target's params, the spec's, an include entry. */
function keyPath(loaded: LoadedSpec, key: string, targetPath: YamlPath): YamlPath {
  const { matrix, params } = loaded.spec;
  if (key !== 'include' && key !== 'exclude' && Object.hasOwn(matrix, key)) return ['matrix', key];
  const own = specTargets(loaded.spec).find((t) => t.path.join('.') === targetPath.join('.'))?.target.params ?? {};
  if (Object.hasOwn(own, key)) return [...targetPath, 'params', key];
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
