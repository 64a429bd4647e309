/**
 * Request bodies encoded once per cell and prompt: a 500 KB prompt sent by 64 requests at
 * once would otherwise be encoded 64 times (a string and a Buffer each, and their garbage),
 * which made such runs peak at ~390 MB. A body depends only on the cell, the prompt and
 * whether usage is asked for, so one Buffer serves every request that sends it. Small
 * bodies are cheaper to encode again than to keep (a plan of 100,000 short prompts).
 */

/** Bodies from this size on are kept, bytes (UTF-16 length of the JSON text, a close bound). */
export const CACHE_FROM_CHARS = 16 * 1024;

export interface BodyCache {
  /** `body` encoded as UTF-8 JSON, from the cache when the same `key` was encoded before. */
  encode(key: string, body: unknown): Buffer;
}

export function createBodyCache(): BodyCache {
  const bodies = new Map<string, Buffer>();
  return {
    encode(key, body) {
      const hit = bodies.get(key);
      if (hit) return hit;
      // Encoded here either way (the transport would do the same): small ones are not kept.
      const text = JSON.stringify(body);
      const bytes = Buffer.from(text, 'utf8');
      if (text.length >= CACHE_FROM_CHARS) bodies.set(key, bytes);
      return bytes;
    },
  };
}
