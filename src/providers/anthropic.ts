/**
 * Anthropic Messages API: POST {base}/v1/messages with `x-api-key` and `anthropic-version`.
 * Streams are SSE with named events (message_start, content_block_start,
 * content_block_delta with text_delta / thinking_delta / input_json_delta,
 * content_block_stop, message_delta with the stop reason and usage, message_stop, ping,
 * error). Input tokens come with message_start, output tokens with message_delta.
 * Wire format: https://docs.anthropic.com/en/docs/build-with-claude/streaming
 * Request: https://docs.anthropic.com/en/api/messages
 */
import { z } from 'zod';
import { targetSchemaFor } from '../spec/target.js';
import { errorText, jsonErrorMessage } from './errors.js';
import {
  applyParams,
  checkAgainstTable,
  contentText,
  isObject,
  joinUrl,
  num,
  parseEvent,
  requireKey,
  same,
  splitSystem,
  stopList,
  type ParamTable,
} from './shared.js';
import { errorStatus } from './stream-error.js';
import type { BuildContext, Completion, Provider, ProviderRequest, ServerReport, StreamDelta, StreamEvent, Usage } from './types.js';

export const ANTHROPIC_VERSION = '2023-06-01';

export const anthropicTarget = targetSchemaFor('anthropic', 'The Anthropic Messages API ({base}/v1/messages).', {
  anthropic_version: z.string().optional().describe(`anthropic: the anthropic-version header (default ${ANTHROPIC_VERSION}).`),
});
type AnthropicTarget = z.output<typeof anthropicTarget>;

export const ANTHROPIC_PARAMS: ParamTable = {
  ...same('', ['model', 'max_tokens', 'temperature', 'top_p', 'top_k', 'stop_sequences', 'system']),
  ...same('', ['metadata', 'thinking', 'tools', 'tool_choice', 'service_tier']),
  max_completion_tokens: { to: 'max_tokens' },
  stop: { to: 'stop_sequences', convert: stopList, note: 'a lone string becomes a list' },
  user: { to: 'metadata.user_id' },
};

const REASONS: Record<string, string> = {
  seed: 'the Messages API has no seed (sampling is not reproducible)',
  presence_penalty: 'the Messages API has no penalties',
  frequency_penalty: 'the Messages API has no penalties',
  n: 'the Messages API returns one message per request',
  response_format: 'the Messages API has no response_format; use tools or a prompt',
};

function build(ctx: BuildContext<AnthropicTarget>): ProviderRequest {
  const { system, rest } = splitSystem(ctx.prompt.messages);
  const body: Record<string, unknown> = {};
  if (system !== undefined) body.system = system;
  body.messages = rest;
  // A system param in the spec overrides system messages in the prompts.
  applyParams(body, ctx.cell.body, ANTHROPIC_PARAMS);
  body.stream = ctx.stream;
  const headers: Record<string, string> = { 'anthropic-version': ctx.target.anthropic_version ?? ANTHROPIC_VERSION };
  if (ctx.target.api_key) headers['x-api-key'] = ctx.target.api_key;
  return { url: joinUrl(ctx.target.base_url, '/v1/messages'), headers: { ...headers, ...ctx.target.headers }, body };
}

/** Prompt tokens include tokens written to and read from the prompt cache, as OpenAI's do. */
function readUsage(u: unknown): Usage | undefined {
  if (!isObject(u)) return undefined;
  const input = num(u.input_tokens);
  const cached = (num(u.cache_creation_input_tokens) ?? 0) + (num(u.cache_read_input_tokens) ?? 0);
  const usage: Usage = {};
  if (input !== undefined) usage.prompt_tokens = input + cached;
  const output = num(u.output_tokens);
  if (output !== undefined) usage.completion_tokens = output;
  return Object.keys(usage).length > 0 ? usage : undefined;
}

/** Tokens read from the prompt cache (`cache_read_input_tokens`). */
function cacheReport(u: unknown): ServerReport | undefined {
  const cached = isObject(u) ? num(u.cache_read_input_tokens) : undefined;
  return cached !== undefined ? { cached_tokens: cached } : undefined;
}

function decodeEvent(ev: StreamEvent): StreamDelta | undefined {
  const o = parseEvent(ev.data);
  if (!o) return undefined;
  const type = typeof o.type === 'string' ? o.type : ev.event;
  switch (type) {
    case 'message_start': {
      // Only the input count: output_tokens here is a placeholder (1) until message_delta.
      const raw = isObject(o.message) ? o.message.usage : undefined;
      const usage = readUsage(raw);
      const delta: StreamDelta = usage?.prompt_tokens !== undefined ? { usage: { prompt_tokens: usage.prompt_tokens } } : {};
      const server = cacheReport(raw);
      if (server) delta.server = server;
      return delta;
    }
    case 'content_block_start': {
      const block = isObject(o.content_block) ? o.content_block : {};
      if (block.type === 'text' && typeof block.text === 'string' && block.text) return { text: block.text };
      if (block.type === 'thinking' && typeof block.thinking === 'string' && block.thinking) return { reasoning: block.thinking };
      return {};
    }
    case 'content_block_delta': {
      const d = isObject(o.delta) ? o.delta : {};
      if (d.type === 'text_delta' && typeof d.text === 'string') return { text: d.text };
      if (d.type === 'thinking_delta' && typeof d.thinking === 'string') return { reasoning: d.thinking };
      // Tool arguments are generated output too.
      if (d.type === 'input_json_delta' && typeof d.partial_json === 'string') return { text: d.partial_json };
      return {};
    }
    case 'message_delta': {
      const delta: StreamDelta = {};
      const usage = readUsage(o.usage);
      if (usage) delta.usage = usage;
      const server = cacheReport(o.usage);
      if (server) delta.server = server;
      const d = isObject(o.delta) ? o.delta : {};
      if (typeof d.stop_reason === 'string' && d.stop_reason) delta.finishReason = d.stop_reason;
      return delta;
    }
    case 'message_stop':
      return { done: true };
    case 'error':
      return { error: errorText(o.error ?? o), errorStatus: errorStatus(isObject(o.error) ? o.error : o) };
    default:
      // ping, content_block_stop, and event types added later.
      return undefined;
  }
}

function parseResponse(body: unknown): Completion {
  if (!isObject(body) || !Array.isArray(body.content)) throw new Error('response has no content');
  let text = '';
  let reasoning = '';
  for (const block of body.content as unknown[]) {
    if (!isObject(block)) continue;
    if (block.type === 'text') text += contentText(block.text);
    else if (block.type === 'thinking') reasoning += contentText(block.thinking);
    else if (block.type === 'tool_use') text += JSON.stringify(block.input ?? {});
  }
  return {
    text,
    reasoning: reasoning || undefined,
    usage: readUsage(body.usage),
    finishReason: typeof body.stop_reason === 'string' ? body.stop_reason : undefined,
    server: cacheReport(body.usage),
  };
}

export const anthropic: Provider<'anthropic', AnthropicTarget> = {
  kind: 'anthropic',
  target: anthropicTarget,
  baseUrl: 'root',
  paths: ['/messages'],
  maxTokens: ['max_tokens', 'max_completion_tokens'],
  framing: 'sse',
  units: { max_tokens: 'tokens', max_completion_tokens: 'tokens', top_k: 'tokens' },
  build,
  streamDecoder: () => decodeEvent,
  parseResponse,
  errorMessage: jsonErrorMessage,
  checkParams: (keys) => [
    ...checkAgainstTable('anthropic', keys, ANTHROPIC_PARAMS, REASONS),
    ...requireKey('anthropic', keys, 'model', 'the Messages API requires it'),
    ...(keys.includes('max_completion_tokens')
      ? []
      : requireKey('anthropic', keys, 'max_tokens', 'the Messages API requires it')),
  ],
};
