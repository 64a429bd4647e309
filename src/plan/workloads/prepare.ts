/**
 * What a workload needs before its cells can make prompts, made once per run: the
 * vocabulary of the tokenizer (synthetic text, prefixes, trace blocks), the dataset sample,
 * the trace. Loading a tokenizer costs ~70 MB that a run should not carry while it measures,
 * so by default this runs in a worker thread that exits when done (prepare-worker.ts); only
 * plain data comes back. `tokenizer: server` is calibrated afterwards, over HTTP, in the caller.
 */
import { isAbsolute, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { UserError } from '../../errors.js';
import { builtinTokenizer } from '../../tokenizers/builtin.js';
import { loadTokenizer } from '../../tokenizers/load.js';
import type { Tokenizer } from '../../tokenizers/types.js';
import { sampleDataset, type DatasetSample } from './dataset.js';
import { unpackRows, type PackedRows } from './packed-rows.js';
import type { FileRef } from './read-rows.js';
import type { WorkloadSpec } from './schema.js';
import { readTrace, type Trace } from './trace.js';
import { localVocabulary, type Vocabulary } from './vocabulary.js';

export interface PrepareInput {
  workload: WorkloadSpec;
  /** The spec's `tokenizer:` (o200k, cl100k, server, or a tokenizer.json path). */
  tokenizer: string;
  /** The spec's folder: relative paths resolve against it. */
  dir: string;
  /** `file:line:col` of the spec's `tokenizer:` value, and of the workload's `file:` value. */
  tokenizerAt: string;
  fileAt: string;
  /** How to name a file in messages (as written in the spec, by default). */
  shownFile?: string;
  seed: number;
  /** Dataset rows the whole plan needs (sampled once, then shared out among the cells). */
  rows: number;
}

export interface PreparedWorkload {
  /** Name of the tokenizer that counts (or, for `server`, of the one the candidate words came from). */
  tokenizer: string;
  /** Words for synthetic text; for `server`, the candidates still to calibrate. */
  vocab?: Vocabulary;
  sample?: DatasetSample;
  trace?: Trace;
}

/** Prepares in a worker thread (the default), or in this thread (tests, and tokenizers whose text needs re-counting). */
export async function prepareWorkload(input: PrepareInput, opts: { inWorker?: boolean } = {}): Promise<PreparedWorkload> {
  if (opts.inWorker === false) return prepareHere(input);
  const prepared = await inWorker(input);
  // A vocabulary that needs re-counting carries its tokenizer, which cannot cross threads.
  if (prepared.vocab?.recount === null) return prepareHere(input);
  return prepared;
}

/** The tokenizer that counts locally: the spec's, or o200k_base for `server` (its words are the candidates). */
function localTokenizer(input: PrepareInput): Tokenizer {
  if (input.tokenizer === 'server') return builtinTokenizer('o200k');
  return loadTokenizer(input.tokenizer, { dir: input.dir, at: input.tokenizerAt });
}

export async function prepareHere(input: PrepareInput): Promise<PreparedWorkload> {
  const w = input.workload;
  const t = localTokenizer(input);
  const needsWords = w.synthetic !== undefined || w.trace !== undefined || w.prefix !== undefined || (w.conversation !== undefined && !w.dataset);
  // For `server`, o200k_base only proposes words (and counts dataset rows) until the server is calibrated.
  const out: PreparedWorkload = { tokenizer: input.tokenizer === 'server' ? 'server (calibrated when the run starts)' : t.name };
  if (needsWords || input.tokenizer === 'server') out.vocab = localVocabulary(t);
  const file = w.dataset?.file ?? w.trace?.file;
  if (file !== undefined) {
    const ref: FileRef = { path: isAbsolute(file) ? file : resolve(input.dir, file), shown: input.shownFile ?? file, at: input.fileAt };
    if (w.dataset) {
      out.sample = await sampleDataset(w.dataset, { ref, tokenizer: t, seed: input.seed, count: input.rows, keepTurns: w.conversation !== undefined });
    } else {
      out.trace = await readTrace(ref);
    }
  }
  return out;
}

/** Messages between this thread and prepare-worker.ts. */
export type WorkerAnswer =
  | { ok: PreparedWorkload; sample?: Omit<DatasetSample, 'rows'> & { rows: PackedRows } }
  | { error: { message: string; problems?: string[]; user: boolean; stack?: string } };

function inWorker(input: PrepareInput): Promise<PreparedWorkload> {
  return new Promise((resolvePrepared, reject) => {
    // A small young generation: streaming a big file makes short-lived strings, and V8's
    // default nursery would hold ~40 MB of them (1 GB sampled: ~215 -> ~190 MB peak RSS).
    const worker = new Worker(new URL('./prepare-worker.js', import.meta.url), { workerData: input, resourceLimits: { maxYoungGenerationSizeMb: 8 } });
    let answered = false;
    worker.once('message', (m: WorkerAnswer) => {
      answered = true;
      if ('ok' in m) resolvePrepared(m.sample ? { ...m.ok, sample: { ...m.sample, rows: unpackRows(m.sample.rows) } } : m.ok);
      else if (m.error.user) reject(new UserError(m.error.message, m.error.problems));
      else reject(Object.assign(new Error(m.error.message), { stack: m.error.stack }));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (!answered) reject(new Error(`the workload worker exited with code ${code} before answering`));
    });
  });
}
