/**
 * Prompts from a dataset file (`prompts: { dataset: { file: sharegpt.json } }`): ShareGPT,
 * JSONL or CSV, streamed and sampled with the seed (sample.ts), filtered as vLLM's benchmark
 * filters ShareGPT: a prompt (and, when known, its answer) of fewer than `min_tokens` tokens,
 * a prompt over `max_input_tokens`, or prompt plus answer over `max_total_tokens`, is left
 * out. For ShareGPT the defaults are vLLM's (4, 1024, 2048); other formats have no filter
 * unless the spec sets one.
 */
import { extname } from 'node:path';
import { z } from 'zod';
import { UserError } from '../../errors.js';
import { mixSeed, mulberry32 } from '../../random.js';
import type { Tokenizer } from '../../tokenizers/types.js';
import { csvFormat } from './csv.js';
import type { DatasetFormat, RowContent } from './dataset-format.js';
import { distributionSchema, draw, TOKEN_COUNT, type Distribution } from './distribution.js';
import { jsonlFormat } from './jsonl.js';
import type { Prefixes } from './prefix.js';
import type { FileRef } from './read-rows.js';
import { sampleRows } from './sample.js';
import { sharegptFormat } from './sharegpt.js';
import type { RowList } from './packed-rows.js';
import type { PromptSource, WorkloadPrompt } from './types.js';

export const DATASET_FORMATS = {
  sharegpt: sharegptFormat,
  jsonl: jsonlFormat,
  csv: csvFormat,
} as const satisfies Record<string, DatasetFormat>;
export type DatasetFormatName = keyof typeof DATASET_FORMATS;

const positiveInt = z.number().int().positive();

export const datasetSchema = z
  .strictObject({
    file: z.string().min(1).describe('The dataset file, relative to the spec: .json (ShareGPT), .jsonl or .csv. Streamed, never read whole.'),
    format: z
      .enum(Object.keys(DATASET_FORMATS) as [DatasetFormatName, ...DatasetFormatName[]])
      .optional()
      .describe('sharegpt (a JSON array of {conversations: [{from, value}]}), jsonl or csv; by default from the extension (.json is sharegpt).'),
    text: z.string().min(1).default('prompt').describe('jsonl/csv: the field or column holding the prompt.'),
    output: z
      .string()
      .min(1)
      .optional()
      .describe('jsonl/csv: the field or column holding the output length (a whole number) or the reference answer (text, counted in tokens).'),
    output_tokens: z
      .union([z.literal('dataset'), distributionSchema(TOKEN_COUNT)])
      .optional()
      .describe("Output length to ask for: 'dataset' (the reference answer's length, as vLLM does), a number or a distribution; none leaves max_tokens as the body has it."),
    min_tokens: z.number().int().min(0).optional().describe('Leave out prompts (and known answers) shorter than this, tokens; sharegpt default 4 (vLLM).'),
    max_input_tokens: positiveInt.optional().describe('Leave out prompts longer than this, tokens; sharegpt default 1024 (vLLM).'),
    max_total_tokens: positiveInt.optional().describe('Leave out rows whose prompt plus answer is longer than this, tokens; sharegpt default 2048 (vLLM).'),
  })
  .describe('Prompts sampled with the seed from a dataset file.');
export type DatasetSpec = z.infer<typeof datasetSchema>;

/** One sampled row, as kept in memory. */
export interface DatasetRow {
  /** 1-based line where the row starts. */
  line: number;
  prompt: string;
  /** Prompt tokens by the tokenizer in use. */
  inputTokens: number;
  /** Output length from the dataset (the answer's tokens, or the output column); undefined when it has none. */
  outputTokens?: number;
  /** Every turn (user and assistant alternating), kept for conversations only. */
  turns?: string[];
}

export interface DatasetSample {
  format: DatasetFormatName;
  /** The sampled rows in sample order (an array, or packed rows from the worker thread). */
  rows: RowList;
  /** Rows read from the file. */
  scanned: number;
  /** Rows that passed the filters (exact when fewer than requested were found). */
  eligible: number;
}

export interface SampleOptions {
  ref: FileRef;
  tokenizer: Tokenizer;
  seed: number;
  /** Rows wanted. */
  count: number;
  /** Keep every turn (for conversations). */
  keepTurns?: boolean;
}

/** Which format a file is: the spec's `format:`, else its extension. */
export function formatOf(spec: DatasetSpec, ref: FileRef): DatasetFormatName {
  if (spec.format) return spec.format;
  const ext = extname(ref.path).toLowerCase();
  if (ext === '.json') return 'sharegpt';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  if (ext === '.csv') return 'csv';
  throw new UserError(`${ref.at}: dataset file '${ref.shown}' has extension '${ext || '(none)'}'; use .json (ShareGPT), .jsonl or .csv, or say format: sharegpt | jsonl | csv`);
}

/** The filters in force: the spec's, or vLLM's defaults for ShareGPT. */
export function filtersOf(spec: DatasetSpec, format: DatasetFormatName) {
  const vllm = format === 'sharegpt';
  return {
    min: spec.min_tokens ?? (vllm ? 4 : 0),
    maxInput: spec.max_input_tokens ?? (vllm ? 1024 : Infinity),
    maxTotal: spec.max_total_tokens ?? (vllm ? 2048 : Infinity),
  };
}

/** Samples `count` rows (fewer when fewer pass the filters; none is an error). */
export async function sampleDataset(spec: DatasetSpec, o: SampleOptions): Promise<DatasetSample & { rows: DatasetRow[] }> {
  const format = formatOf(spec, o.ref);
  const impl: DatasetFormat = DATASET_FORMATS[format];
  const { min, maxInput, maxTotal } = filtersOf(spec, format);
  const columns = { text: spec.text, output: spec.output };
  // Answers are counted only when something needs their length.
  const needAnswer = spec.output_tokens === 'dataset' || maxTotal !== Infinity || min > 0;
  let shortest = Infinity;
  let longest = 0;
  let checked = 0;
  const check = (row: { line: number; value: unknown }): DatasetRow | undefined => {
    const c: RowContent | undefined = impl.content(row, o.ref, columns);
    if (!c) return undefined;
    checked++;
    const inputTokens = o.tokenizer.count(c.prompt);
    shortest = Math.min(shortest, inputTokens);
    longest = Math.max(longest, inputTokens);
    const outputTokens = c.outputTokens ?? (c.answer !== undefined && needAnswer ? o.tokenizer.count(c.answer) : undefined);
    if (inputTokens < min || inputTokens > maxInput) return undefined;
    if (outputTokens !== undefined && (outputTokens < min || inputTokens + outputTokens > maxTotal)) return undefined;
    if (outputTokens === undefined && spec.output_tokens === 'dataset') return undefined;
    return { line: row.line, prompt: c.prompt, inputTokens, outputTokens, turns: o.keepTurns ? c.turns : undefined };
  };
  const r = await sampleRows(impl.rows(o.ref), o.count, mixSeed(o.seed, 'dataset'), check);
  if (r.picked.length === 0 && checked === 0) {
    const what = format === 'csv' ? 'rows under its header' : format === 'jsonl' ? 'lines' : 'conversations of two turns or more';
    throw new UserError(`${o.ref.at}: dataset '${o.ref.shown}' has no prompts (no ${what}); point file: at a dataset with rows`);
  }
  if (r.picked.length === 0) {
    const limits = [min > 0 ? `at least ${min}` : '', maxInput !== Infinity ? `at most ${maxInput}` : ''].filter(Boolean).join(' and ');
    const seen = `its prompts have ${shortest} to ${longest} tokens by ${o.tokenizer.name}`;
    const why =
      spec.output_tokens === 'dataset'
        ? `no row of it has a reference answer or an output length (output_tokens: dataset needs one; set output: for jsonl/csv)`
        : `no row passes the filters (prompts of ${limits || 'any length'} tokens${maxTotal !== Infinity ? `, prompt plus answer at most ${maxTotal}` : ''}); ${seen}`;
    throw new UserError(`${o.ref.at}: dataset '${o.ref.shown}': ${why}; widen min_tokens / max_input_tokens / max_total_tokens`);
  }
  return { format, rows: r.picked, scanned: r.scanned, eligible: r.eligible };
}

export interface DatasetSourceOptions {
  sample: DatasetSample;
  shown: string;
  /** Row of request i (offset into the sample, so cells do not resend each other's prompts). */
  rowOf: (i: number) => number;
  output?: 'dataset' | Distribution;
  seed: number;
  /** The cell's key, for drawn output lengths. */
  key: string;
  prefixes?: Prefixes;
}

/** The prompts of one cell from a sampled dataset. */
export function datasetSource(o: DatasetSourceOptions): PromptSource {
  const { rows } = o.sample;
  return {
    kind: o.sample.format,
    prompt(i: number): WorkloadPrompt {
      const row = rows.at(((o.rowOf(i) % rows.length) + rows.length) % rows.length)!;
      const head = o.prefixes?.of(i) ?? '';
      const text = head === '' ? row.prompt : `${head} ${row.prompt}`;
      const outputTokens =
        o.output === undefined
          ? undefined
          : o.output === 'dataset'
            ? row.outputTokens
            : draw(o.output, TOKEN_COUNT, mulberry32(mixSeed(o.seed, 'lengths', o.key, i)));
      return {
        id: i,
        messages: [{ role: 'user', content: text }],
        text,
        origin: `${o.shown}:${row.line}`,
        // The prefix's words, plus the space that joins it, may merge differently: the count is the sum.
        inputTokens: row.inputTokens + (o.prefixes?.tokens ?? 0),
        outputTokens,
      };
    },
  };
}
