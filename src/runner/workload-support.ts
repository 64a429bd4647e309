/**
 * The server's tokenize endpoint reached through the transport, for `tokenizer: server`
 * (tokenizers/server.ts is given this function, so it stays free of HTTP).
 */
import { HttpFailure, createHttpClient } from '../http/client.js';
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
