/**
 * The spec's workload form of `prompts:` (a mapping instead of a list): one source
 * (synthetic, dataset, trace, or conversation, which may take its turns from a dataset),
 * an optional shared prefix, and the server family that decides how output lengths are
 * asked for. Each source's own schema lives in its file.
 */
import { z } from 'zod';
import { conversationSchema } from './conversation.js';
import { datasetSchema } from './dataset.js';
import { SERVER_FAMILIES } from './output-length.js';
import { prefixSchema } from './prefix.js';
import { syntheticSchema } from './synthetic.js';
import { traceSchema } from './trace.js';

export const SOURCES = ['synthetic', 'dataset', 'trace', 'conversation'] as const;

/** The spec's `tokenizer:` when it gives none. */
export const DEFAULT_TOKENIZER = 'o200k';

export const workloadSchema = z
  .strictObject({
    synthetic: syntheticSchema.optional(),
    dataset: datasetSchema.optional(),
    trace: traceSchema.optional(),
    conversation: conversationSchema.optional(),
    prefix: prefixSchema.optional(),
    server: z
      .enum(SERVER_FAMILIES)
      .optional()
      .describe(
        'Server family, for asking output lengths: vllm, sglang, llama.cpp send ignore_eos (exact lengths); tgi, ollama, openai, anthropic, triton only cap them. Default from the provider (openai-chat: vllm, or openai for api.openai.com).',
      ),
  })
  .superRefine((w, ctx) => {
    const given = SOURCES.filter((k) => w[k] !== undefined);
    const sources = given.filter((k) => !(k === 'dataset' && w.conversation !== undefined));
    if (given.length === 0) {
      ctx.addIssue({ code: 'custom', path: [], message: `needs one of ${SOURCES.join(', ')} (or write prompts as a list)` });
    } else if (sources.length > 1) {
      ctx.addIssue({ code: 'custom', path: [sources[1]], message: `cannot go with ${sources[0]}: a workload has one source (a conversation may take its turns from a dataset)` });
    }
    if (w.prefix && (w.trace || w.conversation)) {
      ctx.addIssue({ code: 'custom', path: ['prefix'], message: `cannot go with ${w.trace ? 'trace (its hash_ids are the shared prefixes)' : 'conversation (the history is the shared prefix)'}` });
    }
    if (w.conversation && !w.dataset && w.conversation.input_tokens === undefined) {
      ctx.addIssue({ code: 'custom', path: ['conversation', 'input_tokens'], message: 'is needed for synthetic turns (or give a dataset to take the turns from)' });
    }
    if (w.conversation && w.dataset && w.conversation.input_tokens !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['conversation', 'input_tokens'], message: 'cannot go with a dataset: the turns are the dataset\'s' });
    }
  })
  .describe('A workload: synthetic prompts by token count, a dataset, a trace, or chat sessions, with an optional shared prefix.');
export type WorkloadSpec = z.infer<typeof workloadSchema>;

