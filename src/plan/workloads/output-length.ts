/**
 * How to make a server produce exactly N output tokens, per server family: `max_tokens` caps
 * the output everywhere, and servers that can also forbid an early end of sequence get
 * `ignore_eos` (vLLM, SGLang, llama.cpp) and `min_tokens` (vLLM, SGLang). TGI, Ollama,
 * OpenAI, Azure OpenAI and Anthropic have no such switch: the model may stop earlier, and
 * completion_tokens shows by how much. The fields use the OpenAI names; each provider maps
 * `max_tokens` onto its own field (TGI max_new_tokens, Ollama options.num_predict, llama.cpp's
 * native n_predict), as it does for a body parameter.
 */

export const SERVER_FAMILIES = ['vllm', 'sglang', 'llama.cpp', 'tgi', 'ollama', 'openai', 'anthropic', 'triton', 'builtin'] as const;
export type ServerFamily = (typeof SERVER_FAMILIES)[number];

export interface OutputControl {
  /** Body fields that ask for n output tokens. */
  fields(n: number): Record<string, unknown>;
  /** 'exact': the server produces n tokens (unless a stop string matches); 'at most': n is a cap. */
  exactness: 'exact' | 'at most';
  /** One line for the docs and `plan`. */
  note: string;
}

const exact = (extra: (n: number) => Record<string, unknown>, note: string): OutputControl => ({
  fields: (n) => ({ max_tokens: n, ...extra(n) }),
  exactness: 'exact',
  note,
});

const cap = (note: string): OutputControl => ({ fields: (n) => ({ max_tokens: n }), exactness: 'at most', note });

export const OUTPUT_CONTROL = {
  vllm: exact((n) => ({ min_tokens: n, ignore_eos: true }), 'max_tokens, min_tokens and ignore_eos: exactly n'),
  sglang: exact((n) => ({ min_tokens: n, ignore_eos: true }), 'max_tokens, min_tokens and ignore_eos: exactly n'),
  'llama.cpp': exact(() => ({ ignore_eos: true }), 'max_tokens (n_predict) and ignore_eos: exactly n'),
  builtin: exact(() => ({ ignore_eos: true }), 'max_tokens and ignore_eos: exactly n'),
  tgi: cap('max_new_tokens only (TGI has no ignore_eos): at most n'),
  ollama: cap('options.num_predict only: at most n'),
  openai: cap('max_tokens only (the API refuses ignore_eos): at most n'),
  anthropic: cap('max_tokens only: at most n'),
  triton: cap('max_tokens only (backends differ): at most n'),
} as const satisfies Record<ServerFamily, OutputControl>;

/** The body fields asking `family` for n output tokens. */
export function outputLengthFields(family: ServerFamily, n: number): Record<string, unknown> {
  return OUTPUT_CONTROL[family].fields(n);
}

/**
 * The family a target most likely is, when the workload does not say (`server:`): the
 * builtin simulator, the API a provider speaks, and for OpenAI-style endpoints vLLM unless the
 * URL is OpenAI's own (its API refuses ignore_eos).
 */
export function defaultFamily(provider: string, baseUrl: string): ServerFamily {
  if (baseUrl === 'builtin') return 'builtin';
  switch (provider) {
    case 'tgi':
    case 'ollama':
    case 'anthropic':
    case 'triton':
      return provider;
    case 'openai-chat':
    case 'openai-completions':
      return /^https?:\/\/([^/]*\.)?openai\.com(\/|$)/i.test(baseUrl) ? 'openai' : 'vllm';
    default:
      return 'openai';
  }
}
