/**
 * tokenizers/: counting and making text by tokens. A Tokenizer is a built-in encoding
 * (OpenAI's o200k_base or cl100k_base), a Hugging Face tokenizer.json, or the server's own
 * tokenizer over HTTP (server.ts, asynchronous, so it only counts). Workloads use them to
 * write prompts of an exact token length; the estimator uses o200k_base when a server sends
 * no usage; the simulator counts prompt tokens with one when asked to. This room is the only
 * owner of gpt-tokenizer and @huggingface/tokenizers: replacing a backend touches one file.
 */

/** A local tokenizer: encodes and decodes synchronously. */
export interface Tokenizer {
  /** How messages and run.json name it: `o200k_base`, or the tokenizer.json path as written. */
  name: string;
  /** Token ids of `text`, without special tokens (no BOS): the content's own tokens. */
  encode(text: string): number[];
  /** Text of `ids`; ids that are part of a multi-byte character decode to U+FFFD on their own. */
  decode(ids: readonly number[]): string;
  /** encode(text).length, cheaper, and linear even on a long run without whitespace. */
  count(text: string): number;
  /** Number of token ids (the highest id + 1). */
  vocabSize: number;
}
