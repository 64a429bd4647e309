/**
 * plan/workloads/: where prompts come from, one file per source, all seeded: synthetic text
 * by token count (synthetic.ts), datasets (sharegpt.ts, jsonl.ts, csv.ts, sampled by
 * sample.ts), shared prefixes (prefix.ts), multi-turn sessions (conversation.ts) and trace
 * replay (trace.ts). A source gives each request of a cell its prompt as a pure function of
 * (seed, cell, request index), so the same seed gives byte-identical prompts across runs, shards
 * and --resume, and different requests get different text unless a prefix is asked for.
 */
import type { Prompt } from '../types.js';

/** One request's input as a workload makes it. */
export interface WorkloadPrompt extends Prompt {
  /** Prompt tokens this text has by the workload's tokenizer (its `base` included); undefined when unknown. */
  inputTokens?: number;
  /** Output tokens to ask for (max_tokens, and ignore_eos where the server has it); undefined = the body's own. */
  outputTokens?: number;
}

/** The prompts of one cell. */
export interface PromptSource {
  /** Which source, for plan tables and run.json: 'synthetic', 'sharegpt', 'jsonl', 'csv', 'trace'. */
  kind: string;
  /**
   * Request i's prompt. Recorded requests are 0, 1, 2, ...; warmup requests are -1, -2, ...,
   * so they never repeat a recorded request's text (a prefix cache would hide the warmup).
   */
  prompt(i: number): WorkloadPrompt;
}

/** What a cell's workload will send, for `plan`: token totals before spending them. */
export interface WorkloadTotals {
  /** Sum of input tokens over the cell's requests (exact for synthetic and traces; a dataset's sample). */
  inputTokens: number;
  /** Sum of the output tokens asked for; undefined when the workload does not set them. */
  outputTokens?: number;
}
