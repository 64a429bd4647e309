/**
 * The templated provider (`provider: http`), for endpoints without a built-in provider (a
 * custom gateway, an in-house server): the request body is a template, the stream format is
 * named (sse, ndjson or none) and JSON paths say where the text, the finish reason and the
 * token counts are in each event or in the whole response. No code needed.
 *
 * Placeholders: {{prompt}} (the prompt as text), {{messages}} (the chat messages),
 * {{stream}} (true/false), {{params}} (every param of the cell, as an object) and
 * {{param.NAME}} (one param). A string that is exactly one placeholder takes the value with
 * its JSON type (a number stays a number); inside a longer string the value is spliced in
 * as text. A body given as one string is JSON text in which each placeholder stands for a
 * JSON value: write {"input": {{prompt}}}, not "{{prompt}}".
 */
import { z } from 'zod';
import { targetSchemaFor } from '../spec/target.js';
import { errorText, jsonErrorMessage } from './errors.js';
import { getFirst, parseJsonPath, type JsonPath } from './json-path.js';
import { bearerHeaders, isObject, joinUrl, num } from './shared.js';
import type { BuildContext, Completion, ParamProblem, Provider, ProviderRequest, StreamDelta, StreamEvent, Usage } from './types.js';

const jsonPathSchema = z
  .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
  .describe('A dotted JSON path such as choices.0.delta.content (or a list of them; the first that is present wins).');

const httpTemplateSchema = z
  .strictObject({
    path: z
      .string()
      .default('')
      .describe('Appended to base_url for every request; may use {{param.NAME}} (URL-encoded).'),
    stream_path: z.string().optional().describe('Path for streamed requests when it differs from path (e.g. /generate_stream).'),
    body: z
      .union([z.record(z.string(), z.unknown()), z.string().min(1)])
      .describe(
        'Request body template. Placeholders: {{prompt}}, {{messages}}, {{stream}}, {{params}} (every param) and {{param.NAME}}. A string that is only a placeholder takes the value with its JSON type; a string template is JSON text whose placeholders are replaced by JSON values.',
      ),
    stream: z
      .enum(['sse', 'ndjson', 'none'])
      .default('sse')
      .describe('How the endpoint streams: server-sent events, one JSON object per line, or not at all.'),
    done_marker: z
      .string()
      .optional()
      .describe('Raw event data that ends a stream, e.g. "[DONE]".'),
    paths: z
      .strictObject({
        text: jsonPathSchema.describe('Output text in each event, or in the whole response.'),
        reasoning: jsonPathSchema.optional().describe('Reasoning text (counts for TTFT).'),
        finish_reason: jsonPathSchema.optional().describe('Finish reason; a non-empty value also completes a stream.'),
        prompt_tokens: jsonPathSchema.optional().describe('Prompt token count.'),
        completion_tokens: jsonPathSchema.optional().describe('Completion token count (the last value seen wins).'),
        error: jsonPathSchema.optional().describe('An error message; a present, non-empty value fails the request.'),
        done: jsonPathSchema.optional().describe('A flag whose truthy value ends the stream (e.g. done).'),
      })
      .describe('Where to read each value. Without done, done_marker and finish_reason, a stream is complete when the server closes it cleanly.'),
  })
  .describe('http: a templated request and JSON paths into the answer, for endpoints without a built-in provider.');

export const httpTarget = targetSchemaFor('http', 'Any HTTP endpoint: a templated request and JSON paths into the answer (target.http).', {
  http: httpTemplateSchema.describe('http: the request template and response paths.'),
});
type HttpTarget = z.output<typeof httpTarget>;
export type HttpTemplateConfig = HttpTarget['http'];

const PLACEHOLDER = /\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}/g;
const WHOLE = /^\s*\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}\s*$/;
const NAMES = ['prompt', 'messages', 'stream', 'params'];

export interface TemplateVars {
  prompt: string;
  messages: readonly unknown[];
  stream: boolean;
  params: Readonly<Record<string, unknown>>;
}

/** Marks a value the template asks for but the cell does not have (its field is left out). */
const MISSING = Symbol('missing');

function lookup(name: string, vars: TemplateVars): unknown {
  if (name.startsWith('param.')) {
    const key = name.slice('param.'.length);
    return Object.hasOwn(vars.params, key) ? vars.params[key] : MISSING;
  }
  switch (name) {
    case 'prompt':
      return vars.prompt;
    case 'messages':
      return vars.messages;
    case 'stream':
      return vars.stream;
    case 'params':
      return vars.params;
    default:
      return MISSING;
  }
}

function asText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function renderValue(t: unknown, vars: TemplateVars): unknown {
  if (typeof t === 'string') {
    const whole = WHOLE.exec(t);
    if (whole) return lookup(whole[1], vars);
    return t.replace(PLACEHOLDER, (_m, name: string) => {
      const v = lookup(name, vars);
      return v === MISSING ? '' : asText(v);
    });
  }
  if (Array.isArray(t)) return t.map((x) => renderValue(x, vars)).filter((x) => x !== MISSING);
  if (isObject(t)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(t)) {
      const r = renderValue(v, vars);
      if (r !== MISSING) out[k] = r;
    }
    return out;
  }
  return t;
}

/** Renders a body template (an object, or JSON text with placeholders). Throws on broken JSON. */
export function renderBody(template: HttpTemplateConfig['body'], vars: TemplateVars): unknown {
  if (typeof template !== 'string') return renderValue(template, vars);
  const text = template.replace(PLACEHOLDER, (_m, name: string) => {
    const v = lookup(name, vars);
    return v === MISSING ? 'null' : JSON.stringify(v);
  });
  return JSON.parse(text) as unknown;
}

function renderPath(path: string, vars: TemplateVars): string {
  return path.replace(PLACEHOLDER, (_m, name: string) => {
    const v = lookup(name, vars);
    return v === MISSING ? '' : encodeURIComponent(asText(v));
  });
}

/** Every placeholder name in a template, in order of appearance. */
export function placeholders(template: unknown): string[] {
  const out: string[] = [];
  const walk = (t: unknown) => {
    if (typeof t === 'string') for (const m of t.matchAll(PLACEHOLDER)) out.push(m[1]);
    else if (Array.isArray(t)) t.forEach(walk);
    else if (isObject(t)) Object.values(t).forEach(walk);
  };
  walk(template);
  return out;
}

interface Paths {
  text: JsonPath[];
  reasoning: JsonPath[];
  finish_reason: JsonPath[];
  prompt_tokens: JsonPath[];
  completion_tokens: JsonPath[];
  error: JsonPath[];
  done: JsonPath[];
}

function compilePaths(p: HttpTemplateConfig['paths']): Paths {
  const list = (v: string | string[] | undefined) => (v === undefined ? [] : (Array.isArray(v) ? v : [v]).map(parseJsonPath));
  return {
    text: list(p.text),
    reasoning: list(p.reasoning),
    finish_reason: list(p.finish_reason),
    prompt_tokens: list(p.prompt_tokens),
    completion_tokens: list(p.completion_tokens),
    error: list(p.error),
    done: list(p.done),
  };
}

function stringAt(o: unknown, paths: JsonPath[]): string | undefined {
  const v = getFirst(o, paths);
  return typeof v === 'string' ? v : v === undefined || v === null ? undefined : String(v);
}

function errorAt(o: unknown, paths: JsonPath[]): string | undefined {
  const v = getFirst(o, paths);
  if (v === undefined || v === null || v === '' || v === false) return undefined;
  return errorText(v);
}

export function createHttpTemplate(config: HttpTemplateConfig): Provider<'http', HttpTarget> {
  const paths = compilePaths(config.paths);
  const framing = config.stream;
  // Without any end signal configured, a stream is complete when the server closes it.
  const endsAtClose = paths.done.length === 0 && paths.finish_reason.length === 0 && config.done_marker === undefined;
  const names = [...placeholders(config.body), ...placeholders(config.path), ...placeholders(config.stream_path ?? '')];

  const build = (ctx: BuildContext<HttpTarget>): ProviderRequest => {
    const stream = ctx.stream && framing !== 'none';
    const vars: TemplateVars = { prompt: ctx.prompt.text, messages: ctx.prompt.messages, stream, params: ctx.cell.body };
    const path = stream && config.stream_path !== undefined ? config.stream_path : config.path;
    return {
      url: joinUrl(ctx.target.base_url, renderPath(path, vars)),
      headers: bearerHeaders(ctx.target),
      body: renderBody(config.body, vars),
    };
  };

  const read = (o: unknown): StreamDelta => {
    const error = errorAt(o, paths.error);
    if (error !== undefined) return { error };
    const delta: StreamDelta = {};
    const text = stringAt(o, paths.text);
    if (text) delta.text = text;
    const reasoning = stringAt(o, paths.reasoning);
    if (reasoning) delta.reasoning = reasoning;
    const finish = stringAt(o, paths.finish_reason);
    if (finish) delta.finishReason = finish;
    const usage: Usage = {};
    const prompt = num(getFirst(o, paths.prompt_tokens));
    if (prompt !== undefined) usage.prompt_tokens = prompt;
    const completion = num(getFirst(o, paths.completion_tokens));
    if (completion !== undefined) usage.completion_tokens = completion;
    if (Object.keys(usage).length > 0) delta.usage = usage;
    return delta;
  };

  const decode = (ev: StreamEvent): StreamDelta | undefined => {
    const data = ev.data.trim();
    if (data === '') return undefined;
    if (config.done_marker !== undefined && data === config.done_marker) return { done: true };
    const o: unknown = JSON.parse(data);
    if (ev.event === 'error') return { error: errorAt(o, paths.error) ?? errorText(isObject(o) && 'error' in o ? o.error : o) };
    const delta = read(o);
    if (endsAtClose || Boolean(getFirst(o, paths.done))) delta.done = true;
    return delta;
  };

  const parseResponse = (body: unknown): Completion => {
    const d = read(body);
    if (d.error !== undefined) throw new Error(`the response reports an error: ${d.error}`);
    if (getFirst(body, paths.text) === undefined) {
      throw new Error(`no text at paths.text (${[config.paths.text].flat().join(' | ')})`);
    }
    return { text: d.text ?? '', reasoning: d.reasoning, usage: d.usage, finishReason: d.finishReason };
  };

  const checkParams = (keys: readonly string[]): ParamProblem[] => {
    const problems: ParamProblem[] = [];
    const at = ['target', 'http', 'body'];
    for (const name of new Set(names)) {
      if (name.startsWith('param.')) {
        const key = name.slice('param.'.length);
        if (!keys.includes(key)) {
          problems.push({ at, message: `target.http uses {{${name}}}, but no params or matrix key '${key}' gives it a value` });
        }
      } else if (!NAMES.includes(name)) {
        problems.push({
          at,
          message: `unknown placeholder {{${name}}} in target.http; use {{prompt}}, {{messages}}, {{stream}}, {{params}} or {{param.NAME}}`,
        });
      }
    }
    if (!names.includes('params')) {
      for (const key of keys) {
        if (!names.includes(`param.${key}`)) {
          problems.push({
            key,
            message: `provider 'http' would not send '${key}': target.http.body has no {{param.${key}}} (or {{params}}) placeholder`,
          });
        }
      }
    }
    if (typeof config.body === 'string') {
      try {
        renderBody(config.body, { prompt: 'p', messages: [], stream: true, params: Object.fromEntries(keys.map((k) => [k, 0])) });
      } catch (e) {
        problems.push({
          at,
          message:
            `target.http.body is not JSON once its placeholders are filled (${(e as Error).message}); ` +
            'each placeholder stands for a JSON value: write {"input": {{prompt}}}, not "{{prompt}}"',
        });
      }
    }
    return problems;
  };

  const errorMessage = (status: number, bodyText: string): string => {
    if (paths.error.length > 0) {
      try {
        const msg = errorAt(JSON.parse(bodyText) as unknown, paths.error);
        if (msg !== undefined) return `HTTP ${status}: ${msg}`;
      } catch {
        // not JSON: the generic reading below copes
      }
    }
    return jsonErrorMessage(status, bodyText);
  };

  return { ...httpTemplate, framing, build, streamDecoder: () => decode, parseResponse, errorMessage, checkParams };
}

const needsConfig = () => {
  throw new Error("provider 'http' needs target.http");
};

/** The map's entry: the target's `http` block (required by its schema) makes the real one. */
export const httpTemplate: Provider<'http', HttpTarget> = {
  kind: 'http',
  target: httpTarget,
  // Whatever the gateway's paths are: no convention to check.
  baseUrl: undefined,
  paths: [],
  maxTokens: ['max_tokens', 'max_completion_tokens', 'max_new_tokens', 'num_predict'],
  framing: 'sse',
  units: {},
  build: needsConfig,
  streamDecoder: needsConfig,
  parseResponse: needsConfig,
  errorMessage: jsonErrorMessage,
  configure: (target) => createHttpTemplate(target.http),
};
