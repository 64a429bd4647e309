/**
 * The request parameters llm-sweep knows by name: the load settings (`concurrency`, `rate`,
 * `stream`) and the body fields common servers accept. The table gives each a type, so
 * `temperature: ["hot"]` is caught at its line, and a description, so editors complete
 * them in `params`, `matrix`, `include` and `exclude`. Any other key is still sent in the
 * body as is; a key one typo away from a known one is reported (see spec/checks.ts), unless
 * `custom_params` lists it.
 */
import { z } from 'zod';
import { WORKLOAD_AXES } from '../plan/workloads/axes.js';

const positiveInt = z.number().int().positive();
const unit = z.number().min(0).max(1);
const stringList = z.union([z.string(), z.array(z.string())]);

/** `rate: inf`: no pacing, every request due at once (vLLM's default). Kept as this text, which JSON and CSV carry. */
export const RATE_INF = 'inf';

/** A request rate: a number above 0, or `inf` (also `Inf`, `infinity`, `.inf` as text). */
export const rateSchema = z
  .union([
    // Below 0.001/s the mean gap (over 16 minutes) heads for timer overflow; nobody benchmarks that slowly.
    z.number().min(0.001),
    z.string().regex(/^\.?inf(inity)?$/i),
    // YAML's own .inf reads as the number Infinity, which JSON cannot hold: `not {}` in the JSON Schema.
    z.custom<number>((v) => v === Infinity).meta({ not: {} }),
  ])
  .transform((v): number | typeof RATE_INF => (typeof v === 'string' || v === Infinity ? RATE_INF : v));

/** A spec's rate value as requests per second: Infinity for `inf`; undefined when it is not a rate. */
export function rateValue(v: unknown): number | undefined {
  if (v === RATE_INF) return Infinity;
  return typeof v === 'number' && v > 0 ? v : undefined;
}

/** Matrix keys that set the load rather than going into the request body. */
export const LOAD_PARAMS = {
  concurrency: {
    schema: positiveInt.max(100_000),
    description: 'Most requests in flight at once (closed loop); default 1.',
  },
  rate: {
    schema: rateSchema,
    description:
      'Requests per second (open loop: arrivals follow `arrival` and `burstiness`), at least 0.001, or inf: no pacing, every request due at once (as vLLM by default); default none.',
  },
  stream: {
    schema: z.boolean(),
    description: 'Ask for a streamed response (needed for TTFT and ITL); default true.',
  },
} as const;

export const LOAD_KEYS = ['concurrency', 'rate', 'stream'] as const satisfies readonly (keyof typeof LOAD_PARAMS)[];
export type LoadKey = (typeof LOAD_KEYS)[number];

/**
 * The key that picks a named target (`targets:`): as a matrix axis the targets to compare,
 * in `params` the one to run. It routes the request; it is never sent in the body.
 */
export const TARGET_KEY = 'target';
const TARGET_PARAM = {
  [TARGET_KEY]: {
    schema: z.string().min(1),
    description: 'Name of a target under `targets:` (as an axis: the targets to compare; in params: the one to run). Never sent in the body.',
  },
} as const;

/** Matrix and params keys that are not request body fields. */
export const NON_BODY_KEYS: readonly string[] = [...LOAD_KEYS, TARGET_KEY];

/** Body fields of the OpenAI, vLLM, TGI, Ollama and Anthropic APIs, typed where the type is sure. */
export const BODY_PARAMS = {
  model: { schema: z.string().min(1), description: 'Model name as the server knows it (vLLM: the served model name).' },
  temperature: { schema: z.number().min(0), description: 'Sampling temperature; 0 is greedy.' },
  top_p: { schema: unit, description: 'Nucleus sampling: keep the smallest set of tokens whose probability reaches top_p.' },
  top_k: { schema: z.number().int(), description: 'Keep only the k most likely tokens (vLLM, TGI, Ollama options; -1 or 0 = off).' },
  min_p: { schema: unit, description: 'Drop tokens below min_p times the top probability (vLLM, llama.cpp).' },
  typical_p: { schema: unit, description: 'Typical sampling mass (TGI, vLLM).' },
  top_a: { schema: z.number().min(0), description: 'Top-a sampling (OpenRouter, some llama.cpp builds).' },
  max_tokens: { schema: positiveInt, description: 'Most tokens to generate; also the max_tokens budget that `plan` prints.' },
  max_completion_tokens: { schema: positiveInt, description: 'OpenAI: most tokens to generate, reasoning included.' },
  max_new_tokens: { schema: positiveInt, description: 'TGI / Triton: most tokens to generate.' },
  num_predict: { schema: z.number().int(), description: 'Ollama: most tokens to generate (-1 = until stop).' },
  min_tokens: { schema: z.number().int().min(0), description: 'vLLM: generate at least this many tokens.' },
  ignore_eos: { schema: z.boolean(), description: 'vLLM: keep generating past end-of-sequence (fixed-length outputs for benchmarks).' },
  presence_penalty: { schema: z.number(), description: 'Penalty for tokens already present.' },
  frequency_penalty: { schema: z.number(), description: 'Penalty growing with how often a token appeared.' },
  repetition_penalty: { schema: z.number().positive(), description: 'Multiplicative repetition penalty (vLLM, TGI); 1 = off.' },
  length_penalty: { schema: z.number(), description: 'Beam search length penalty (vLLM).' },
  seed: { schema: z.number().int(), description: 'Sampling seed, for reproducible outputs where the server supports it.' },
  stop: { schema: stringList, description: 'Stop sequence(s).' },
  n: { schema: positiveInt, description: 'Completions per request.' },
  best_of: { schema: positiveInt, description: 'Completions generated server-side, best returned (completions API).' },
  use_beam_search: { schema: z.boolean(), description: 'vLLM: beam search instead of sampling.' },
  logprobs: {
    schema: z.union([z.boolean(), z.number().int().min(0)]),
    description: 'Return log probabilities (chat: true/false; completions: how many).',
  },
  top_logprobs: { schema: z.number().int().min(0), description: 'Log probabilities of this many alternatives per token.' },
  logit_bias: { schema: z.record(z.string(), z.number()), description: 'Token id -> bias.' },
  echo: { schema: z.boolean(), description: 'Completions API: echo the prompt in the response.' },
  suffix: { schema: z.string(), description: 'Completions API: text after the completion.' },
  user: { schema: z.string(), description: 'End-user id passed to the provider.' },
  response_format: { schema: z.record(z.string(), z.unknown()), description: 'Structured output, e.g. { type: json_object }.' },
  tools: { schema: z.array(z.unknown()), description: 'Tool (function) definitions.' },
  tool_choice: { schema: z.union([z.string(), z.record(z.string(), z.unknown())]), description: 'auto, none, required, or one tool.' },
  parallel_tool_calls: { schema: z.boolean(), description: 'Allow several tool calls in one turn.' },
  reasoning_effort: { schema: z.string(), description: 'Reasoning models: minimal, low, medium or high.' },
  verbosity: { schema: z.string(), description: 'OpenAI: low, medium or high.' },
  service_tier: { schema: z.string(), description: 'OpenAI: auto, default, flex, priority.' },
  metadata: { schema: z.record(z.string(), z.unknown()), description: 'Provider metadata attached to the request.' },
  stream_options: {
    schema: z.record(z.string(), z.unknown()),
    description: 'Stream options; include_usage is set for you (target.stream_usage).',
  },
  system: { schema: z.union([z.string(), z.array(z.unknown())]), description: 'Anthropic: the system prompt.' },
  thinking: { schema: z.record(z.string(), z.unknown()), description: 'Anthropic: extended thinking, e.g. { type: enabled, budget_tokens: 1024 }.' },
  options: { schema: z.record(z.string(), z.unknown()), description: 'Ollama native API: model options (num_ctx, num_predict, ...).' },
  keep_alive: { schema: z.union([z.string(), z.number()]), description: 'Ollama: how long the model stays loaded, e.g. 5m.' },
  do_sample: { schema: z.boolean(), description: 'TGI: sample instead of greedy decoding.' },
  truncate: { schema: z.number().int().positive(), description: 'TGI: keep only the last N prompt tokens.' },
  skip_special_tokens: { schema: z.boolean(), description: 'vLLM: drop special tokens from the output.' },
  chat_template_kwargs: { schema: z.record(z.string(), z.unknown()), description: 'vLLM: arguments for the chat template, e.g. { enable_thinking: false }.' },
  guided_json: { schema: z.unknown(), description: 'vLLM: constrain the output to a JSON schema.' },
  guided_regex: { schema: z.string(), description: 'vLLM: constrain the output to a regular expression.' },
  guided_choice: { schema: z.array(z.string()), description: 'vLLM: constrain the output to one of these strings.' },
  guided_grammar: { schema: z.string(), description: 'vLLM: constrain the output to a grammar.' },
} as const;

/** Keys that belong elsewhere in the spec, with where. */
export const MISPLACED_PARAMS: Readonly<Record<string, string>> = {
  messages: 'chat messages go in `prompts` (a `messages:` entry or a .jsonl file), not in the body parameters',
  prompt: 'prompts go in the `prompts` list, not in the body parameters',
  inputs: 'prompts go in the `prompts` list, not in the body parameters',
};

type ParamTable = Record<string, { schema: z.ZodType; description: string }>;
const ALL: ParamTable = { ...LOAD_PARAMS, ...TARGET_PARAM, ...WORKLOAD_AXES, ...BODY_PARAMS };

/** Every key known by name, load settings first. */
export const KNOWN_PARAMS: readonly string[] = Object.keys(ALL);

/** `{ key: schema.optional() }` for every known parameter: the shape of params, include and exclude entries. */
export function valueShape(): Record<string, z.ZodOptional<z.ZodType>> {
  return Object.fromEntries(
    Object.entries(ALL).map(([k, p]) => [k, p.schema.optional().describe(p.description)]),
  );
}

/** `{ key: list of values }` for every known parameter: the typed axes of the matrix. */
export function axisShape(): Record<string, z.ZodOptional<z.ZodType>> {
  return Object.fromEntries(
    Object.entries(ALL).map(([k, p]) => [
      k,
      z
        .array(p.schema)
        .min(1)
        .optional()
        .describe(`Axis: values of ${k} to sweep. ${p.description}`),
    ]),
  );
}
