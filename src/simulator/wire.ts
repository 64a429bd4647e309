/**
 * The OpenAI wire format the simulator answers in: error bodies, non-streaming responses and
 * SSE chunks for chat.completions and (legacy) completions. Streamed token chunks are built
 * from a precomputed head and tail so the per-token work is one string concatenation.
 */
import type { FinishReason } from './text.js';

export type Endpoint = 'chat' | 'completions';

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
  return `${endpoint === 'chat' ? 'chatcmpl' : 'cmpl'}-sim${serial}`;
}

/** The non-streaming response body. */
export function completionBody(
  endpoint: Endpoint,
  meta: ResponseMeta,
  text: string,
  finishReason: FinishReason,
  usage: Usage,
  reasoning = '',
): unknown {
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
export function streamFormat(endpoint: Endpoint, meta: ResponseMeta, includeUsage: boolean): StreamFormat {
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
