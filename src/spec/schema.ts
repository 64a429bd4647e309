/**
 * spec/: the sweep spec. This file is the single description of every field: the zod schema
 * validates specs, and `llm-sweep schema` turns it into the JSON Schema editors complete
 * against, so every field carries a `.describe()`.
 */
import { z } from 'zod';

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

/** Matrix keys that set the load rather than going into the request body. */
export const LOAD_KEYS = ['concurrency', 'rate', 'stream'] as const;
export type LoadKey = (typeof LOAD_KEYS)[number];

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

const retrySchema = z
  .strictObject({
    retries: z.number().int().min(0).default(3).describe('Retries after the first attempt.'),
    on: z
      .array(z.union([z.number().int().min(100).max(599), z.literal('network')]))
      .default([429, 500, 502, 503, 504, 'network'])
      .describe('HTTP statuses (and "network" for connection errors) that are retried.'),
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

export const targetSchema = z
  .strictObject({
    provider: z.enum(PROVIDERS).default('openai-chat').describe('API family of the endpoint.'),
    base_url: z
      .string()
      .min(1)
      .describe(
        "The vendor SDK's base URL: ends in /v1 for OpenAI-style providers; the server root for anthropic, tgi, triton and ollama; 'builtin' spawns the bundled simulator.",
      ),
    api_key: z.string().optional().describe('Secret; sent as the provider expects (Bearer, api-key, x-api-key). Use ${ENV_VAR}.'),
    headers: z
      .record(z.string(), z.string())
      .default({})
      .describe('Extra HTTP headers; values of auth-like headers are treated as secrets.'),
    timeout: timeoutSchema.default({ connect_ms: 5000, read_ms: 30000 }),
    retry: retrySchema.default({
      retries: 3,
      on: [429, 500, 502, 503, 504, 'network'],
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
  })
  .describe('The endpoint under test.');
export type Target = z.infer<typeof targetSchema>;

const chatMessageSchema = z.looseObject({
  role: z.string().describe('system, user, assistant, ...'),
  content: z.unknown().describe('Text, or the provider\'s content parts.'),
});
export type ChatMessage = z.infer<typeof chatMessageSchema>;

export const promptEntrySchema = z.union([
  z.string().min(1).describe('One prompt, sent as a user message (or as the completion prompt).'),
  z.strictObject({ prompt: z.string().min(1).describe('One prompt text.') }),
  z.strictObject({ messages: z.array(chatMessageSchema).min(1).describe('A whole chat conversation.') }),
  z.strictObject({
    file: z
      .string()
      .min(1)
      .describe('A prompt file relative to the spec: .txt (one per line), .jsonl (prompt or messages per line), .csv (prompt column).'),
  }),
]);
export type PromptEntry = z.infer<typeof promptEntrySchema>;

const comboSchema = z.record(z.string(), z.unknown());

export const matrixSchema = z
  .object({
    include: z
      .array(comboSchema)
      .optional()
      .describe('Combinations to add or to extend (GitHub Actions semantics).'),
    exclude: z.array(comboSchema).optional().describe('Drop every combination matching all keys of an entry.'),
  })
  .catchall(z.array(z.unknown()).min(1, 'an axis needs at least one value'))
  .describe('Every key an axis (its values a list); the grid is their cartesian product, first axis slowest.');

const thresholdValue = z.union([z.string(), z.array(z.string()).min(1)]);

export const specSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9._-]+$/, 'use letters, digits, ".", "_" and "-" only (it names the results folder)')
      .optional()
      .describe('Names the results folder; defaults to the spec file name.'),
    description: z.string().optional(),
    target: targetSchema,
    prompts: z.array(promptEntrySchema).min(1).describe('Prompts, sent round-robin: request i uses prompt i mod P.'),
    params: z.record(z.string(), z.unknown()).default({}).describe('Fixed request body fields for every request.'),
    matrix: matrixSchema.default({}),
    requests: positiveInt.optional().describe('Recorded requests per cell.'),
    duration_s: z.number().positive().optional().describe('Run each cell this long instead of a request count.'),
    repeat: positiveInt.optional().describe('Requests per cell = repeat x number of prompts (the default is 1).'),
    warmup: z.number().int().min(0).default(0).describe('Requests per cell sent first and not recorded.'),
    seed: z.number().int().default(1).describe('Seed for arrival times and anything else random on the client.'),
    arrival: z
      .enum(['poisson', 'constant'])
      .default('poisson')
      .describe('With a rate axis: Poisson (exponential gaps) or evenly spaced arrivals.'),
    burstiness: z
      .number()
      .positive()
      .default(1)
      .describe('Gamma shape of inter-arrival gaps, as in vLLM: 1 = Poisson, < 1 burstier, > 1 steadier.'),
    slo: z
      .strictObject({
        ttft_ms: z.number().positive().optional(),
        tpot_ms: z.number().positive().optional(),
        latency_ms: z.number().positive().optional(),
        itl_ms: z.number().positive().optional(),
      })
      .optional()
      .describe('Service-level objectives per request; goodput counts requests meeting all of them.'),
    thresholds: z
      .record(z.string(), thresholdValue)
      .optional()
      .describe('k6-style pass/fail rules per cell, e.g. latency_ms.p95: "< 2000".'),
    compare: z
      .record(z.string(), z.string())
      .optional()
      .describe('Regression tolerances for `llm-sweep compare`, e.g. latency_ms.p95: "+10%".'),
    output: z
      .strictObject({
        dir: z.string().default('results').describe('Parent folder of results/<name>/<timestamp>/.'),
        formats: z
          .array(z.enum(['csv', 'json', 'html']))
          .default(['csv', 'json', 'html'])
          .describe('requests.csv + summary.csv, run.json, report.html.'),
        save_responses: z.boolean().default(false).describe('Also write responses.jsonl with every response text.'),
      })
      .default({ dir: 'results', formats: ['csv', 'json', 'html'], save_responses: false }),
  })
  .superRefine((spec, ctx) => {
    const modes = (['requests', 'duration_s', 'repeat'] as const).filter((k) => spec[k] !== undefined);
    if (modes.length > 1) {
      ctx.addIssue({
        code: 'custom',
        path: [modes[1]],
        message: `give only one of requests, duration_s and repeat (found ${modes.join(' and ')})`,
      });
    }
  });

export type Spec = z.infer<typeof specSchema>;
export type SpecInput = z.input<typeof specSchema>;
