/**
 * Ollama, native API: POST {base}/api/chat (messages) or {base}/api/generate (prompt text),
 * streamed as NDJSON (one JSON object per line, not SSE). Sampling settings go in `options`
 * (max_tokens becomes num_predict). The final object has `done: true`, `done_reason`, the
 * token counts (prompt_eval_count, eval_count) and the server's own timings in nanoseconds
 * (total_duration, load_duration, prompt_eval_duration, eval_duration), which we keep in ms
 * as server timings beside our client-side measurements.
 * Wire format: https://github.com/ollama/ollama/blob/main/docs/api.md
 * Options: https://github.com/ollama/ollama/blob/main/docs/modelfile.md#valid-parameters-and-values
 */
import { z } from 'zod';
import { targetSchemaFor } from '../spec/target.js';
import { errorText, jsonErrorMessage } from './errors.js';
import {
  applyParams,
  bearerHeaders,
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

const ollamaSchema = z
  .strictObject({
    api: z
      .enum(['chat', 'generate'])
      .default('chat')
      .describe('Native endpoint: /api/chat (messages) or /api/generate (prompt text).'),
  })
  .describe('ollama: which native endpoint to call.');

export const ollamaTarget = targetSchemaFor('ollama', "Ollama's native API ({base}/api/chat or {base}/api/generate, NDJSON streams).", {
  ollama: ollamaSchema.optional(),
});
type OllamaTarget = z.output<typeof ollamaTarget>;

/** Top-level request fields both endpoints accept. */
const TOP = ['model', 'format', 'keep_alive', 'think'];
/** Top-level fields of /api/generate only. */
const GENERATE_ONLY = ['system', 'template', 'raw', 'suffix', 'images', 'context'];

/** Keys of `options` (the Modelfile parameters), sent under options.*. */
export const OLLAMA_OPTIONS = [
  'num_keep',
  'seed',
  'num_predict',
  'top_k',
  'top_p',
  'min_p',
  'typical_p',
  'repeat_last_n',
  'temperature',
  'repeat_penalty',
  'presence_penalty',
  'frequency_penalty',
  'mirostat',
  'mirostat_tau',
  'mirostat_eta',
  'penalize_newline',
  'stop',
  'numa',
  'num_ctx',
  'num_batch',
  'num_gpu',
  'main_gpu',
  'low_vram',
  'vocab_only',
  'use_mmap',
  'use_mlock',
  'num_thread',
] as const;

const COMMON: ParamTable = {
  ...same('', TOP),
  ...same('options', OLLAMA_OPTIONS),
  max_tokens: { to: 'options.num_predict' },
  max_completion_tokens: { to: 'options.num_predict' },
  repetition_penalty: { to: 'options.repeat_penalty' },
  stop: { to: 'options.stop', convert: stopList, note: 'a lone string becomes a list' },
  options: { to: 'options', note: 'a whole options object, merged' },
};

export const OLLAMA_CHAT_PARAMS: ParamTable = { ...COMMON, ...same('', ['tools']) };
export const OLLAMA_GENERATE_PARAMS: ParamTable = { ...COMMON, ...same('', GENERATE_ONLY) };

const REASONS: Record<string, string> = {
  system: 'on /api/chat, put a system message in the prompts (or set target.ollama.api: generate)',
  n: 'Ollama returns one answer per request',
};

function apiOf(target: OllamaTarget): 'chat' | 'generate' {
  return target.ollama?.api ?? 'chat';
}

function build(ctx: BuildContext<OllamaTarget>): ProviderRequest {
  const api = apiOf(ctx.target);
  const body: Record<string, unknown> = {};
  if (api === 'chat') {
    body.messages = ctx.prompt.messages;
  } else {
    const { system, rest } = splitSystem(ctx.prompt.messages);
    if (system !== undefined) body.system = system;
    body.prompt = rest.map((m) => contentText(m.content)).join('\n');
  }
  applyParams(body, ctx.cell.body, api === 'chat' ? OLLAMA_CHAT_PARAMS : OLLAMA_GENERATE_PARAMS, 'options');
  body.stream = ctx.stream;
  // Ollama itself has no auth; proxies in front of it usually take a Bearer token.
  return { url: joinUrl(ctx.target.base_url, `/api/${api}`), headers: bearerHeaders(ctx.target), body };
}

const NS_PER_MS = 1e6;

/** The durations (ns) as the server's report, ms: load (before the prompt), prompt eval, eval, total. */
const REPORT: ReadonlyArray<[string, keyof ServerReport]> = [
  ['load_duration', 'queue_ms'],
  ['prompt_eval_duration', 'prefill_ms'],
  ['eval_duration', 'decode_ms'],
  ['total_duration', 'total_ms'],
];

/** The final object's counters: token counts as usage, durations (ns) as ms server timings. */
function finalStats(o: Record<string, unknown>): Pick<StreamDelta, 'usage' | 'serverTimings' | 'server'> {
  const out: Pick<StreamDelta, 'usage' | 'serverTimings' | 'server'> = {};
  const usage: Usage = {};
  const prompt = num(o.prompt_eval_count);
  const completion = num(o.eval_count);
  if (prompt !== undefined) usage.prompt_tokens = prompt;
  if (completion !== undefined) usage.completion_tokens = completion;
  if (Object.keys(usage).length > 0) out.usage = usage;
  const timings: Record<string, number> = {};
  for (const k of ['total_duration', 'load_duration', 'prompt_eval_duration', 'eval_duration']) {
    const ns = num(o[k]);
    if (ns !== undefined) timings[`${k}_ms`] = ns / NS_PER_MS;
  }
  // The rates Ollama's own docs tell users to compute (eval_count / eval_duration * 1e9).
  const evalNs = num(o.eval_duration);
  if (completion !== undefined && evalNs) timings.eval_tokens_per_s = (completion * 1e9) / evalNs;
  const promptNs = num(o.prompt_eval_duration);
  if (prompt !== undefined && promptNs) timings.prompt_eval_tokens_per_s = (prompt * 1e9) / promptNs;
  if (Object.keys(timings).length > 0) out.serverTimings = timings;
  const server: ServerReport = {};
  for (const [field, key] of REPORT) {
    const ns = num(o[field]);
    if (ns !== undefined) server[key] = ns / NS_PER_MS;
  }
  if (Object.keys(server).length > 0) out.server = server;
  return out;
}

/** Text of one object of either endpoint: message.content (chat) or response (generate). */
function texts(o: Record<string, unknown>): { text?: string; reasoning?: string } {
  const m = isObject(o.message) ? o.message : undefined;
  const text = m ? m.content : o.response;
  const reasoning = m ? m.thinking : o.thinking;
  let toolText: string | undefined;
  if (m && Array.isArray(m.tool_calls) && m.tool_calls.length > 0) toolText = JSON.stringify(m.tool_calls);
  return {
    text: (typeof text === 'string' && text ? text : '') + (toolText ?? '') || undefined,
    reasoning: typeof reasoning === 'string' && reasoning ? reasoning : undefined,
  };
}

function decodeLine(ev: StreamEvent): StreamDelta | undefined {
  const o = parseEvent(ev.data);
  if (!o) return undefined;
  if (o.error !== undefined && o.error !== null) return { error: errorText(o.error), errorStatus: errorStatus(o.error) };
  const delta: StreamDelta = {};
  const { text, reasoning } = texts(o);
  if (text) delta.text = text;
  if (reasoning) delta.reasoning = reasoning;
  if (o.done === true) {
    delta.done = true;
    if (typeof o.done_reason === 'string' && o.done_reason) delta.finishReason = o.done_reason;
    Object.assign(delta, finalStats(o));
  }
  return delta;
}

function parseResponse(body: unknown): Completion {
  if (!isObject(body) || (!('message' in body) && !('response' in body))) {
    throw new Error('response has neither message nor response');
  }
  const { text, reasoning } = texts(body);
  return {
    text: text ?? '',
    reasoning,
    finishReason: typeof body.done_reason === 'string' ? body.done_reason : undefined,
    ...finalStats(body),
  };
}

export const ollama: Provider<'ollama', OllamaTarget> = {
  kind: 'ollama',
  target: ollamaTarget,
  baseUrl: 'root',
  paths: ['/api/chat', '/api/generate'],
  maxTokens: ['max_tokens', 'max_completion_tokens', 'num_predict', 'options.num_predict'],
  framing: 'ndjson',
  units: { max_tokens: 'tokens', max_completion_tokens: 'tokens', num_predict: 'tokens', num_ctx: 'tokens', top_k: 'tokens' },
  build,
  streamDecoder: () => decodeLine,
  parseResponse,
  errorMessage: jsonErrorMessage,
  checkParams: (keys, target) => [
    ...checkAgainstTable(
      'ollama',
      keys,
      apiOf(target) === 'chat' ? OLLAMA_CHAT_PARAMS : OLLAMA_GENERATE_PARAMS,
      apiOf(target) === 'chat' ? REASONS : { n: REASONS.n },
    ),
    ...requireKey('ollama', keys, 'model', 'Ollama requires it (e.g. llama3.2)'),
  ],
};
