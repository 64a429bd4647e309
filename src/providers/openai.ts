/**
 * OpenAI-compatible chat and completions (OpenAI, vLLM, SGLang, llama.cpp, TGI's Messages
 * API, Ollama's /v1, LM Studio, DashScope compatible mode, ...).
 * Wire format: https://platform.openai.com/docs/api-reference/chat/streaming
 * Real servers differ from the docs (see the recordings in test/fixtures/wire): llama.cpp sends no role
 * chunk and puts usage in the chunk with finish_reason; mock servers send no usage at all.
 */
import type { z } from 'zod';
import { targetSchemaFor, type TargetBase } from '../spec/target.js';
import { withChunkTemplates } from './chunk-template.js';
import { errorText, jsonErrorMessage } from './errors.js';
import { bearerHeaders, isObject, joinUrl, num } from './shared.js';
import { errorStatus } from './stream-error.js';
import type { BuildContext, Completion, Provider, ProviderRequest, ServerReport, StreamDelta, StreamEvent, Usage } from './types.js';

type Endpoint = 'chat' | 'completions';

const PATHS = { chat: '/chat/completions', completions: '/completions' } as const;

export const openaiChatTarget = targetSchemaFor('openai-chat', 'An OpenAI-compatible /chat/completions endpoint (OpenAI, vLLM, SGLang, llama.cpp, TGI /v1, ...).');
export const openaiCompletionsTarget = targetSchemaFor('openai-completions', 'An OpenAI-compatible /completions endpoint (prompt text, no chat template).');

function build(endpoint: Endpoint, ctx: BuildContext): ProviderRequest {
  const body: Record<string, unknown> = {};
  if (endpoint === 'chat') body.messages = ctx.prompt.messages;
  else body.prompt = ctx.prompt.text;
  Object.assign(body, ctx.cell.body);
  body.stream = ctx.stream;
  if (ctx.stream && ctx.askUsage && ctx.target.stream_usage) {
    body.stream_options = { ...(body.stream_options as object | undefined), include_usage: true };
  }
  return {
    url: joinUrl(ctx.target.base_url, PATHS[endpoint]),
    headers: bearerHeaders(ctx.target),
    body,
  };
}

interface ChunkChoice {
  delta?: { content?: string | null; reasoning_content?: string | null; reasoning?: string | null };
  text?: string | null;
  finish_reason?: string | null;
}

interface Chunk {
  choices?: ChunkChoice[];
  usage?: Usage | null;
  error?: { message?: string } | string;
  timings?: Record<string, unknown>;
}

export function readUsage(u: unknown): Usage | undefined {
  if (!u || typeof u !== 'object') return undefined;
  const o = u as Record<string, unknown>;
  const usage: Usage = {
    prompt_tokens: num(o.prompt_tokens),
    completion_tokens: num(o.completion_tokens),
    total_tokens: num(o.total_tokens),
  };
  return usage.prompt_tokens === undefined && usage.completion_tokens === undefined ? undefined : usage;
}

/**
 * Cached prompt tokens (`usage.prompt_tokens_details.cached_tokens`: OpenAI, vLLM, SGLang,
 * llama.cpp) and llama.cpp's own `timings`: prompt_ms (prefill), predicted_ms (decode),
 * cache_n (cached tokens, also in streams without usage).
 */
export function serverReport(usage: unknown, timings: unknown): ServerReport | undefined {
  const out: ServerReport = {};
  const details = isObject(usage) && isObject(usage.prompt_tokens_details) ? usage.prompt_tokens_details : undefined;
  const t = isObject(timings) ? timings : undefined;
  const prefill = num(t?.prompt_ms);
  const decode = num(t?.predicted_ms);
  const cached = num(details?.cached_tokens) ?? num(t?.cache_n);
  if (prefill !== undefined) out.prefill_ms = prefill;
  if (decode !== undefined) out.decode_ms = decode;
  if (cached !== undefined) out.cached_tokens = cached;
  return Object.keys(out).length > 0 ? out : undefined;
}

function numericTimings(t: Record<string, unknown> | undefined): Record<string, number> | undefined {
  if (!t) return undefined;
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(t)) if (typeof v === 'number') out[k] = v;
  return Object.keys(out).length > 0 ? out : undefined;
}

function decodeChunk(ev: StreamEvent): StreamDelta | undefined {
  const data = ev.data.trim();
  if (data === '[DONE]') return { done: true };
  if (data === '') return undefined;
  const chunk = JSON.parse(data) as Chunk;
  if (ev.event === 'error' || chunk.error) {
    const err = chunk.error ?? chunk;
    return { error: errorText(err), errorStatus: errorStatus(isObject(err) ? err : chunk) };
  }
  const choice = chunk.choices?.[0];
  const delta: StreamDelta = {};
  if (choice) {
    const text = choice.delta?.content ?? choice.text;
    if (text) delta.text = text;
    const reasoning = choice.delta?.reasoning_content ?? choice.delta?.reasoning;
    if (reasoning) delta.reasoning = reasoning;
    if (choice.finish_reason) delta.finishReason = choice.finish_reason;
  }
  const usage = readUsage(chunk.usage);
  if (usage) delta.usage = usage;
  const timings = numericTimings(chunk.timings);
  if (timings) delta.serverTimings = timings;
  const server = serverReport(chunk.usage, chunk.timings);
  if (server) delta.server = server;
  return delta;
}

function parseResponse(body: unknown): Completion {
  const b = body as Chunk & { choices?: { message?: { content?: string | null; reasoning_content?: string | null }; text?: string; finish_reason?: string }[] };
  if (!b || typeof b !== 'object' || !Array.isArray(b.choices)) {
    throw new Error('response has no choices');
  }
  const c = b.choices[0] ?? {};
  return {
    text: c.message?.content ?? c.text ?? '',
    reasoning: c.message?.reasoning_content ?? undefined,
    usage: readUsage(b.usage),
    finishReason: c.finish_reason ?? undefined,
    serverTimings: numericTimings(b.timings),
    server: serverReport(b.usage, b.timings),
  };
}

function family<K extends string, T extends TargetBase>(kind: K, endpoint: Endpoint, target: z.ZodType<T>): Provider<K, T> {
  return {
    kind,
    target,
    baseUrl: 'v1',
    paths: [PATHS[endpoint]],
    maxTokens: ['max_tokens', 'max_completion_tokens'],
    simulator: true,
    framing: 'sse',
    units: { max_tokens: 'tokens', max_completion_tokens: 'tokens', top_k: 'tokens' },
    build: (ctx) => build(endpoint, ctx),
    // One per stream: its token chunks are read by template after the first (chunk-template.ts).
    streamDecoder: () => withChunkTemplates(decodeChunk),
    parseResponse,
    errorMessage: jsonErrorMessage,
    rejectsUsageOption: (status, bodyText) =>
      (status === 400 || status === 422) && /stream_options|include_usage/i.test(bodyText),
  };
}

/** The chat request, for providers that speak OpenAI chat with another URL (azure-openai). */
export const buildChat = (ctx: BuildContext): ProviderRequest => build('chat', ctx);

export const openaiChat = family('openai-chat', 'chat', openaiChatTarget);
export const openaiCompletions = family('openai-completions', 'completions', openaiCompletionsTarget);
