/**
 * A fake OpenAI chat server whose latency grows with the requests in flight past a batch
 * size, like a real inference server, so a concurrency sweep shows a throughput-latency
 * knee. Deterministic jitter (by request number); optional scripted failures.
 */
import type { ServerResponse } from 'node:http';
import { openaiError, streamChat, type SeenRequest } from './fake-openai.js';

export interface KneeOptions {
  /** Requests served at full speed at once. */
  batch?: number;
  /** TTFT with an idle server, ms. */
  ttftMs?: number;
  /** Gap between tokens with an idle server, ms. */
  itlMs?: number;
  /** Output tokens per answer (times max_tokens / 16 when the request sets max_tokens). */
  tokens?: number;
  /** Return this status for a request, or undefined to answer. */
  fail?: (req: SeenRequest) => number | undefined;
}

export function kneeHandler(opts: KneeOptions = {}) {
  const batch = opts.batch ?? 4;
  // Continuous batching in miniature: `batch` sequences decode at once, the rest wait for
  // a slot (their wait shows up in TTFT); each step slows a little as the batch fills.
  let active = 0;
  const waiting: (() => void)[] = [];
  const acquire = () => (active < batch ? (active++, Promise.resolve()) : new Promise<void>((r) => waiting.push(r)));
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else active--;
  };
  return async (req: SeenRequest, res: ServerResponse): Promise<void> => {
    const status = opts.fail?.(req);
    if (status !== undefined) return openaiError(res, status, status === 429 ? 'rate limited' : 'upstream busy', { 'retry-after': '0' });
    await acquire();
    try {
      const jitter = ((req.n * 7919) % 17) / 17; // 0..1, deterministic
      const temperature = typeof req.body.temperature === 'number' ? req.body.temperature : 0;
      const n = Math.max(2, Math.round((opts.tokens ?? 12) * (1 + temperature * 0.3)));
      const tokens = Array.from({ length: n }, (_, i) => (i === 0 ? 'Tok' : ' tok'));
      await streamChat(
        res,
        {
          // Counted from here; the client's TTFT also holds the wait for a slot.
          ttftMs: (opts.ttftMs ?? 25) * (1 + 0.1 * (active - 1)) + jitter * 10,
          itlMs: (opts.itlMs ?? 4) * (1 + 0.12 * (active - 1)),
          tokens,
          usage: 'separate',
          promptTokens: 9,
        },
        Boolean((req.body.stream_options as { include_usage?: boolean } | undefined)?.include_usage),
      );
    } finally {
      release();
    }
  };
}
