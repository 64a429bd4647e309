/**
 * run.json: everything about a run a machine might want, secrets redacted. The only code
 * that reads or writes the file: its typed, versioned schema (`format: 1`; a file without
 * `format` was written before the field existed and reads as format 1), the document a
 * run starts with, and the reader every other room goes through.
 */
import { readFileSync } from 'node:fs';
import { arch, cpus, hostname, platform } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { checkTallySchema } from '../checks/tally.js';
import { serverMetricsExtrasSchema } from '../server-metrics/columns.js';
import { thresholdResultSchema } from '../compare/types.js';
import { UserError } from '../errors.js';
import { cellSummarySchema } from '../metrics/summary.js';
import { capacityEntrySchema } from '../search/result.js';
import type { Plan } from '../plan/types.js';
import type { LoadedSpec } from '../spec/load.js';
import { redact, scrub } from '../spec/redact.js';
import type { Spec } from '../spec/schema.js';
import { VERSION } from '../version.js';

export const RUN_JSON = 'run.json';
/** The format this version writes; it reads this one and the unversioned files before it. */
export const RUN_JSON_FORMAT = 1;

export const METRIC_DEFINITIONS = {
  latency_ms: 'request sent (final attempt) to the last content chunk; trailing usage chunk and [DONE] excluded',
  ttft_ms: 'request sent to the first chunk carrying non-empty content or reasoning text; role-only chunks do not count; streams only',
  tpot_ms: '(latency - ttft) / (completion_tokens - 1); requests with more than one output token',
  itl_ms: "gaps between consecutive content chunks; per request its median (itl_p50_ms), per cell the distribution of those medians",
  queue_ms: 'scheduled time to actual send (open loop); client-side queueing made visible',
  output_tokens_per_s: 'cell: sum of completion tokens of successful requests / cell wall time (first send to last completion); request: completion_tokens / latency',
  requests_per_s: 'successful requests / cell wall time',
  error_rate: 'errored requests / recorded requests',
  percentiles: 'exact, from the recorded values, linear interpolation between closest ranks (numpy default, as vLLM)',
  connect_ms: 'connection setup of the final attempt (DNS lookup, TCP connect, TLS handshake); 0 when a pooled connection was reused; not part of ttft or latency',
  server_ms: "server_queue_ms / server_prefill_ms / server_decode_ms / server_total_ms / cached_tokens: what the server itself reported for the request (llama.cpp timings, Ollama durations, TGI x-*-time headers, usage cached tokens); empty when it reports nothing",
  client_overhead_ms: 'ttft - (server_queue_ms + server_prefill_ms) per request where the server reports prefill; its p50 per cell',
  tokens: "server usage when sent (tokens_source=usage); otherwise counted with the o200k_base tokenizer (tokens_source=estimate); never max_tokens",
} as const;

const shardSchema = z.object({ k: z.number().int().positive(), n: z.number().int().positive() }).nullable();

export const runJsonSchema = z
  .object({
    format: z.literal(RUN_JSON_FORMAT).default(RUN_JSON_FORMAT).describe('Version of this document; absent in files written before it existed.'),
    tool: z.object({ name: z.string(), version: z.string() }).describe('The llm-sweep that wrote the file.'),
    spec_file: z.string().default('').describe('Path of the spec file, as given.'),
    spec_name: z.string().default('').describe('The spec name (or its file name): names the results folder.'),
    spec_hash: z.string().describe('sha256 (16 hex) of the redacted spec: resume and merge check it.'),
    spec: z
      .custom<Spec>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'the spec must be a mapping')
      .describe('The spec as run: --set applied, defaults filled in, secrets redacted (see docs/spec.schema.json).'),
    base_url: z.string().default('').describe("The URL requests went to (the simulator's for base_url: builtin), credentials scrubbed; with targets:, the first target's."),
    target_urls: z
      .record(z.string(), z.string())
      .optional()
      .describe('With targets: the URL each target run went to, by name, credentials scrubbed.'),
    order: z.enum(['interleaved', 'sequential']).optional().describe('With targets: the order cells ran in (docs/targets.md).'),
    environment: z.string().optional().describe('The environment merged over the spec (--env), when one was.'),
    only_target: z.string().optional().describe('--target: the one target this run ran, when given.'),
    started_at: z.string().describe('ISO 8601.'),
    ended_at: z.string().optional().describe('ISO 8601; rewritten after every cell.'),
    host: z
      .object({ hostname: z.string(), platform: z.string(), arch: z.string(), node: z.string(), cpus: z.number() })
      .optional()
      .describe('The client machine.'),
    shard: shardSchema.default(null).describe('The --shard k/n of this run, or null.'),
    axes: z.array(z.string()).describe('Matrix axes, in column order.'),
    total_cells: z.number().optional().describe('Cells of the whole plan (all shards).'),
    interrupted: z.boolean().default(false).describe('True when Ctrl-C or SIGTERM stopped the run.'),
    stopped_reason: z.string().optional().describe('Why the run stopped early, when it did.'),
    thresholds: z.array(thresholdResultSchema).default([]).describe('Threshold checks: one per cell and threshold in scope.'),
    merged_from: z
      .array(
        z.object({
          dir: z.string(),
          shard: shardSchema,
          hostname: z.string(),
          started_at: z.string(),
          ended_at: z.string().optional(),
          cells: z.number(),
        }),
      )
      .optional()
      .describe('Set by `llm-sweep merge`: the shard results this one was built from.'),
    metric_definitions: z.record(z.string(), z.string()).default({}).describe('What each metric means (docs/metrics.md).'),
    // Fields this version does not know pass through, so a newer file loses nothing when read.
    cells: z.array(cellSummarySchema.loose()).default([]).describe('Per-cell summaries, in plan order.'),
    checks: z
      .array(checkTallySchema)
      .optional()
      .describe('With checks: per check, the answers it ran on, how many passed, and a few failed answers as examples.'),
    capacity: z
      .array(capacityEntrySchema)
      .optional()
      .describe('With search: in the spec: the capacity of every searched cell, in plan order (capacity.csv shows the same).'),
    extras: z
      .record(
        z.string(),
        z.looseObject({ server_timings_mean: z.record(z.string(), z.number()).optional(), server_metrics: serverMetricsExtrasSchema.optional() }),
      )
      .optional()
      .describe('Extra per-cell data by cell id: the mean of server-reported timings (Ollama durations, ...), the metrics scrapes (target.metrics).'),
  })
  .describe('run.json: one run (or a merge of shards), written by llm-sweep.');

export type RunJson = z.output<typeof runJsonSchema>;
/** Per-cell extras. */
export type CellExtras = NonNullable<RunJson['extras']>[string];

/** The document a run starts with: no cells, no verdicts yet. */
export function newRunJson(
  loaded: LoadedSpec,
  plan: Plan,
  baseUrl: string,
  startedAt = new Date().toISOString(),
  baseUrls?: Record<string, string>,
): RunJson {
  return {
    format: RUN_JSON_FORMAT,
    tool: { name: 'llm-sweep', version: VERSION },
    spec_file: loaded.file,
    spec_name: loaded.name,
    spec_hash: loaded.hash,
    spec: redact(loaded.spec, loaded.secrets),
    base_url: scrub(baseUrl, loaded.secrets),
    // Optional fields are left out when they do not apply, so a plain run's file is unchanged.
    ...(baseUrls ? { target_urls: Object.fromEntries(Object.entries(baseUrls).map(([k, v]) => [k, scrub(v, loaded.secrets)])) } : {}),
    ...(loaded.spec.targets || loaded.spec.order ? { order: plan.order } : {}),
    ...(loaded.environment !== undefined ? { environment: loaded.environment } : {}),
    ...(plan.onlyTarget !== undefined ? { only_target: plan.onlyTarget } : {}),
    started_at: startedAt,
    ended_at: undefined,
    host: { hostname: hostname(), platform: platform(), arch: arch(), node: process.version, cpus: cpus().length },
    shard: plan.shard ?? null,
    axes: plan.axes,
    total_cells: plan.totalCells,
    interrupted: false,
    stopped_reason: undefined,
    thresholds: [],
    metric_definitions: METRIC_DEFINITIONS,
    cells: [],
    ...(plan.search ? { capacity: [] } : {}),
    extras: {},
  };
}

export function serializeRunJson(doc: RunJson): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** Parses run.json text; a UserError names the file and what is wrong. */
export function parseRunJson(text: string, path = RUN_JSON): RunJson {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${path}: not valid JSON (${(e as Error).message})`);
  }
  const format = (doc as { format?: unknown } | null)?.format;
  if (typeof format === 'number' && format > RUN_JSON_FORMAT) {
    throw new UserError(`${path}: written by a newer llm-sweep (format ${format}); this version reads format ${RUN_JSON_FORMAT}, so upgrade it`);
  }
  const parsed = runJsonSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    throw new UserError(`${path}: not a run.json written by llm-sweep (${where}${issue.message})`);
  }
  return parsed.data;
}

/** `dir`'s run.json; undefined when there is none (a run without the json format). */
export function readRunJson(dir: string): RunJson | undefined {
  const path = join(dir, RUN_JSON);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UserError(`${path}: cannot read (${(e as Error).message})`);
  }
  return parseRunJson(text, path);
}
