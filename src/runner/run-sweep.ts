/**
 * The whole sweep: cells one after another against one endpoint. Rows go to requests.csv
 * as requests end; summary.csv and run.json are rewritten after every cell, so an
 * interrupted run keeps every finished cell. Emits events; never prints.
 */
import { mkdirSync, writeFileSync, renameSync } from 'node:fs';
import { hostname, cpus, platform, arch } from 'node:os';
import { join } from 'node:path';
import { setMaxListeners } from 'node:events';
import { checkCell, compileThresholds } from '../compare/thresholds.js';
import type { ThresholdResult } from '../compare/types.js';
import { RunError, UserError } from '../errors.js';
import { serializeRunJson, type RunMeta } from '../results/run-json.js';
import { serializeSummaryCsv } from '../results/summary-csv.js';
import { CellColumns } from '../metrics/cell-columns.js';
import { summarizeCell, type CellSummary } from '../metrics/summary.js';
import type { Plan } from '../plan/types.js';
import { createHttpClient } from '../providers/http-client.js';
import { providerForTarget } from '../providers/index.js';
import { openCsvSink } from '../results/exporters/requests-csv.js';
import type { ResumeState } from '../results/resume.js';
import { writeReport } from '../results/exporters/report-html.js';
import type { RequestRecord } from '../records/types.js';
import type { LoadedSpec } from '../spec/load.js';
import { redact, scrub } from '../spec/redact.js';
import { VERSION } from '../version.js';
import type { EndpointMemory, ExchangeResult } from './exchange.js';
import { watchClientHealth } from './client-health.js';
import { runCell } from './run-cell.js';
import type { RunListener } from './types.js';

export interface SweepOptions {
  loaded: LoadedSpec;
  plan: Plan;
  /** Where requests go: the spec's base_url, or the spawned simulator's. */
  baseUrl: string;
  /** The results folder (created). */
  outDir: string;
  /** Ctrl-C: stop sending, let requests in flight finish for `graceMs`, then cut them. */
  signal?: AbortSignal;
  graceMs?: number;
  onEvent?: RunListener;
  /** Continue an interrupted run in `outDir`: only the missing requests are sent. */
  resume?: ResumeState;
}

export interface SweepResult {
  outDir: string;
  summaries: CellSummary[];
  interrupted: boolean;
  /** Set when the run stopped because it could not go on (exit 3). */
  fatal?: string;
  /** Threshold checks of the finished cells. */
  thresholds: ThresholdResult[];
}

const FILES = { requests: 'requests.csv', summary: 'summary.csv', run: 'run.json', responses: 'responses.jsonl' } as const;

export async function runSweep(opts: SweepOptions): Promise<SweepResult> {
  const { loaded, plan, outDir } = opts;
  const { spec } = loaded;
  const emit: RunListener = opts.onEvent ?? (() => {});
  const provider = providerForTarget(spec.target);
  if (!provider) {
    throw new UserError(
      `${loaded.source.locate(['target', 'provider'])}: provider '${spec.target.provider}' is not available in this version`,
    );
  }
  const target = { ...spec.target, base_url: opts.baseUrl };
  const thresholds = compileThresholds(spec);
  mkdirSync(outDir, { recursive: true });
  const sink = await openCsvSink(join(outDir, FILES.requests), plan.axes);
  const responses = spec.output.save_responses ? await openResponses(join(outDir, FILES.responses)) : undefined;
  const memory: EndpointMemory = { askUsage: true };
  const promptTokens = new Map<number, number>();
  const summaries: CellSummary[] = [];
  const extras: Record<string, unknown> = {};
  const stop = new AbortController();
  const abort = new AbortController();
  // Every request in flight listens on these; a cell of 256 is not a leak.
  setMaxListeners(0, stop.signal, abort.signal);
  let fatal: string | undefined;
  let anySuccess = false;
  let graceTimer: NodeJS.Timeout | undefined;
  const onUserAbort = () => {
    if (!stop.signal.aborted) stop.abort();
    emit({ type: 'interrupt', message: 'stopping: waiting for requests in flight' });
    graceTimer = setTimeout(() => abort.abort(), opts.graceMs ?? 5000);
    graceTimer.unref();
  };
  if (opts.signal?.aborted) onUserAbort();
  opts.signal?.addEventListener('abort', onUserAbort, { once: true });
  const goFatal = (message: string) => {
    if (fatal) return;
    fatal = message;
    stop.abort();
  };

  const meta: RunMeta = {
    tool: { name: 'llm-sweep', version: VERSION },
    spec_file: loaded.file,
    spec_name: loaded.name,
    spec_hash: loaded.hash,
    spec: redact(spec, loaded.secrets),
    base_url: scrub(opts.baseUrl, loaded.secrets),
    started_at: opts.resume?.startedAt ?? new Date().toISOString(),
    host: { hostname: hostname(), platform: platform(), arch: arch(), node: process.version, cpus: cpus().length },
    shard: plan.shard ?? null,
    axes: plan.axes,
    total_cells: plan.totalCells,
    interrupted: false,
    thresholds: [],
  };
  const writeSummaries = () => {
    meta.ended_at = new Date().toISOString();
    meta.interrupted = Boolean(opts.signal?.aborted);
    meta.stopped_reason = fatal ?? (meta.interrupted ? 'interrupted' : undefined);
    if (spec.output.formats.includes('csv')) atomicWrite(join(outDir, FILES.summary), serializeSummaryCsv(summaries, plan.axes));
    if (spec.output.formats.includes('json')) atomicWrite(join(outDir, FILES.run), serializeRunJson(meta, summaries, extras));
    if (spec.output.formats.includes('html')) writeReport(outDir, { ...meta, extras, cells: summaries });
  };

  const resume = opts.resume;
  const todo = (c: (typeof plan.cells)[number]) =>
    resume ? (resume.missing.has(c.id) ? (resume.missing.get(c.id)!.size || c.requests) : 0) : c.requests;
  const total = plan.cells.every((c) => c.requests !== undefined)
    ? plan.cells.reduce((s, c) => s + (todo(c) ?? 0), 0)
    : undefined;
  emit({ type: 'run-start', cells: plan.cells.length, requests: total, outDir });
  writeSummaries();
  try {
    for (const [pos, cell] of plan.cells.entries()) {
      if (stop.signal.aborted) break;
      const earlier = resume?.records.get(cell.id) ?? [];
      if (resume && !resume.missing.has(cell.id)) {
        // Complete before the interruption: keep its rows and summary, send nothing.
        const summary = summarizeCell(cell.id, cell.params, earlier, { slo: spec.slo, rate: cell.load.rate });
        summary.client = resume.previous.get(cell.id)?.client;
        meta.thresholds!.push(...checkCell(thresholds, summary));
        summaries.push(summary);
        continue;
      }
      const only = resume?.missing.get(cell.id);
      emit({ type: 'cell-start', cell, position: pos + 1, of: plan.cells.length, requests: todo(cell) });
      const client = createHttpClient({
        concurrency: cell.load.concurrency,
        connectTimeoutMs: target.timeout.connect_ms,
        readTimeoutMs: target.timeout.read_ms,
        retry: target.retry,
      });
      const serverTimings: Record<string, number[]> = {};
      const onRecord = (record: RequestRecord, result: ExchangeResult) => {
        if (record.error) record.error = scrub(record.error, loaded.secrets);
        sink.write(record);
        responses?.write(record, result.text);
        if (record.status === 'ok') anySuccess = true;
        for (const [k, v] of Object.entries(result.serverTimings ?? {})) (serverTimings[k] ??= []).push(v);
        emit({ type: 'request-end', cell, record });
        if (record.error_kind === 'auth') {
          goFatal(
            `${target.base_url} answered HTTP ${record.http_status}: the API key or credentials were refused. ` +
              'Check target.api_key (and the environment variable it reads) and target.headers.',
          );
        } else if (!anySuccess && record.error_kind === 'network' && /refused|not found|ENOTFOUND|ECONNREFUSED/i.test(record.error ?? '')) {
          goFatal(`cannot reach ${target.base_url}: ${record.error?.replace(/^network: /, '')}. Is the server running, and is base_url right?`);
        } else if (!anySuccess && record.error_kind === 'timeout' && /connect timeout/.test(record.error ?? '')) {
          goFatal(`cannot reach ${target.base_url}: connect timeout after ${target.timeout.connect_ms} ms`);
        }
      };
      const health = watchClientHealth();
      let run;
      try {
        run = await runCell({
          cell,
          prompts: plan.prompts,
          target,
          provider,
          client,
          memory,
          stop: stop.signal,
          abort: abort.signal,
          arrival: spec.arrival,
          burstiness: spec.burstiness,
          seed: spec.seed + cell.index,
          onRecord,
          onMeasureStart: () => emit({ type: 'warmup-end', cell }),
          promptTokens,
          columns: CellColumns.from(earlier),
          onDispatchLag: (ms) => health.dispatchLag(ms),
          only: only && only.size > 0 ? only : undefined,
        });
      } finally {
        client.close();
      }
      const clientHealth = health.stop();
      await sink.flush();
      const summary = summarizeCell(cell.id, cell.params, run.columns, {
        slo: spec.slo,
        rate: cell.load.rate,
      });
      summary.client = clientHealth;
      if (clientHealth.bound) emit({ type: 'warning', message: `cell ${cell.id}: client-bound (${clientHealth.reason})` });
      meta.thresholds!.push(...checkCell(thresholds, summary));
      if (Object.keys(serverTimings).length > 0) {
        extras[cell.id] = { server_timings_mean: meanOf(serverTimings) };
      }
      summaries.push(summary);
      writeSummaries();
      emit({ type: 'cell-end', cell, summary });
    }
  } finally {
    clearTimeout(graceTimer);
    opts.signal?.removeEventListener('abort', onUserAbort);
    await sink.close();
    await responses?.close();
    writeSummaries();
    emit({ type: 'run-end', interrupted: Boolean(opts.signal?.aborted) });
  }
  return { outDir, summaries, interrupted: Boolean(opts.signal?.aborted), fatal, thresholds: meta.thresholds! };
}

export function throwIfFatal(result: SweepResult): void {
  if (result.fatal) throw new RunError(result.fatal);
}

function meanOf(m: Record<string, number[]>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, vs] of Object.entries(m)) out[k] = vs.reduce((a, b) => a + b, 0) / vs.length;
  return out;
}

/** Write to a temp file and rename, so a reader (or a crash) never sees half a file. */
function atomicWrite(path: string, text: string): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

async function openResponses(path: string) {
  const { open } = await import('node:fs/promises');
  const handle = await open(path, 'a');
  let chain: Promise<unknown> = Promise.resolve();
  return {
    write(record: RequestRecord, text: string) {
      const line = `${JSON.stringify({ cell: record.cell, prompt_id: record.prompt_id, repeat: record.repeat, status: record.status, text })}\n`;
      chain = chain.then(() => handle.appendFile(line));
    },
    async close() {
      await chain;
      await handle.close();
    },
  };
}
