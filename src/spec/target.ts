/**
 * What every target has, whatever its provider: the base URL, the key and headers,
 * timeouts, retries, usage in streams, and the bundled simulator's model. Each provider's
 * file builds its own target schema from `targetSchemaFor` (adding its own settings), and
 * spec/schema.ts joins them into one union on `provider`.
 */
import { z } from 'zod';
import { metricsSchema } from '../server-metrics/schema.js';
import { valueShape } from './params.js';

export const FAULT_KINDS = ['429', '500', '503', 'reset', 'stall', 'malformed', 'slow'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

const positiveInt = z.number().int().positive();

/** Node's longest timer, ms (~24.8 days): a longer setTimeout fires after 1 ms instead. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A duration that ends up in a timer, ms. */
export function timerMs(min: 'positive' | 'nonnegative' = 'nonnegative') {
  const n = min === 'positive' ? z.number().positive() : z.number().nonnegative();
  return n.max(MAX_TIMER_MS);
}

/** Token names of HTTP (RFC 9110 section 5.6.2): what a header name may be. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export const simulatorSchema = z
  .strictObject({
    ttft_ms: timerMs().default(80).describe('Base time to first token, ms.'),
    prefill_ms_per_token: z
      .number()
      .nonnegative()
      .max(1000)
      .default(0.05)
      .describe('Extra time to first token per prompt token, ms (prompt tokens = ceil(chars / 4)).'),
    itl_ms: timerMs().default(15).describe('Delay between output tokens for a lone sequence, ms.'),
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
    accuracy: z
      .number()
      .min(0)
      .max(1)
      .default(0.95)
      .describe('Toy quality model: chance that an arithmetic question ("What is 17 + 25?") is answered right at temperature 0.'),
    accuracy_drop: z
      .number()
      .min(0)
      .default(0.3)
      .describe('Toy quality model: how much that chance falls per unit of temperature (0.3: 0.95 at 0, 0.65 at 1).'),
    think_tokens: z
      .number()
      .int()
      .min(0)
      .default(24)
      .describe('Toy quality model: mean reasoning tokens before the answer to an arithmetic question (each one takes 0.5x to 1.5x).'),
    fault_rate: z.number().min(0).max(1).default(0).describe('Share of requests that get a fault, drawn with the seed.'),
    faults: z
      .array(z.enum(FAULT_KINDS))
      .min(1)
      .default(['500'])
      .describe('Fault kinds drawn from when fault_rate > 0.'),
    tokenizer: z
      .string()
      .min(1)
      .optional()
      .describe(
        'Count prompt tokens with this tokenizer (o200k, cl100k, or a tokenizer.json path) instead of ceil(chars / 4), and serve POST /tokenize with it.',
      ),
    prefix_cache: z
      .boolean()
      .optional()
      .describe(
        "Cache prompt prefixes in blocks of 16 tokens as vLLM's prefix caching does: a cached part costs no prefill time and is reported as usage.prompt_tokens_details.cached_tokens.",
      ),
  })
  .describe('Latency and fault model of the bundled simulator (base_url: builtin).');
export type SimulatorOptions = z.infer<typeof simulatorSchema>;

const retrySchema = z
  .strictObject({
    retries: z.number().int().min(0).default(3).describe('Retries after the first attempt (0 = never retry).'),
    on: z
      .array(z.union([z.number().int().min(100).max(599), z.literal('network')]))
      .default([429, 500, 502, 503, 504, 529, 'network'])
      .describe('HTTP statuses (and "network" for connection errors) that are retried; other 4xx never are.'),
    backoff_ms: timerMs().default(500).describe('Base of the exponential backoff, ms.'),
    max_backoff_ms: timerMs().default(20000).describe('Cap of one backoff (and of Retry-After), ms.'),
  })
  .describe('Retries: exponential backoff with full jitter; Retry-After is honoured; other 4xx never retried.');

const timeoutSchema = z
  .strictObject({
    connect_ms: timerMs('positive').default(5000).describe('Time allowed to open the connection, ms.'),
    read_ms: timerMs('positive')
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

/** The settings every target has, with their defaults. */
const commonTarget = {
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
    .record(
      z.string().regex(HEADER_NAME, "is not a valid HTTP header name (letters, digits and !#$%&'*+-.^_`|~ only; no spaces or colons)"),
      z.string().refine((v) => !/[\r\n\0]/.test(v), 'must not contain line breaks or NUL characters'),
    )
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
  metrics: metricsSchema.optional(),
  params: z
    .object(valueShape())
    .catchall(z.unknown())
    .optional()
    .describe(
      "Request body fields for this target only, over the spec's params (a matrix axis still wins): the model name as this server knows it, say. With targets:, cells that differ only in target then compare alike.",
    ),
};

/** The common settings alone, other keys allowed: checked when `provider` names no provider, so its other problems still show. */
export const commonTargetSchema = z.looseObject(commonTarget);

/**
 * The target schema of provider `kind`: the common settings plus the provider's own
 * (`extra`); any other key is an error, so a setting of another provider is caught.
 */
export function targetSchemaFor<K extends string, E extends z.ZodRawShape = {}>(kind: K, description: string, extra?: E) {
  return z
    .strictObject({
      provider: z.literal(kind).describe(`API family of the endpoint: ${kind}.`),
      ...commonTarget,
      ...((extra ?? {}) as E),
    })
    .describe(description);
}

/** What every provider's target has (the union's common part). */
export type TargetBase = z.output<ReturnType<typeof targetSchemaFor<string>>>;
