/**
 * The server's own tokenizer over HTTP (`tokenizer: server`): POST /tokenize at the server
 * root, in the dialect of llama.cpp (`{"content"}` -> `{"tokens"}`), vLLM (`{"model",
 * "prompt"}` -> `{"count", "tokens"}`, or `{"messages"}` with the chat template applied) or
 * TGI (`{"inputs"}` -> a list of tokens). It only counts, asynchronously; workloads use it to
 * calibrate text made with a local word list (plan/workloads/vocabulary.ts). The HTTP call
 * itself is given (the transport lives in http/), so this file stays pure.
 */
import { RunError } from '../errors.js';

export type TokenizeDialect = 'llama.cpp' | 'vllm' | 'tgi';

/** Sends one JSON POST and gives back the status and the body text. */
export type PostJson = (url: string, body: unknown) => Promise<{ status: number; body: string }>;

/** Counts text with the server's tokenizer. */
export interface ServerTokenCounter {
  /** e.g. `server (vllm, http://127.0.0.1:8000/tokenize)`. */
  name: string;
  dialect: TokenizeDialect;
  /** Tokens of `text` as the server counts them (its BOS and, for chat with vLLM, the template included). */
  count(text: string): Promise<number>;
}

export interface ServerCounterOptions {
  /** Server root (without /v1). */
  origin: string;
  /** Known dialect, or undefined to find out (vLLM first, then llama.cpp). */
  dialect?: TokenizeDialect;
  /** Model name, for vLLM. */
  model?: string;
  /** vLLM only: count the text as one user message with the chat template applied. */
  chat?: boolean;
  post: PostJson;
}

/** A counter for the server at `origin`; the first count tells the dialect apart when not given. */
export async function serverTokenCounter(opts: ServerCounterOptions): Promise<ServerTokenCounter> {
  const url = `${opts.origin.replace(/\/+$/, '')}/tokenize`;
  const ask = async (dialect: TokenizeDialect, text: string): Promise<number | undefined> => {
    const r = await opts.post(url, requestBody(dialect, text, opts)).catch((e: unknown) => {
      throw new RunError(`tokenizer: server: cannot reach ${url}: ${(e as Error).message}`);
    });
    if (r.status === 404 || r.status === 405) {
      throw new RunError(
        `tokenizer: server: ${url} answered ${r.status}: this server has no tokenize endpoint (llama.cpp, vLLM and TGI have one); name a local tokenizer instead (a tokenizer.json path, or o200k)`,
      );
    }
    if (r.status >= 400) return undefined;
    return countIn(dialect, r.body);
  };
  let dialect = opts.dialect;
  if (!dialect) {
    // vLLM first: llama.cpp answers a body without "content" with an empty token list, which
    // countIn rejects for the vLLM dialect (no "count"), so the probe cannot mistake one for the other.
    for (const d of ['vllm', 'llama.cpp', 'tgi'] as const) {
      if ((await ask(d, 'hello world')) !== undefined) {
        dialect = d;
        break;
      }
    }
    if (!dialect) {
      throw new RunError(`tokenizer: server: ${url} understood neither the vLLM, the llama.cpp nor the TGI tokenize request; name a local tokenizer instead`);
    }
  }
  const d = dialect;
  return {
    name: `server (${d}, ${url})`,
    dialect: d,
    count: async (text) => {
      const n = await ask(d, text);
      if (n === undefined) throw new RunError(`tokenizer: server: ${url} refused a ${d} tokenize request for a ${text.length}-character text`);
      return n;
    },
  };
}

function requestBody(dialect: TokenizeDialect, text: string, opts: ServerCounterOptions): unknown {
  switch (dialect) {
    case 'llama.cpp':
      return { content: text };
    case 'vllm':
      return opts.chat
        ? { model: opts.model, messages: [{ role: 'user', content: text }], add_generation_prompt: true }
        : { model: opts.model, prompt: text };
    case 'tgi':
      return { inputs: text };
  }
}

/** The count in a tokenize answer of that dialect, or undefined when it is not one. */
export function countIn(dialect: TokenizeDialect, body: string): number | undefined {
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (dialect === 'tgi') return Array.isArray(v) ? v.length : undefined;
  const o = (v && typeof v === 'object' && !Array.isArray(v) ? v : {}) as Record<string, unknown>;
  if (dialect === 'vllm') return typeof o.count === 'number' ? o.count : undefined;
  return Array.isArray(o.tokens) ? o.tokens.length : undefined;
}
