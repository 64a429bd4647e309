/**
 * POST /tokenize in the three dialects real servers speak, told apart by the body, so a
 * client's server tokenizer can be tested against the simulator:
 * llama.cpp `{"content"}` -> `{"tokens": [...]}`; vLLM `{"prompt"}` or `{"messages"}` ->
 * `{"count", "max_model_len", "tokens", "token_strs"}`; TGI `{"inputs"}` -> `[{id, text, start, stop}]`.
 * It answers only when the simulator has a tokenizer; without one it counts ceil(chars / 4)
 * and has no token ids to give.
 */
import type { Tokenizer } from '../tokenizers/types.js';
import { MAX_OUTPUT_TOKENS } from './text.js';

export interface TokenizeAnswer {
  status: number;
  body: unknown;
}

/** The answer to a POST /tokenize body. */
export function tokenizeAnswer(tokenizer: Tokenizer | undefined, raw: string): TokenizeAnswer {
  if (!tokenizer) {
    return notFound('the simulator counts prompt tokens as ceil(chars / 4); start it with a tokenizer (--tokenizer o200k) to serve /tokenize');
  }
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    return bad('the body is not JSON');
  }
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  if (typeof b.content === 'string') return { status: 200, body: { tokens: tokenizer.encode(b.content) } };
  if (typeof b.prompt === 'string' || Array.isArray(b.messages)) {
    const texts = typeof b.prompt === 'string' ? [b.prompt] : messageTexts(b.messages as unknown[]);
    const tokens = texts.flatMap((t) => tokenizer.encode(t));
    return { status: 200, body: { count: tokens.length, max_model_len: MAX_OUTPUT_TOKENS, tokens, token_strs: null } };
  }
  if (typeof b.inputs === 'string') {
    let at = 0;
    const pieces = tokenizer.encode(b.inputs).map((id) => {
      const text = tokenizer.decode([id]);
      const piece = { id, text, start: at, stop: at + text.length };
      at += text.length;
      return piece;
    });
    return { status: 200, body: pieces };
  }
  return bad('give "content" (llama.cpp), "prompt" or "messages" (vLLM), or "inputs" (TGI)');
}

function messageTexts(messages: unknown[]): string[] {
  return messages.flatMap((m) => {
    const c = (m as { content?: unknown } | null)?.content;
    if (typeof c === 'string') return [c];
    if (Array.isArray(c)) return c.flatMap((p) => (typeof (p as { text?: unknown })?.text === 'string' ? [(p as { text: string }).text] : []));
    return [];
  });
}

function bad(message: string): TokenizeAnswer {
  return { status: 400, body: { error: { code: 400, message, type: 'invalid_request_error' } } };
}

function notFound(message: string): TokenizeAnswer {
  return { status: 404, body: { error: { code: 404, message, type: 'not_found_error' } } };
}
