/**
 * Reading a completion request the way OpenAI's API does: the same 400 errors (shape,
 * message style, `param`, `code`) for bad JSON, missing fields and wrong types, and a
 * normalized request for the rest of the simulator. Unknown fields (top_p, presence_penalty,
 * ...) are accepted and ignored, so any parameter can be swept.
 */
import { isObject } from '../json.js';
import { countPromptTokens, MAX_OUTPUT_TOKENS } from './text.js';
import { errorBody, type Endpoint, type OpenAIEndpoint, type OpenAIErrorBody, type TritonReturns } from './wire.js';

/** max_tokens when the request gives none. */
export const DEFAULT_MAX_TOKENS = 256;

const ROLES = ['system', 'developer', 'user', 'assistant', 'tool', 'function'] as const;

export interface SimRequest {
  endpoint: Endpoint;
  /** Triton: the extra outputs asked for. */
  returns?: TritonReturns;
  model: string;
  /** All prompt text (message contents joined by newlines); seeds the output text. */
  prompt: string;
  /** The prompt's pieces in order: each message content or text part, or the one prompt string. */
  texts: string[];
  /** A completions prompt given as token ids. */
  promptIds?: number[];
  /**
   * Prompt tokens: with a tokenizer, the sum of each text's tokens (each message content on
   * its own, as a chat template tokenizes them); without, ceil(code points / 4) of all prompt
   * text counted end to end (see countPromptTokens).
   */
  promptTokens: number;
  /** max_completion_tokens ?? max_tokens ?? DEFAULT_MAX_TOKENS. */
  maxTokens: number;
  /** Default 1, as in OpenAI. */
  temperature: number;
  seed: number | undefined;
  stop: string[];
  stream: boolean;
  includeUsage: boolean;
  /** vLLM/SGLang/llama.cpp `ignore_eos`: the model never stops by itself, only at max_tokens or a stop string. */
  ignoreEos: boolean;
  /** vLLM/SGLang `min_tokens`: no early stop and no stop string before this many tokens; 0 when absent. */
  minTokens: number;
}

/** Counts the tokens of one prompt text; undefined = ceil(code points / 4) of all of it, end to end. */
export type CountTokens = (text: string) => number;

export class RequestError extends Error {
  constructor(
    readonly status: number,
    readonly body: OpenAIErrorBody,
  ) {
    super(body.error.message);
  }
}

function invalid(message: string, param: string | null, code: string | null): RequestError {
  return new RequestError(400, errorBody(message, 'invalid_request_error', param, code));
}

export const BAD_JSON_MESSAGE =
  'We could not parse the JSON body of your request. (HINT: This likely means you aren\'t using your HTTP library correctly. ' +
  'The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)';

/** Parses and validates a body; throws RequestError (status 400) like OpenAI would. */
export function parseRequest(endpoint: OpenAIEndpoint, raw: string, countTokens?: CountTokens): SimRequest {
  return readBody(endpoint, parseBody(raw), countTokens);
}

function parseBody(raw: string): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw invalid(BAD_JSON_MESSAGE, null, null);
  }
  if (!isObject(body)) throw invalid(`Invalid type for body: expected an object, but got ${typeName(body)} instead.`, null, 'invalid_type');
  return body;
}

/** Where a Triton generate request went: the model in its URL, and /generate or /generate_stream. */
export interface TritonRoute {
  model: string;
  stream: boolean;
}

/**
 * A Triton generate request (`{"text_input": ..., "parameters": {...}}`, parameters also as
 * top-level inputs, as TensorRT-LLM ensembles take them) read as the completions request it
 * asks for: the prompt is `text_input`, the length `max_tokens` (or `max_new_tokens`), the
 * route says whether it streams. Other sampling fields are read as on /v1/completions.
 */
export function parseTritonRequest(raw: string, route: TritonRoute, countTokens?: CountTokens): SimRequest {
  const { text_input: text, parameters, ...inputs } = parseBody(raw);
  if (text === undefined) throw invalid("Missing required input 'text_input'.", 'text_input', null);
  if (typeof text !== 'string') throw wrongType('text_input', 'a string', text);
  if (parameters !== undefined && !isObject(parameters)) throw wrongType('parameters', 'an object', parameters);
  const fields: Record<string, unknown> = { ...inputs, ...parameters };
  const flag = (k: string) => fields[k] === true;
  const returns: TritonReturns = { finishReason: flag('return_finish_reason'), inputTokens: flag('return_num_input_tokens'), outputTokens: flag('return_num_output_tokens') };
  const completion: Record<string, unknown> = { model: route.model, prompt: text, stream: route.stream };
  for (const k of ['max_tokens', 'temperature', 'seed', 'stop', 'ignore_eos', 'min_tokens']) if (fields[k] !== undefined) completion[k] = fields[k];
  if (completion.max_tokens === undefined && fields.max_new_tokens !== undefined) completion.max_tokens = fields.max_new_tokens;
  return { ...readBody('completions', completion, countTokens), endpoint: 'triton', returns };
}

function readBody(endpoint: OpenAIEndpoint, body: Record<string, unknown>, countTokens?: CountTokens): SimRequest {
  const model = required(body, 'model');
  if (typeof model !== 'string') throw wrongType('model', 'a string', model);

  let prompt: string;
  let promptTokens: number;
  let texts: string[];
  let promptIds: number[] | undefined;
  if (endpoint === 'chat') {
    texts = readMessages(required(body, 'messages'));
    prompt = texts.join('\n');
    promptTokens = countTokens ? texts.reduce((n, t) => n + countTokens(t), 0) : countPromptTokens(texts.join(''));
  } else {
    ({ prompt, promptTokens, promptIds } = readPrompt(required(body, 'prompt'), countTokens ?? countPromptTokens));
    texts = promptIds ? [] : [prompt];
  }

  const maxCompletion = optionalInt(body, 'max_completion_tokens', 1);
  const maxTokens = maxCompletion ?? optionalInt(body, 'max_tokens', 1) ?? DEFAULT_MAX_TOKENS;
  if (maxTokens > MAX_OUTPUT_TOKENS) {
    throw invalid(
      `max_tokens is too large: ${maxTokens}. This model supports at most ${MAX_OUTPUT_TOKENS} completion tokens.`,
      maxCompletion !== undefined ? 'max_completion_tokens' : 'max_tokens',
      'invalid_value',
    );
  }
  const temperature = optionalNumber(body, 'temperature', 0, 2) ?? 1;
  const seed = optionalInt(body, 'seed', Number.MIN_SAFE_INTEGER);
  const n = optionalInt(body, 'n', 1);
  if (n !== undefined && n !== 1) throw invalid(`Invalid 'n': the simulator returns one choice; got ${n}.`, 'n', 'invalid_value');
  const stop = readStop(body.stop);
  const ignoreEos = optionalBoolean(body, 'ignore_eos') ?? false;
  const minTokens = optionalInt(body, 'min_tokens', 0) ?? 0;
  const stream = optionalBoolean(body, 'stream') ?? false;
  let includeUsage = false;
  const options = body.stream_options;
  if (options !== undefined && options !== null) {
    if (!stream) {
      throw invalid("The 'stream_options' parameter is only allowed when 'stream' is enabled.", 'stream_options', 'invalid_value');
    }
    if (!isObject(options)) throw wrongType('stream_options', 'an object', options);
    includeUsage = optionalBoolean(options, 'include_usage', 'stream_options.include_usage') ?? false;
  }
  return { endpoint, model, prompt, texts, promptIds, promptTokens, maxTokens, temperature, seed, stop, stream, includeUsage, ignoreEos, minTokens };
}

function readMessages(messages: unknown): string[] {
  if (!Array.isArray(messages)) throw wrongType('messages', 'an array', messages);
  if (messages.length === 0) {
    throw invalid("Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", 'messages', 'empty_array');
  }
  const texts: string[] = [];
  messages.forEach((m: unknown, i) => {
    const at = `messages[${i}]`;
    if (!isObject(m)) throw wrongType(at, 'an object', m);
    const role = required(m, 'role', `${at}.role`);
    if (typeof role !== 'string') throw wrongType(`${at}.role`, 'a string', role);
    if (!(ROLES as readonly string[]).includes(role)) {
      throw invalid(
        `Invalid value: '${role}'. Supported values are: ${ROLES.map((r) => `'${r}'`).join(', ')}.`,
        `${at}.role`,
        'invalid_value',
      );
    }
    const content = m.content;
    if (typeof content === 'string') texts.push(content);
    else if (Array.isArray(content)) {
      content.forEach((part: unknown, j) => {
        if (!isObject(part)) throw wrongType(`${at}.content[${j}]`, 'an object', part);
        if (typeof part.text === 'string') texts.push(part.text);
      });
    } else if (content !== null && content !== undefined) {
      throw wrongType(`${at}.content`, 'one of a string or array of objects', content);
    } else if (role !== 'assistant') {
      throw invalid(`Missing required parameter: '${at}.content'.`, `${at}.content`, 'missing_required_parameter');
    }
  });
  return texts;
}

function readPrompt(prompt: unknown, countTokens: CountTokens): { prompt: string; promptTokens: number; promptIds?: number[] } {
  let one = prompt;
  if (Array.isArray(prompt) && (prompt.length === 0 || typeof prompt[0] !== 'number')) {
    if (prompt.length !== 1) {
      throw invalid(`Invalid 'prompt': the simulator takes one prompt per request; got ${prompt.length}.`, 'prompt', 'invalid_value');
    }
    one = prompt[0];
  }
  if (typeof one === 'string') return { prompt: one, promptTokens: countTokens(one) };
  if (Array.isArray(one) && one.every((t) => Number.isInteger(t))) return { prompt: one.join(' '), promptTokens: one.length, promptIds: one as number[] };
  throw wrongType('prompt', 'one of a string, array of strings, or array of integers', prompt);
}

function readStop(stop: unknown): string[] {
  if (stop === undefined || stop === null) return [];
  if (typeof stop === 'string') return [stop];
  if (Array.isArray(stop) && stop.every((s) => typeof s === 'string')) {
    if (stop.length > 4) {
      throw invalid(`Invalid 'stop': array too long. Expected an array with maximum length 4, but got an array with length ${stop.length} instead.`, 'stop', 'array_above_max_length');
    }
    return stop;
  }
  throw wrongType('stop', 'one of a string or array of strings', stop);
}

function required(obj: Record<string, unknown>, key: string, param = key): unknown {
  const v = obj[key];
  if (v === undefined || v === null) throw invalid(`Missing required parameter: '${param}'.`, param, 'missing_required_parameter');
  return v;
}

function optionalInt(obj: Record<string, unknown>, key: string, min: number): number | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw wrongType(key, 'an integer', v);
  if (v < min) throw invalid(`Invalid '${key}': integer below minimum value. Expected a value >= ${min}, but got ${v} instead.`, key, 'integer_below_min_value');
  return v;
}

function optionalNumber(obj: Record<string, unknown>, key: string, min: number, max: number): number | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw wrongType(key, 'a number', v);
  if (v < min) throw invalid(`Invalid '${key}': decimal below minimum value. Expected a value >= ${min}, but got ${v} instead.`, key, 'decimal_below_min_value');
  if (v > max) throw invalid(`Invalid '${key}': decimal above maximum value. Expected a value <= ${max}, but got ${v} instead.`, key, 'decimal_above_max_value');
  return v;
}

function optionalBoolean(obj: Record<string, unknown>, key: string, param = key): boolean | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw wrongType(param, 'a boolean', v);
  return v;
}

function wrongType(param: string, expected: string, got: unknown): RequestError {
  return invalid(`Invalid type for '${param}': expected ${expected}, but got ${typeName(got)} instead.`, param, 'invalid_type');
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'an integer' : 'a decimal';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}
