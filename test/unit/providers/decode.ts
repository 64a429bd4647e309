/** Runs a provider's stream decoder over raw wire text, framed by the real SSE/NDJSON parser, and merges the deltas as the runner does. */
import { createNdjsonParser } from '../../../src/providers/ndjson.js';
import { createSseParser } from '../../../src/providers/sse.js';
import type { BuildContext, Provider, ResponseHeaders, ServerReport, StreamDelta, Usage } from '../../../src/providers/types.js';
import type { Cell, Prompt } from '../../../src/plan/types.js';
import type { ProviderKind, TargetOf } from '../../../src/providers/index.js';
import { targetSchema } from '../../../src/spec/schema.js';
import type { TargetBase } from '../../../src/spec/target.js';

export interface Decoded {
  text: string;
  reasoning: string;
  /** Text pieces in order, one per delta that carried any. */
  pieces: string[];
  usage?: Usage;
  finishReason?: string;
  done: boolean;
  error?: string;
  /** The HTTP status the first error stands for. */
  errorStatus?: number;
  serverTimings?: Record<string, number>;
  server?: ServerReport;
}

export function decodeWire(provider: Pick<Provider, 'streamDecoder' | 'framing'>, wire: string | Uint8Array, headers?: ResponseHeaders): Decoded {
  const out: Decoded = { text: '', reasoning: '', pieces: [], done: false };
  const decode = provider.streamDecoder(headers);
  const onDelta = (d: StreamDelta | undefined) => {
    if (!d) return;
    if (d.error !== undefined && out.error === undefined) {
      out.error = d.error;
      if (d.errorStatus !== undefined) out.errorStatus = d.errorStatus;
    }
    if (d.text || d.reasoning) out.pieces.push((d.reasoning ?? '') + (d.text ?? ''));
    out.text += d.text ?? '';
    out.reasoning += d.reasoning ?? '';
    if (d.usage) out.usage = { ...out.usage, ...d.usage };
    if (d.finishReason) out.finishReason = d.finishReason;
    if (d.done) out.done = true;
    if (d.serverTimings) out.serverTimings = { ...out.serverTimings, ...d.serverTimings };
    if (d.server) out.server = { ...out.server, ...d.server };
  };
  const parser =
    provider.framing === 'ndjson'
      ? createNdjsonParser((line) => onDelta(decode({ data: line })))
      : createSseParser((e) => onDelta(decode({ event: e.event, data: e.data })));
  parser.push(typeof wire === 'string' ? new TextEncoder().encode(wire) : wire);
  parser.end();
  return out;
}

/** A validated target of provider `K` (openai-chat when `fields` names none). */
export function target<K extends ProviderKind = 'openai-chat'>(fields: { provider?: K } & Record<string, unknown>): TargetOf<K> {
  return targetSchema.parse({ base_url: 'http://127.0.0.1:9', ...fields }) as TargetOf<K>;
}

export function buildCtx<T extends TargetBase>(t: T, body: Record<string, unknown>, opts: { stream?: boolean; prompt?: Partial<Prompt> } = {}): BuildContext<T> {
  const cell: Cell = {
    id: 'c',
    index: 0,
    target: 'default',
    group: 0,
    params: {},
    body,
    maxTokens: undefined,
    load: { concurrency: 1, stream: opts.stream ?? true },
    requests: 1,
    warmup: 0,
  };
  const prompt: Prompt = {
    id: 0,
    messages: [{ role: 'user', content: 'Hi' }],
    text: 'Hi',
    origin: 'prompts[0]',
    ...opts.prompt,
  };
  return { target: t, cell, prompt, stream: opts.stream ?? true, askUsage: true };
}
