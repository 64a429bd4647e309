/**
 * What a dataset format gives the sampler: its rows (streamed) and, for each row, the prompt
 * and the reference answer (or an output length). One file per format: sharegpt.ts, jsonl.ts,
 * csv.ts.
 */
import type { FileRef, RawRow } from './read-rows.js';

/** A row's content. */
export interface RowContent {
  /** The first user turn: the prompt. */
  prompt: string;
  /** The reference answer, when the row has one (its length is the output length vLLM uses). */
  answer?: string;
  /** The output length the row gives as a number (a CSV/JSONL output-length column). */
  outputTokens?: number;
  /** Every turn, user and assistant alternating from a user turn (ShareGPT), for conversations. */
  turns?: string[];
}

/** Names of the fields the spec picked, for JSONL and CSV. */
export interface Columns {
  /** Field with the prompt text. */
  text: string;
  /** Field with the output length (a number) or the reference answer (a text). */
  output?: string;
}

export interface DatasetFormat {
  rows(ref: FileRef): AsyncGenerator<RawRow>;
  /**
   * The row's content; undefined to skip it quietly (vLLM skips ShareGPT conversations of
   * fewer than two turns). Throws a UserError naming file:line for a malformed row.
   */
  content(row: RawRow, ref: FileRef, columns: Columns): RowContent | undefined;
}
