/**
 * The OpenAI wire format the simulator answers in: error bodies, non-streaming responses and
 * SSE chunks for chat.completions and (legacy) completions. Streamed token chunks are built
 * from a precomputed head and tail so the per-token work is one string concatenation.
 */
import type { FinishReason } from './text.js';

/** OpenAI's two routes, and Triton's generate extension (/v2/models/{model}/generate[_stream]). */
export type OpenAIEndpoint = 'chat' | 'completions';
export type Endpoint = OpenAIEndpoint | 'triton';

export const SYSTEM_FINGERPRINT = 'fp_llmsweep_sim';

/** `{"error":{"message","type","param","code"}}` as OpenAI sends it. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export function errorBody(message: string, type: string, param: string | null = null, code: string | null = null): OpenAIErrorBody {
  return { error: { message, type, param, code } };
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  /** Present when the answer has reasoning tokens (they are part of completion_tokens), as OpenAI sends it. */
  completion_tokens_details?: { reasoning_tokens: number };
  /** Present with a prefix cache: prompt tokens served from it, as OpenAI and vLLM send it. */
  prompt_tokens_details?: { cached_tokens: number };
}

/** `cachedTokens` undefined: no prefix cache, no prompt_tokens_details. */
export function usageOf(promptTokens: number, completionTokens: number, reasoningTokens = 0, cachedTokens?: number): Usage {
  const usage: Usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
  if (reasoningTokens > 0) usage.completion_tokens_details = { reasoning_tokens: reasoningTokens };
  if (cachedTokens !== undefined) usage.prompt_tokens_details = { cached_tokens: cachedTokens };
  return usage;
}

/** Identity of one response, shared by all its chunks. */
export interface ResponseMeta {
  id: string;
  /** Unix seconds. */
  created: number;
  model: string;
}

export function responseId(endpoint: Endpoint, serial: string): string {
  return `${endpoint === 'chat' ? 'chatcmpl' : endpoint === 'triton' ? 'triton' : 'cmpl'}-sim${serial}`;
}

/** The non-streaming response body. */
export function completionBody(
  endpoint: Endpoint,
  meta: ResponseMeta,
  text: string,
  finishReason: FinishReason,
  usage: Usage,
  reasoning = '',
  returns: TritonReturns = NO_RETURNS,
): unknown {
  if (endpoint === 'triton') return tritonEvent(meta, reasoning + text, returns, { promptTokens: usage.prompt_tokens, tokens: usage.completion_tokens }, finishReason);
  const base = { id: meta.id, created: meta.created, model: meta.model, system_fingerprint: SYSTEM_FINGERPRINT };
  if (endpoint === 'chat') {
    // reasoning_content as vLLM's reasoning parsers and DeepSeek send it; only when there is reasoning.
    const message = reasoning
      ? { role: 'assistant', content: text, reasoning_content: reasoning, refusal: null }
      : { role: 'assistant', content: text, refusal: null };
    return {
      ...base,
      object: 'chat.completion',
      choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }],
      usage,
    };
  }
  return {
    ...base,
    object: 'text_completion',
    choices: [{ index: 0, text, logprobs: null, finish_reason: finishReason }],
    usage,
  };
}

/** Ready-to-write SSE events of one streamed response. */
export interface StreamFormat {
  /** The first event (chat: role-only delta); undefined for completions, which have none. */
  readonly first: string | undefined;
  /** One content chunk. */
  token(text: string): string;
  /** One reasoning chunk (chat: `delta.reasoning_content`; completions have no such field: content). */
  reasoning(text: string): string;
  /** The chunk carrying finish_reason, then (when asked) the usage chunk, then [DONE]. */
  end(finishReason: FinishReason, usage: Usage): string;
}

export const SSE_DONE = 'data: [DONE]\n\n';

export function sse(data: unknown): string {
  return `data: ${JSON.stringify(data)}\n\n`;
}

/**
 * With `stream_options.include_usage`, every chunk carries `"usage": null` and a final chunk
 * with `choices: []` carries the usage (OpenAI's documented behaviour).
 */
/**
 * The extra outputs a Triton request asked for (the vLLM backend's `return_finish_reason`,
 * `return_num_input_tokens`, `return_num_output_tokens` parameters); without them a response
 * carries only `text_output`, as Triton's does.
 */
export interface TritonReturns {
  finishReason: boolean;
  inputTokens: boolean;
  outputTokens: boolean;
}

export const NO_RETURNS: TritonReturns = { finishReason: false, inputTokens: false, outputTokens: false };

/** One Triton generate response (or stream event): the model's name and version, its text, and what was asked for. */
function tritonEvent(meta: ResponseMeta, text: string, returns: TritonReturns, counts: { promptTokens: number; tokens: number }, finishReason?: FinishReason): unknown {
  const o: Record<string, unknown> = { model_name: meta.model, model_version: '1', text_output: text };
  // The vLLM backend sends str(None) until the sequence ends, the prompt's length in every
  // response, and each response's own count of output tokens.
  if (returns.finishReason) o.finish_reason = finishReason ?? 'None';
  if (returns.inputTokens) o.num_input_tokens = counts.promptTokens;
  if (returns.outputTokens) o.num_output_tokens = counts.tokens;
  return o;
}

/**
 * A Triton stream: one `data:` event per token, then one with no text that ends the sequence
 * (its finish reason and counts, when asked), then the server closes the stream: the generate
 * extension has no end marker.
 */
function tritonStream(meta: ResponseMeta, returns: TritonReturns, promptTokens: number): StreamFormat {
  const token = (text: string) => sse(tritonEvent(meta, text, returns, { promptTokens, tokens: 1 }));
  return {
    first: undefined,
    token,
    reasoning: token,
    end: (finishReason) => sse(tritonEvent(meta, '', returns, { promptTokens, tokens: 0 }, finishReason)),
  };
}

export function streamFormat(endpoint: Endpoint, meta: ResponseMeta, includeUsage: boolean, triton?: { returns: TritonReturns; promptTokens: number }): StreamFormat {
  if (endpoint === 'triton') return tritonStream(meta, triton?.returns ?? NO_RETURNS, triton?.promptTokens ?? 0);
  const object = endpoint === 'chat' ? 'chat.completion.chunk' : 'text_completion';
  const base = { id: meta.id, object, created: meta.created, model: meta.model, system_fingerprint: SYSTEM_FINGERPRINT };
  const usageNull = includeUsage ? { usage: null } : {};
  const chunk = (choice: Record<string, unknown>): string =>
    sse({ ...base, choices: [{ index: 0, ...choice, logprobs: null, finish_reason: null }], ...usageNull });
  const MARK = '\u0000TOKEN\u0000';
  const [head, tail] = (
    endpoint === 'chat' ? chunk({ delta: { content: MARK } }) : chunk({ text: MARK })
  ).split(JSON.stringify(MARK));
  const [rHead, rTail] = (
    endpoint === 'chat' ? chunk({ delta: { reasoning_content: MARK } }) : chunk({ text: MARK })
  ).split(JSON.stringify(MARK));
  const finalChoice = endpoint === 'chat' ? { delta: {} } : { text: '' };
  return {
    first: endpoint === 'chat' ? chunk({ delta: { role: 'assistant', content: '', refusal: null } }) : undefined,
    token: (text) => head + JSON.stringify(text) + tail,
    reasoning: (text) => rHead + JSON.stringify(text) + rTail,
    end: (finishReason, usage) =>
      sse({ ...base, choices: [{ index: 0, ...finalChoice, logprobs: null, finish_reason: finishReason }], ...usageNull }) +
      (includeUsage ? sse({ ...base, choices: [], usage }) : '') +
      SSE_DONE,
  };
}
