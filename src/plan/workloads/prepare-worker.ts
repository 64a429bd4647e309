/**
 * Entry file of the worker thread that prepareWorkload starts: loads the tokenizer, builds
 * the vocabulary, samples the dataset or reads the trace, posts the plain result and exits,
 * taking the tokenizer's memory with it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { UserError } from '../../errors.js';
import type { DatasetRow } from './dataset.js';
import { packRows, transferables } from './packed-rows.js';
import { prepareHere, type PrepareInput, type WorkerAnswer } from './prepare.js';

const post = (m: WorkerAnswer) => parentPort?.postMessage(m);

prepareHere(workerData as PrepareInput).then(
  (prepared) => {
    // A tokenizer cannot cross threads: null tells the caller to prepare in its own thread.
    const vocab = prepared.vocab?.recount ? { ...prepared.vocab, recount: null } : prepared.vocab;
    const { sample, ...rest } = prepared;
    if (!sample) return post({ ok: { ...rest, vocab } });
    // Rows go packed in transferred buffers: moved, not copied.
    const packed = packRows(sample.rows as DatasetRow[]);
    parentPort?.postMessage({ ok: { ...rest, vocab }, sample: { ...sample, rows: packed } } satisfies WorkerAnswer, transferables(packed));
  },
  (e: unknown) => {
    const user = e instanceof UserError;
    post({ error: { message: (e as Error).message, problems: user ? e.problems : undefined, user, stack: (e as Error).stack } });
  },
);
