/**
 * spec/: the sweep spec. This file is the single description of every field: the zod schema
 * validates specs, and `llm-sweep schema` turns it into the JSON Schema editors complete
 * against, so every field carries a `.describe()` (a test checks it). docs/spec.md is the
 * prose version; keep the two in step.
 */
import { z } from 'zod';
import { axisShape, LOAD_KEYS, valueShape, type LoadKey } from './params.js';

export { LOAD_KEYS, type LoadKey };

export const PROVIDERS = [
  'openai-chat',
  'openai-completions',
  'azure-openai',
  'anthropic',
  'tgi',
  'triton',
  'ollama',
  'http',
] as const;
export type ProviderKind = (typeof PROVIDERS)[number];

export const FAULT_KINDS = ['429', '500', '503', 'reset', 'stall', 'malformed', 'slow'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

const positiveInt = z.number().int().positive();

export const simulatorSchema = z
  .strictObject({
    ttft_ms: z.number().nonnegative().default(80).describe('Base time to first token, ms.'),
    prefill_ms_per_token: z
      .number()
      .nonnegative()
      .default(0.05)
      .describe('Extra time to first token per prompt token, ms (prompt tokens = ceil(chars / 4)).'),
    itl_ms: z.number().nonnegative().default(15).describe('Delay between output tokens for a lone sequence, ms.'),
    jitter: z
      .number()
      .min(0)
      .max(1)
      .default(0.1)
      .describe('Relative random spread of every delay (0.1 = +/-10%), seeded.'),
    max_batch: positiveInt.default(8).describe('Sequences decoded together; further requests wait in a queue.'),
    batch_slowdown: z
      .number()
      .nonnegative()
      .default(0.08)
      .describe('How much each extra sequence in the batch stretches the inter-token delay (0.08 = +8% each).'),
    stop_probability: z
      .number()
      .min(0)
      .max(1)
      .default(0.002)
      .describe('Chance per output token that the model stops by itself (finish_reason "stop").'),
    seed: z.number().int().default(42).describe('Seed for jitter, early stops and fault draws.'),
    fault_rate: z.number().min(0).max(1).default(0).describe('Share of requests that get a fault, drawn with the seed.'),
    faults: z
      .array(z.enum(FAULT_KINDS))
      .min(1)
      .default(['500'])
      .describe('Fault kinds drawn from when fault_rate > 0.'),
  })
  .describe('Latency and fault model of the bundled simulator (base_url: builtin).');
export type SimulatorOptions = z.infer<typeof simulatorSchema>;

const jsonPathSchema = z
  .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
  .describe('A dotted JSON path such as choices.0.delta.content (or a list of them; the first that is present wins).');

const tritonSchema = z
  .strictObject({
    text_input: z.string().min(1).default('text_input').describe('Name of the prompt field (input tensor); ensembles may call it otherwise.'),
    text_output: z.string().min(1).default('text_output').describe('Name of the output text field in each response or stream event.'),
    params_in: z
      .enum(['parameters', 'body'])
      .default('parameters')
      .describe(
        "Where request params go: inside the 'parameters' object (vLLM backend), or as top-level fields that Triton maps to input tensors (TensorRT-LLM ensembles).",
      ),
    finish_reason: z.string().min(1).default('finish_reason').describe('Output field with the finish reason, when the model returns one.'),
    prompt_tokens: z.string().min(1).default('num_input_tokens').describe('Output field with the prompt token count, when the model returns one.'),
    completion_tokens: z
      .string()
      .min(1)
      .default('num_output_tokens')
      .describe('Output field with the number of tokens in each response (summed over a stream), when the model returns one.'),
    model_version: z.string().min(1).optional().describe('Model version: the URL becomes /v2/models/{model}/versions/{version}/generate.'),
  })
  .describe('triton: field names of the generate extension, which depend on the model or ensemble.');

const ollamaSchema = z
  .strictObject({
    api: z
      .enum(['chat', 'generate'])
      .default('chat')
      .describe('Native endpoint: /api/chat (messages) or /api/generate (prompt text).'),
  })
  .describe('ollama: which native endpoint to call.');

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

const retrySchema = z
  .strictObject({
    retries: z.number().int().min(0).default(3).describe('Retries after the first attempt (0 = never retry).'),
    on: z
      .array(z.union([z.number().int().min(100).max(599), z.literal('network')]))
      .default([429, 500, 502, 503, 504, 529, 'network'])
      .describe('HTTP statuses (and "network" for connection errors) that are retried; other 4xx never are.'),
    backoff_ms: z.number().nonnegative().default(500).describe('Base of the exponential backoff, ms.'),
    max_backoff_ms: z.number().nonnegative().default(20000).describe('Cap of one backoff (and of Retry-After), ms.'),
  })
  .describe('Retries: exponential backoff with full jitter; Retry-After is honoured; other 4xx never retried.');

const timeoutSchema = z
  .strictObject({
    connect_ms: z.number().positive().default(5000).describe('Time allowed to open the connection, ms.'),
    read_ms: z
      .number()
      .positive()
      .default(30000)
      .describe('Longest silence allowed while waiting for the response or the next stream chunk, ms.'),
  })
  .describe('Connect and read (idle) timeouts, separately.');

function isBaseUrl(s: string): boolean {
  if (s === 'builtin') return true;
  try {
    const url = new URL(s);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

export const targetSchema = z
  .strictObject({
    provider: z
      .enum(PROVIDERS)
      .default('openai-chat')
      .describe('API family of the endpoint: openai-chat, openai-completions, azure-openai, anthropic, tgi, triton, ollama, http.'),
    base_url: z
      .string()
      .min(1)
      .refine(isBaseUrl, 'must be an http(s) URL such as http://localhost:8000/v1, or builtin')
      .describe(
        "The vendor SDK's base URL: ends in /v1 for OpenAI-style providers; the server root for anthropic, tgi, triton and ollama; 'builtin' spawns the bundled simulator.",
      ),
    api_key: z
      .string()
      .optional()
      .describe('Secret; sent as the provider expects (Bearer, api-key, x-api-key). Write ${ENV_VAR}, never the key itself.'),
    headers: z
      .record(z.string(), z.string())
      .default({})
      .describe('Extra HTTP headers; values of auth-like headers (Authorization, *key*, *token*, ...) are secrets.'),
    timeout: timeoutSchema.default({ connect_ms: 5000, read_ms: 30000 }),
    retry: retrySchema.default({
      retries: 3,
      on: [429, 500, 502, 503, 504, 529, 'network'],
      backoff_ms: 500,
      max_backoff_ms: 20000,
    }),
    stream_usage: z
      .boolean()
      .default(true)
      .describe('Ask streams for usage (stream_options.include_usage); dropped automatically when the server rejects it.'),
    simulator: simulatorSchema.optional(),
    api_version: z.string().optional().describe('azure-openai: the api-version query parameter.'),
    anthropic_version: z.string().optional().describe('anthropic: the anthropic-version header (default 2023-06-01).'),
    triton: tritonSchema.optional(),
    ollama: ollamaSchema.optional(),
    http: httpTemplateSchema.optional().describe('http: the request template and response paths (required for provider http).'),
  })
  .describe('The endpoint under test.');
export type Target = z.infer<typeof targetSchema>;

const chatMessageSchema = z
  .looseObject({
    role: z.string().min(1).describe('system, user, assistant, tool, ...'),
    // unknown (not string | list) keeps ChatMessage stable for providers; plan/prompts.ts checks it.
    content: z.unknown().describe("Text, or the provider's content parts (a list)."),
  })
  .describe('One chat message; other fields (name, tool_calls, ...) are passed through.');
export type ChatMessage = z.infer<typeof chatMessageSchema>;

export const promptEntrySchema = z
  .union([
    z.string().min(1).describe('One prompt, sent as a user message (or as the completion prompt).'),
    z.strictObject({ prompt: z.string().min(1).describe('One prompt text.') }).describe('One prompt.'),
    z
      .strictObject({ messages: z.array(chatMessageSchema).min(1).describe('A whole chat conversation.') })
      .describe('One chat conversation.'),
    z
      .strictObject({
        file: z
          .string()
          .min(1)
          .describe(
            'A prompt file relative to the spec: .txt (one per line), .jsonl (prompt or messages per line), .csv (prompt column).',
          ),
      })
      .describe('Many prompts from a file.'),
  ])
  .describe('A prompt: a string, { prompt }, { messages }, or { file }.');
export type PromptEntry = z.infer<typeof promptEntrySchema>;

/** One include or exclude entry: matrix keys and the values to match or add. */
const comboSchema = z
  .object(valueShape())
  .catchall(z.unknown())
  .describe('Matrix keys and values.');

export const matrixSchema = z
  .object({
    include: z
      .array(comboSchema)
      .optional()
      .describe(
        'Combinations to extend or add (GitHub Actions semantics): an entry adds its keys to every combination it does not contradict on an original axis; if it fits none, it is added as a new combination.',
      ),
    exclude: z
      .array(comboSchema)
      .optional()
      .describe('Drop every combination that matches all keys of an entry (applied before include).'),
    ...axisShape(),
  })
  .catchall(z.array(z.unknown()).min(1))
  .describe(
    'Every key an axis (a list of values); the grid is their cartesian product, first axis slowest. Load keys (concurrency, rate, stream) set the load; every other key goes into the request body.',
  );

const paramsSchema = z
  .object(valueShape())
  .catchall(z.unknown())
  .describe('Fixed request body fields for every request (a matrix axis of the same name wins). concurrency, rate and stream here set the load of every cell.');

const thresholdValue = z.union([z.string(), z.array(z.string()).min(1)]);

export const specSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9._-]+$/, 'use letters, digits, ".", "_" and "-" only (it names the results folder)')
      .refine((s) => s !== '.' && s !== '..', 'cannot be "." or ".." (it names the results folder)')
      .optional()
      .describe('Names the results folder results/<name>/; defaults to the spec file name.'),
    description: z.string().optional().describe('Free text, shown in reports.'),
    target: targetSchema,
    prompts: z
      .array(promptEntrySchema)
      .min(1)
      .describe('Prompts, sent round-robin: request i of a cell uses prompt i mod P.'),
    params: paramsSchema.default({}),
    custom_params: z
      .array(z.string().min(1))
      .optional()
      .describe('Body parameters your server accepts that look like a typo of a known one (e.g. top_a); they skip the spelling check.'),
    matrix: matrixSchema.default({}),
    requests: z.number().int().positive().optional().describe('Recorded requests per cell (default: one per prompt).'),
    duration_s: z.number().positive().optional().describe('Run each cell this many seconds instead of a request count.'),
    repeat: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Requests per cell = repeat x number of prompts; an alternative to requests.'),
    warmup: z.number().int().min(0).default(0).describe('Requests per cell sent first and not recorded.'),
    seed: z.number().int().default(1).describe('Seed for arrival times and anything else random on the client.'),
    arrival: z
      .enum(['poisson', 'constant'])
      .default('poisson')
      .describe('With a rate: Poisson (exponential gaps) or evenly spaced arrivals.'),
    burstiness: z
      .number()
      .positive()
      .default(1)
      .describe('Gamma shape of inter-arrival gaps, as in vLLM: 1 = Poisson, < 1 burstier, > 1 steadier.'),
    slo: z
      .strictObject({
        ttft_ms: z.number().positive().optional().describe('Time to first token at most this, ms.'),
        tpot_ms: z.number().positive().optional().describe('Time per output token at most this, ms.'),
        latency_ms: z.number().positive().optional().describe('Whole request at most this, ms.'),
        itl_ms: z.number().positive().optional().describe('Median inter-token latency at most this, ms.'),
      })
      .optional()
      .describe('Service-level objectives per request; goodput counts requests meeting all of them.'),
    thresholds: z
      .record(z.string(), thresholdValue)
      .optional()
      .describe(
        'k6-style pass/fail rules checked on every cell; run exits 1 when one fails. Key: metric.aggregate (latency_ms.p95; aggregates mean, p50, p90, p95, p99, min, max) or a per-cell metric (error_rate, output_tokens_per_s, ...), optionally scoped to cells by matrix values (latency_ms.p95{model:llama3-8b}). Value: an operator and a number ("< 2000", "< 1%" for rates), or a list of them. See docs/ci.md.',
      ),
    compare: z
      .record(z.string(), z.string())
      .optional()
      .describe(
        'Regression rules for `llm-sweep compare`: "+10%" (a rise of more than 10% regresses), "-5%" (a drop), "±10%" (either way), "+0.01" (absolute, in the metric\'s unit), e.g. latency_ms.p95: "+10%". See docs/ci.md.',
      ),
    output: z
      .strictObject({
        dir: z.string().default('results').describe('Parent folder of results/<name>/<timestamp>/.'),
        formats: z
          .array(z.enum(['csv', 'json', 'html']))
          .default(['csv', 'json', 'html'])
          .describe('csv = requests.csv + summary.csv, json = run.json, html = report.html.'),
        save_responses: z.boolean().default(false).describe('Also write responses.jsonl with every response text.'),
      })
      .default({ dir: 'results', formats: ['csv', 'json', 'html'], save_responses: false })
      .describe('Where and what to write.'),
  })
  .describe('An llm-sweep sweep spec: the endpoint, the prompts, and the grid of parameters and load settings to run.');

export type Spec = z.infer<typeof specSchema>;
export type SpecInput = z.input<typeof specSchema>;
