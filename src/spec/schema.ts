/**
 * spec/: the sweep spec. This file is the single description of every field: the zod schema
 * validates specs, and `llm-sweep schema` turns it into the JSON Schema editors complete
 * against, so every field carries a `.describe()` (a test checks it). docs/spec.md is the
 * prose version; keep the two in step.
 */
import { z } from 'zod';
import { checksSchema } from '../checks/schema.js';
import { budgetSchema, pricingSchema } from '../cost/schema.js';
import { PROVIDER_MAP, PROVIDERS, type ProviderKind, type Target } from '../providers/index.js';
import { workloadSchema } from '../plan/workloads/schema.js';
import { OUTPUT_FORMATS } from '../results/types.js';
import { axisShape, LOAD_KEYS, valueShape, type LoadKey } from './params.js';
import { searchSchema, sloSchema, thresholdsSchema } from './search.js';

export { LOAD_KEYS, type LoadKey };

export { FAULT_KINDS, simulatorSchema, type FaultKind, type SimulatorOptions } from './target.js';
export { PROVIDERS, type ProviderKind, type Target };

/** The provider of a target that names none. */
const DEFAULT_PROVIDER: ProviderKind = 'openai-chat';

/**
 * One target schema per provider, each from its provider's file, joined on `provider`: a
 * setting of another provider (`http:` under `provider: tgi`) is an unknown key.
 */
const targetBranches = PROVIDERS.map((kind) => {
  const schema = PROVIDER_MAP[kind].target as unknown as z.ZodObject;
  if (kind !== DEFAULT_PROVIDER) return schema;
  return schema.extend({ provider: z.literal(kind).default(kind).describe(`API family of the endpoint: ${kind} (the default).`) });
});

export const targetSchema = z
  .discriminatedUnion('provider', targetBranches as [z.ZodObject, ...z.ZodObject[]])
  // `provider` picks the form, and so the settings the target takes (each described in its form).
  .describe('The endpoint under test.') as unknown as z.ZodType<Target>;

/** A target under `targets:` names its provider: a comparison should never hinge on a default. */
export const namedTargetSchema = z
  .discriminatedUnion('provider', PROVIDERS.map((kind) => PROVIDER_MAP[kind].target) as unknown as [z.ZodObject, ...z.ZodObject[]])
  .describe('One named endpoint: a full target block (provider, base_url, api_key, headers, timeout, retry, ...).') as unknown as z.ZodType<Target>;

/** What a target name may hold: it becomes a CSV value and part of cell ids. */
export const TARGET_NAME = /^[A-Za-z0-9._-]+$/;

const chatMessageSchema = z
  .looseObject({
    role: z.string().min(1).describe('system, user, assistant, tool, ...'),
    // unknown (not string | list) keeps ChatMessage stable for providers; plan/prompts.ts checks it.
    content: z.unknown().describe("Text, or the provider's content parts (a list)."),
  })
  .describe('One chat message; other fields (name, tool_calls, ...) are passed through.');
export type ChatMessage = z.infer<typeof chatMessageSchema>;

const promptVars = z
  .record(z.string(), z.unknown())
  .optional()
  .describe('Dataset fields of this prompt (e.g. expected), for checks that read a column (docs/checks.md).');

export const promptEntrySchema = z
  .union([
    z.string().min(1).describe('One prompt, sent as a user message (or as the completion prompt).'),
    z.strictObject({ prompt: z.string().min(1).describe('One prompt text.'), vars: promptVars }).describe('One prompt.'),
    z
      .strictObject({ messages: z.array(chatMessageSchema).min(1).describe('A whole chat conversation.'), vars: promptVars })
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

export const specSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9._-]+$/, 'use letters, digits, ".", "_" and "-" only (it names the results folder)')
      .refine((s) => s !== '.' && s !== '..', 'cannot be "." or ".." (it names the results folder)')
      .optional()
      .describe('Names the results folder results/<name>/; defaults to the spec file name.'),
    description: z.string().optional().describe('Free text, shown in reports.'),
    target: targetSchema.optional(),
    targets: z
      .record(z.string(), namedTargetSchema)
      .optional()
      .describe(
        'Named endpoints to compare in one sweep, instead of target: (names: letters, digits, ".", "_", "-"). `target` is then a matrix axis: every target unless matrix.target lists some or params.target fixes one. See docs/targets.md.',
      ),
    environments: z
      .record(z.string(), z.record(z.string(), z.unknown()))
      .optional()
      .describe(
        'Named overrides picked with --env NAME (dev, staging, ci, ...): each a mapping merged over the spec before --set (nested mappings merge, other values replace; dotted keys like targets.prod.base_url work as in --set).',
      ),
    prompts: z
      .union([
        z.array(promptEntrySchema).min(1).describe('Prompts, sent round-robin: request i of a cell uses prompt i mod P.'),
        workloadSchema,
      ])
      .describe('A list of prompts (sent round-robin), or a workload: synthetic prompts by token count, a dataset, chat sessions or a trace (docs/workloads.md).'),
    // No zod default: a default would enter every spec's hash, and runs of older versions could not be resumed or merged.
    tokenizer: z
      .string()
      .min(1)
      .optional()
      .describe('What counts workload tokens: o200k (the default) or cl100k (built in), the path of a Hugging Face tokenizer.json, or server (the server\'s POST /tokenize).'),
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
    warmup: z.number().int().min(0).default(0).describe('Requests per cell (per round) sent first and not recorded.'),
    repeat_cells: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Run the whole grid this many rounds (default 1): every cell runs its requests once per round, so drift lands on every target alike. Rows record their round.'),
    order: z
      .enum(['interleaved', 'sequential'])
      .optional()
      .describe(
        'interleaved: the cells of different targets at the same other parameters run back to back (the default when target is an axis); sequential: grid order, first axis slowest.',
      ),
    workers: z
      .union([z.literal('auto'), z.number().int().positive().max(64)])
      .default('auto')
      .describe(
        'Event loops (worker threads) that send and time a cell\'s requests: auto (default) = one per 256 requests in flight, at most one per core, less one when the server is on this machine (1 below 257 in flight); 1 = the main thread alone; N = that many threads. See docs/workers.md.',
      ),
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
    percentiles: z
      .array(z.number().gt(0).lt(100))
      .optional()
      .describe(
        "Percentiles of latency, TTFT, TPOT and ITL beyond the p50, p90, p95 and p99 every summary has, e.g. [50, 90, 95, 99, 99.9] (vLLM's --metric-percentiles); each gets summary.csv columns (latency_ms_p99.9) and can be named in thresholds and compare rules (ttft_ms.p99.9).",
      ),
    slo: sloSchema.optional().describe('Service-level objectives per request; goodput counts requests meeting all of them.'),
    thresholds: thresholdsSchema
      .optional()
      .describe(
        'k6-style pass/fail rules checked on every cell; run exits 1 when one fails. Key: metric.aggregate (latency_ms.p95; aggregates mean, p50, p90, p95, p99, min, max) or a per-cell metric (error_rate, output_tokens_per_s, ...) or, with search:, the capacity of a searched cell, optionally scoped to cells by matrix values (latency_ms.p95{model:llama3-8b}). Value: an operator and a number ("< 2000", "< 1%" for rates), or a list of them. See docs/ci.md.',
      ),
    search: searchSchema.optional(),
    compare: z
      .record(z.string(), z.string())
      .optional()
      .describe(
        'Regression rules for `llm-sweep compare`: "+10%" (a rise of more than 10% regresses), "-5%" (a drop), "±10%" (either way), "+0.01" (absolute, in the metric\'s unit), e.g. latency_ms.p95: "+10%". See docs/ci.md.',
      ),
    checks: checksSchema.optional(),
    pricing: pricingSchema.optional(),
    budget: budgetSchema.optional(),
    output: z
      .strictObject({
        dir: z.string().default('results').describe('Parent folder of results/<name>/<timestamp>/.'),
        formats: z
          .array(z.enum(OUTPUT_FORMATS))
          .default(['csv', 'json', 'html'])
          .describe(
            'csv = summary.csv, json = run.json, html = report.html, xlsx = results.xlsx (summary and requests sheets with typed cells, for spreadsheets in any locale; not by default); requests.csv is always written (report, resume and compare read it).',
          ),
        save_responses: z.boolean().default(false).describe('Also write responses.jsonl: every answer, its reasoning and each check verdict.'),
      })
      .default({ dir: 'results', formats: ['csv', 'json', 'html'], save_responses: false })
      .describe('Where and what to write.'),
  })
  .describe('An llm-sweep sweep spec: the endpoint, the prompts, and the grid of parameters and load settings to run.');

export type Spec = z.infer<typeof specSchema>;
export type SpecInput = z.input<typeof specSchema>;
