/**
 * Hugging Face Text Generation Inference, native API: POST {base}/generate and
 * {base}/generate_stream with `{inputs, parameters}`. The prompt text goes as is (TGI's
 * native routes apply no chat template; for chat, use openai-chat against TGI's Messages
 * API at {base}/v1). We always ask for `details`, which carries the finish reason, the
 * generated token count and (TGI 2.x+) the input length.
 * Stream events: `data:{"index":1,"token":{"id":..,"text":" Deep","logprob":..,"special":false},
 * "generated_text":null,"details":null}`; the last one has generated_text and details.
 * Wire format: https://huggingface.co/docs/text-generation-inference/conceptual/streaming
 * Request schema: https://huggingface.github.io/text-generation-inference/ (GenerateParameters)
 */
import type { z } from 'zod';
import { targetSchemaFor } from '../spec/target.js';
import { errorText, jsonErrorMessage } from './errors.js';
import {
  applyParams,
  bearerHeaders,
  checkAgainstTable,
  isObject,
  joinUrl,
  num,
  parseEvent,
  same,
  stopList,
  type ParamTable,
} from './shared.js';
import { errorStatus } from './stream-error.js';
import type { BuildContext, Completion, Provider, ProviderRequest, ResponseHeaders, ServerReport, StreamDelta, StreamEvent, Usage } from './types.js';

/** TGI's error_type values, by the HTTP status TGI answers them with when not streaming. */
const ERROR_TYPES: Readonly<Record<string, number>> = {
  overloaded: 429,
  validation: 422,
  generation: 424,
  incomplete_generation: 500,
};

/**
 * TGI's timing headers (ms), sent with /generate answers only: a stream's headers go out
 * before there is anything to time. x-inference-time is prefill and decode together (TGI
 * does not split them), so it is kept as a raw timing, not as either.
 */
function headerReport(h: ResponseHeaders | undefined): { server?: ServerReport; serverTimings?: Record<string, number> } {
  if (!h) return {};
  const ms = (name: string) => {
    const v = h[name];
    const n = v === undefined || v.trim() === '' ? NaN : Number(v);
    return Number.isFinite(n) ? n : undefined;
  };
  const server: ServerReport = {};
  const queue = ms('x-queue-time');
  const total = ms('x-total-time');
  if (queue !== undefined) server.queue_ms = queue;
  if (total !== undefined) server.total_ms = total;
  const raw: Record<string, number> = {};
  for (const name of ['x-validation-time', 'x-queue-time', 'x-inference-time', 'x-time-per-token', 'x-total-time']) {
    const v = ms(name);
    if (v !== undefined) raw[`${name.slice(2).replace(/-/g, '_')}_ms`] = v;
  }
  return {
    server: Object.keys(server).length > 0 ? server : undefined,
    serverTimings: Object.keys(raw).length > 0 ? raw : undefined,
  };
}

export const tgiTarget = targetSchemaFor('tgi', "Hugging Face TGI's native API ({base}/generate, {base}/generate_stream).");

export const TGI_PARAMS: ParamTable = {
  max_tokens: { to: 'parameters.max_new_tokens' },
  max_completion_tokens: { to: 'parameters.max_new_tokens' },
  temperature: {
    to: 'parameters.temperature',
    // TGI rejects temperature 0 ("must be strictly positive"); greedy decoding is do_sample false.
    apply: (v, body) => {
      const p = (isObject(body.parameters) ? body.parameters : (body.parameters = {})) as Record<string, unknown>;
      if (v === 0) p.do_sample = false;
      else p.temperature = v;
    },
    note: '0 becomes do_sample: false (TGI rejects temperature 0)',
  },
  stop: { to: 'parameters.stop', convert: stopList, note: 'a lone string becomes a list' },
  ...same('parameters', [
    'max_new_tokens',
    'top_p',
    'top_k',
    'typical_p',
    'seed',
    'repetition_penalty',
    'frequency_penalty',
    'do_sample',
    'truncate',
    'watermark',
    'best_of',
    'return_full_text',
    'decoder_input_details',
    'top_n_tokens',
    'grammar',
    'adapter_id',
  ]),
};

const REASONS: Record<string, string> = {
  model: 'a TGI server serves one model and /generate has no model field; drop it, or use openai-chat with base_url {base}/v1',
  presence_penalty: 'TGI has frequency_penalty and repetition_penalty, but no presence_penalty',
  details: 'llm-sweep always sends details: true (it carries the finish reason and token counts)',
  n: 'TGI returns one sequence per request; best_of picks the best of several',
};

function build(ctx: BuildContext): ProviderRequest {
  const body: Record<string, unknown> = { inputs: ctx.prompt.text, parameters: {} };
  applyParams(body, ctx.cell.body, TGI_PARAMS, 'parameters');
  (body.parameters as Record<string, unknown>).details = true;
  return {
    url: joinUrl(ctx.target.base_url, ctx.stream ? '/generate_stream' : '/generate'),
    // Inference Endpoints and most gateways in front of TGI take a Bearer token.
    headers: bearerHeaders(ctx.target),
    body,
  };
}

function readDetails(d: unknown): { usage?: Usage; finishReason?: string } {
  if (!isObject(d)) return {};
  const usage: Usage = {};
  const generated = num(d.generated_tokens);
  if (generated !== undefined) usage.completion_tokens = generated;
  // input_length in stream details (TGI 2.x+); the prefill list only with decoder_input_details.
  const input = num(d.input_length) ?? (Array.isArray(d.prefill) && d.prefill.length > 0 ? d.prefill.length : undefined);
  if (input !== undefined) usage.prompt_tokens = input;
  return {
    usage: Object.keys(usage).length > 0 ? usage : undefined,
    finishReason: typeof d.finish_reason === 'string' ? d.finish_reason : undefined,
  };
}

function decodeEvent(ev: StreamEvent): StreamDelta | undefined {
  const o = parseEvent(ev.data);
  if (!o) return undefined;
  if (o.error !== undefined && o.error !== null) return { error: errorText(o.error), errorStatus: errorStatus(o, ERROR_TYPES) };
  const delta: StreamDelta = {};
  const token = isObject(o.token) ? o.token : {};
  // Special tokens (</s>, <|eot_id|>) are not text; TGI leaves them out of generated_text too.
  if (token.special !== true && typeof token.text === 'string' && token.text) delta.text = token.text;
  const { usage, finishReason } = readDetails(o.details);
  if (usage) delta.usage = usage;
  if (finishReason) delta.finishReason = finishReason;
  if (typeof o.generated_text === 'string') delta.done = true;
  return delta;
}

function parseResponse(body: unknown, headers?: ResponseHeaders): Completion {
  // The compat route (POST /) answers with a list of one.
  const b = Array.isArray(body) ? body[0] : body;
  if (!isObject(b) || typeof b.generated_text !== 'string') throw new Error('response has no generated_text');
  const details = readDetails(b.details);
  // The prompt length is in details only with decoder_input_details; TGI also sends it as a header.
  const promptHeader = /^\d+$/.test(headers?.['x-prompt-tokens'] ?? '') ? Number(headers?.['x-prompt-tokens']) : undefined;
  if (details.usage?.prompt_tokens === undefined && promptHeader !== undefined) {
    details.usage = { ...details.usage, prompt_tokens: promptHeader };
  }
  return { text: b.generated_text, ...details, ...headerReport(headers) };
}

export const tgi: Provider<'tgi', z.output<typeof tgiTarget>> = {
  kind: 'tgi',
  target: tgiTarget,
  baseUrl: 'root',
  paths: ['/generate', '/generate_stream'],
  maxTokens: ['max_tokens', 'max_completion_tokens', 'max_new_tokens'],
  framing: 'sse',
  units: { max_tokens: 'tokens', max_completion_tokens: 'tokens', max_new_tokens: 'tokens', top_k: 'tokens' },
  build,
  streamDecoder: () => decodeEvent,
  parseResponse,
  errorMessage: jsonErrorMessage,
  checkParams: (keys) => checkAgainstTable('tgi', keys, TGI_PARAMS, REASONS),
};
