/**
 * Workload problems a schema cannot see, at their spec line: a workload with no request
 * count, `repeat` (which counts prompts a workload does not have), workload axes without a
 * workload, a rate with a trace (which has its own schedule) or with sessions, a
 * simulator tokenizer file that does not exist, and prompts too big to write.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { Spec } from '../../spec/schema.js';
import type { YamlSource } from '../../spec/yaml-source.js';
import { specTargets } from '../../spec/targets.js';
import { isBuiltinName } from '../../tokenizers/builtin.js';
import { maxOf, MAX_PROMPT_TOKENS, type Distribution } from './distribution.js';
import { MAX_PREFIX_TOTAL_TOKENS } from './prefix.js';
import { isWorkloadKey, WORKLOAD_KEYS } from './axes.js';
import type { WorkloadSpec } from './schema.js';

export function workloadProblems(spec: Spec, src: YamlSource, dir: string): string[] {
  const out: string[] = [];
  const at = (path: (string | number)[], which: 'key' | 'value' = 'key') => src.locate(path, which);
  const axes = Object.keys(spec.matrix).filter((k) => k !== 'include' && k !== 'exclude');
  // Every target's simulator may count with its own tokenizer file.
  for (const t of specTargets(spec)) {
    const simTokenizer = t.target.simulator?.tokenizer;
    if (simTokenizer !== undefined && !isBuiltinName(simTokenizer) && /[./\\]/.test(simTokenizer)) {
      const path = isAbsolute(simTokenizer) ? simTokenizer : resolve(dir, simTokenizer);
      if (!existsSync(path)) {
        out.push(`${at([...t.path, 'simulator', 'tokenizer'], 'value')}: tokenizer file '${simTokenizer}' not found (paths are relative to the spec's folder); or use o200k, cl100k`);
      }
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
  if ((spec.repeat_cells ?? 1) > 1) {
    // Round r would need requests (and dataset rows, sessions) of its own: not built yet.
    out.push(`${at(['repeat_cells'])}: repeat_cells does not go with a ${kind} workload yet; run the sweep again, or give requests: N for more requests per cell`);
  }
  // A search sends its own rounds of requests_per_step (or duration_s_per_step) per step.
  const counted = spec.requests !== undefined || spec.duration_s !== undefined || spec.repeat !== undefined || spec.search !== undefined;
  if (!counted && kind !== 'trace' && !(kind === 'conversation' && w.conversation?.sessions !== undefined)) {
    const what = kind === 'conversation' ? 'requests: N (turns per cell), duration_s, or conversation.sessions' : 'requests: N (per cell) or duration_s';
    out.push(`${at(['prompts', kind])}: a ${kind} workload needs ${what}`);
  }
  if (spec.search && (kind === 'trace' || (kind === 'conversation' && spec.search.over === 'rate'))) {
    out.push(
      `${at(['search', 'over'])}: a capacity search over ${spec.search.over} does not go with a ${kind} workload: ${kind === 'trace' ? 'a trace is sent on its own schedule (replay it faster with trace.speedup, or a speedup axis)' : 'sessions run closed loop; search over concurrency instead'}`,
    );
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
  out.push(...sizeProblems(spec, w, axes, at));
  return out;
}

/**
 * Prompts too big to write: a prefix plus a prompt, or a conversation's last turn with its
 * history, over MAX_PROMPT_TOKENS, or a cell's prefixes over what is held in memory. Each
 * bound is the largest any cell can draw (axes included), so the check holds for every cell.
 */
function sizeProblems(spec: Spec, w: WorkloadSpec, axes: string[], at: (path: (string | number)[]) => string): string[] {
  const out: string[] = [];
  const axisMax = (key: string): number | undefined => {
    if (!axes.includes(key)) return undefined;
    const values = (spec.matrix as Record<string, unknown>)[key];
    return Array.isArray(values) ? Math.max(...values.map((v) => maxOf(v as Distribution))) : undefined;
  };
  const limit = MAX_PROMPT_TOKENS.toLocaleString('en-US');
  const prefixTokens = axisMax('prefix_tokens') ?? w.prefix?.tokens ?? 0;
  const prefixCount = axisMax('prefix_count') ?? w.prefix?.count ?? 1;
  const prefixAt = at(w.prefix ? ['prompts', 'prefix'] : ['matrix', axes.includes('prefix_tokens') ? 'prefix_tokens' : 'prefix_count']);
  if (prefixTokens * prefixCount > MAX_PREFIX_TOTAL_TOKENS) {
    out.push(
      `${prefixAt}: ${prefixCount.toLocaleString('en-US')} prefixes of ${prefixTokens.toLocaleString('en-US')} tokens are more than the ${MAX_PREFIX_TOTAL_TOKENS.toLocaleString('en-US')} tokens a cell's prefixes may hold; use fewer or shorter prefixes`,
    );
  }
  const input = axisMax('input_tokens') ?? (w.synthetic ? maxOf(w.synthetic.input_tokens) : undefined);
  if (w.synthetic && input !== undefined && Number.isFinite(input) && prefixTokens + input > MAX_PROMPT_TOKENS) {
    out.push(`${prefixAt}: a prefix of ${prefixTokens.toLocaleString('en-US')} tokens on a prompt of up to ${input.toLocaleString('en-US')} makes prompts over ${limit} tokens (beyond any model's context); shorten one`);
  }
  const c = w.conversation;
  if (c && !w.dataset) {
    const turns = axisMax('turns') ?? maxOf(c.turns);
    const perTurn = (input ?? maxOf(c.input_tokens ?? 1)) + (axisMax('output_tokens') ?? (c.output_tokens !== undefined ? maxOf(c.output_tokens) : 0));
    if (Number.isFinite(turns * perTurn) && turns * perTurn > MAX_PROMPT_TOKENS) {
      out.push(
        `${at(['prompts', 'conversation'])}: a session's last turn would carry up to ${(turns * perTurn).toLocaleString('en-US')} tokens of history (${turns} turns of up to ${perTurn.toLocaleString('en-US')}), over ${limit} (beyond any model's context); use fewer or shorter turns`,
      );
    }
  }
  return out;
}
