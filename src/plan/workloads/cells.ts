/**
 * A prepared workload, per cell: the cell's own settings (matrix axes input_tokens,
 * output_tokens, prefix_tokens, ... override the workload's), its prompt source, the
 * dataset rows it owns, and the token totals it will send, for `plan`.
 */
import type { Combination } from '../types.js';
import { conversationSource, sessionsFor, type ConversationSource, type ConversationSpec } from './conversation.js';
import { datasetSource } from './dataset.js';
import { meanOf, type Distribution } from './distribution.js';
import { makePrefixes, type PrefixSpec } from './prefix.js';
import type { RowList } from './packed-rows.js';
import type { PreparedWorkload } from './prepare.js';
import type { WorkloadSpec } from './schema.js';
import { syntheticSource, syntheticTotals } from './synthetic.js';
import { traceSource, traceTotals, type TraceSource } from './trace.js';
import type { PromptSource, WorkloadTotals } from './types.js';

/** The settings of one cell's workload, after the matrix overrides. */
export interface CellWorkloadSpec {
  input?: Distribution;
  output?: Distribution | 'dataset';
  prefix?: PrefixSpec;
  conversation?: ConversationSpec;
  speedup?: number;
}

/** The workload's settings for a cell with these matrix values. */
export function cellWorkloadSpec(w: WorkloadSpec, params: Combination): CellWorkloadSpec {
  const pick = <T>(key: string, fallback: T): T => (key in params ? (params[key] as T) : fallback);
  const prefixTokens = pick<number | undefined>('prefix_tokens', w.prefix?.tokens);
  const prefix = prefixTokens === undefined ? undefined : { tokens: prefixTokens, count: pick('prefix_count', w.prefix?.count ?? 1) };
  const conversation = w.conversation && {
    ...w.conversation,
    turns: pick('turns', w.conversation.turns),
    think_time_ms: pick('think_time_ms', w.conversation.think_time_ms),
    input_tokens: pick('input_tokens', w.conversation.input_tokens),
    output_tokens: pick('output_tokens', w.conversation.output_tokens),
  };
  return {
    input: pick('input_tokens', w.synthetic?.input_tokens),
    output: pick('output_tokens', w.synthetic?.output_tokens ?? w.dataset?.output_tokens),
    prefix,
    conversation,
    speedup: pick('speedup', w.trace?.speedup),
  };
}

/** Sessions of a conversation cell with this request count; undefined for other workloads. */
export function sessionsOf(w: WorkloadSpec, params: Combination, requests: number | undefined): number | undefined {
  const c = cellWorkloadSpec(w, params);
  return c.conversation ? sessionsFor(c.conversation, requests ?? DURATION_ROWS) : undefined;
}

/** How many units (requests, or sessions for a conversation) a cell draws from the dataset. */
export function unitsOf(requests: number | undefined, sessions: number | undefined, warmup: number): number {
  return (sessions ?? requests ?? DURATION_ROWS) + warmup;
}

/** Rows a cell that runs for a duration (unknown request count) takes; it reuses them round-robin. */
export const DURATION_ROWS = 1000;

export type CellSource =
  | { kind: 'prompts'; source: PromptSource }
  | { kind: 'conversation'; source: ConversationSource; sessions: number }
  | { kind: 'trace'; source: TraceSource };

export interface CellContextInput {
  workload: WorkloadSpec;
  prepared: PreparedWorkload;
  seed: number;
  /** The cell's id (its text is its own) and matrix values. */
  id: string;
  params: Combination;
  requests: number | undefined;
  warmup: number;
  /** First dataset row (or session) of this cell: the units of the cells before it in the whole plan. */
  rowOffset: number;
  /** Conversations: the cell's sessions (plan/build.ts). */
  sessions?: number;
}

/** The cell's prompt source. */
export function cellSource(c: CellContextInput): CellSource {
  const spec = cellWorkloadSpec(c.workload, c.params);
  const { vocab, sample, trace } = c.prepared;
  const prefixes = spec.prefix && vocab ? makePrefixes(spec.prefix, vocab, c.seed, c.id) : undefined;
  const recorded = c.requests ?? DURATION_ROWS;
  // Recorded requests take the cell's first rows, warmup requests (i < 0) the rows after them.
  const rowOf = (i: number) => c.rowOffset + (i >= 0 ? i : recorded - i - 1);
  if (spec.conversation) {
    const sessions = c.sessions ?? sessionsFor(spec.conversation, recorded);
    const sessionRow = (s: number) => c.rowOffset + (s >= 0 ? s : sessions - s - 1);
    return {
      kind: 'conversation',
      sessions,
      source: conversationSource({ spec: spec.conversation, seed: c.seed, key: c.id, vocab, rows: sample?.rows, rowOf: sessionRow }),
    };
  }
  if (c.workload.trace && trace && vocab) {
    return { kind: 'trace', source: traceSource({ trace, spec: { ...c.workload.trace, speedup: spec.speedup ?? 1 }, vocab, seed: c.seed, key: c.id }) };
  }
  if (sample && c.workload.dataset) {
    return {
      kind: 'prompts',
      source: datasetSource({ sample, shown: c.workload.dataset.file, rowOf, output: spec.output, seed: c.seed, key: c.id, prefixes }),
    };
  }
  if (!vocab || spec.input === undefined) throw new Error('cellSource: a synthetic workload needs its vocabulary and input_tokens');
  const output = spec.output === 'dataset' ? undefined : spec.output;
  return { kind: 'prompts', source: syntheticSource({ input: spec.input, output, vocab, seed: c.seed, key: c.id, prefixes }) };
}

/** The tokens a cell will send and ask for (its recorded requests; warmup not included). */
export function cellTotals(c: CellContextInput): WorkloadTotals | undefined {
  const spec = cellWorkloadSpec(c.workload, c.params);
  const { sample, trace } = c.prepared;
  if (spec.conversation) {
    const conv = spec.conversation;
    const sessions = c.sessions ?? sessionsFor(conv, c.requests ?? DURATION_ROWS);
    const T = meanOf(conv.turns);
    const I = conv.input_tokens === undefined ? (sample ? meanRowTokens(sample.rows) : 0) : meanOf(conv.input_tokens);
    const O = conv.output_tokens === undefined ? undefined : meanOf(conv.output_tokens);
    // Turn t resends every earlier turn and answer: sum over t of (t (I + O) + I).
    const input = T * I + (I + (O ?? 0)) * ((T * (T - 1)) / 2);
    return { inputTokens: Math.round(sessions * input), outputTokens: O === undefined ? undefined : Math.round(sessions * T * O) };
  }
  if (c.requests === undefined) return undefined;
  if (c.workload.trace && trace) return traceTotals(trace, c.requests);
  const prefixTokens = spec.prefix?.tokens ?? 0;
  if (sample) {
    let inputTokens = 0;
    let outputTokens: number | undefined = spec.output === undefined ? undefined : 0;
    for (let i = 0; i < c.requests; i++) {
      const row = sample.rows.at((c.rowOffset + i) % sample.rows.length)!;
      inputTokens += row.inputTokens + prefixTokens;
      if (outputTokens !== undefined) outputTokens += spec.output === 'dataset' ? (row.outputTokens ?? 0) : meanOf(spec.output!);
    }
    return { inputTokens, outputTokens: outputTokens === undefined ? undefined : Math.round(outputTokens) };
  }
  if (spec.input === undefined) return undefined;
  return syntheticTotals(spec.input, spec.output === 'dataset' ? undefined : spec.output, c.requests, prefixTokens);
}

function meanRowTokens(rows: RowList): number {
  let sum = 0;
  for (let i = 0; i < rows.length; i++) sum += rows.at(i)!.inputTokens;
  return rows.length === 0 ? 0 : sum / rows.length;
}
