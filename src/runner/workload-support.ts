/**
 * What the runner adds for workloads: the server's tokenize endpoint reached through the
 * transport (for `tokenizer: server`), and the check that the server counted the prompt
 * tokens the workload meant to send.
 */
import { HttpFailure, createHttpClient } from '../http/client.js';
import type { CellSummary } from '../metrics/summary.js';
import type { Target } from '../spec/schema.js';
import type { PostJson } from '../tokenizers/server.js';

/** A JSON POST through the HTTP client, with the target's headers and key; errors come back as statuses. */
export function postJson(target: Target): PostJson {
  return async (url, body) => {
    const client = createHttpClient({
      concurrency: 1,
      connectTimeoutMs: target.timeout.connect_ms,
      readTimeoutMs: target.timeout.read_ms,
      retry: { ...target.retry, retries: 1 },
    });
    const headers: Record<string, string> = { 'content-type': 'application/json', ...target.headers };
    if (target.api_key) headers.authorization ??= `Bearer ${target.api_key}`;
    try {
      const r = await client.post({ url, headers, body });
      const chunks: Buffer[] = [];
      await r.consume((c) => chunks.push(c));
      return { status: r.status, body: Buffer.concat(chunks).toString('utf8') };
    } catch (e) {
      if (e instanceof HttpFailure && e.status !== undefined) return { status: e.status, body: e.bodyText ?? '' };
      throw e;
    } finally {
      client.close();
    }
  };
}

/** How far the server's prompt count may stray from the workload's before the run says so. */
export const MISMATCH = 0.05;

/** A warning when the server's mean prompt tokens differ from the requested ones by more than 5%. */
export function tokenMismatch(s: CellSummary, tokenizer: string | undefined): string | undefined {
  const asked = s.input_tokens_requested;
  const got = s.prompt_tokens_mean;
  if (asked === undefined || got === undefined || asked <= 0 || s.estimated_tokens > 0) return undefined;
  const diff = got / asked - 1;
  if (Math.abs(diff) <= MISMATCH) return undefined;
  const pct = `${diff > 0 ? '+' : ''}${(diff * 100).toFixed(1)}%`;
  return (
    `the server counted ${got.toFixed(1)} prompt tokens per request, the workload wrote ${asked.toFixed(1)} by ${tokenizer ?? 'its tokenizer'} (${pct}): ` +
    "a tokenizer other than the model's, or the chat template; set tokenizer: to the model's tokenizer.json, or to server"
  );
}
