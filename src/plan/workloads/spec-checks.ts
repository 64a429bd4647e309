/**
 * Workload problems a schema cannot see, at their spec line: a workload with no request
 * count, `repeat` (which counts prompts a workload does not have), workload axes without a
 * workload, a rate with a trace (which has its own schedule) or with sessions, and a
 * simulator tokenizer file that does not exist.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { Spec } from '../../spec/schema.js';
import type { YamlSource } from '../../spec/yaml-source.js';
import { isBuiltinName } from '../../tokenizers/builtin.js';
import { isWorkloadKey, WORKLOAD_KEYS } from './schema.js';

export function workloadProblems(spec: Spec, src: YamlSource, dir: string): string[] {
  const out: string[] = [];
  const at = (path: (string | number)[], which: 'key' | 'value' = 'key') => src.locate(path, which);
  const axes = Object.keys(spec.matrix).filter((k) => k !== 'include' && k !== 'exclude');
  const simTokenizer = spec.target.simulator?.tokenizer;
  if (simTokenizer !== undefined && !isBuiltinName(simTokenizer) && /[./\\]/.test(simTokenizer)) {
    const path = isAbsolute(simTokenizer) ? simTokenizer : resolve(dir, simTokenizer);
    if (!existsSync(path)) {
      out.push(`${at(['target', 'simulator', 'tokenizer'], 'value')}: tokenizer file '${simTokenizer}' not found (paths are relative to the spec's folder); or use o200k, cl100k`);
    }
  }
  if (Array.isArray(spec.prompts)) {
    for (const a of axes.filter(isWorkloadKey)) {
      out.push(`${at(['matrix', a])}: matrix.${a} sets a workload, but prompts is a list; write prompts: { synthetic: { input_tokens: ... } } (docs/workloads.md)`);
    }
    return out;
  }
  const w = spec.prompts;
  const kind = w.conversation ? 'conversation' : w.synthetic ? 'synthetic' : w.dataset ? 'dataset' : 'trace';
  if (spec.repeat !== undefined) {
    out.push(`${at(['repeat'])}: repeat counts passes over a prompt list, and prompts is a ${kind} workload; give requests: N (per cell) instead`);
  }
  const counted = spec.requests !== undefined || spec.duration_s !== undefined || spec.repeat !== undefined;
  if (!counted && kind !== 'trace' && !(kind === 'conversation' && w.conversation?.sessions !== undefined)) {
    const what = kind === 'conversation' ? 'requests: N (turns per cell), duration_s, or conversation.sessions' : 'requests: N (per cell) or duration_s';
    out.push(`${at(['prompts', kind])}: a ${kind} workload needs ${what}`);
  }
  const rate = 'rate' in spec.params || axes.includes('rate');
  if (rate && (kind === 'trace' || kind === 'conversation')) {
    out.push(
      `${at(axes.includes('rate') ? ['matrix', 'rate'] : ['params', 'rate'])}: rate does not go with a ${kind} workload: ${kind === 'trace' ? 'a trace is sent on its own schedule (use trace.speedup)' : 'sessions run closed loop, up to concurrency at once'}`,
    );
  }
  const fits: Record<string, boolean> = {
    input_tokens: kind === 'synthetic' || (kind === 'conversation' && !w.dataset),
    output_tokens: kind !== 'trace',
    prefix_tokens: kind === 'synthetic' || kind === 'dataset',
    prefix_count: kind === 'synthetic' || kind === 'dataset',
    turns: kind === 'conversation',
    think_time_ms: kind === 'conversation',
    speedup: kind === 'trace',
  };
  for (const a of axes.filter(isWorkloadKey)) {
    if (!fits[a]) out.push(`${at(['matrix', a])}: matrix.${a} does nothing for a ${kind} workload (workload axes: ${WORKLOAD_KEYS.filter((k) => fits[k]).join(', ')})`);
  }
  if (axes.includes('prefix_count') && !axes.includes('prefix_tokens') && !w.prefix) {
    out.push(`${at(['matrix', 'prefix_count'])}: matrix.prefix_count needs a prefix length: prompts.prefix: { tokens: N } or a prefix_tokens axis`);
  }
  return out;
}
