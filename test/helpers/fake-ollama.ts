/**
 * A fake Ollama server, native API: POST /api/chat and /api/generate, streamed as NDJSON
 * (application/x-ndjson, one JSON object per line): {"model","created_at","message":
 * {"role":"assistant","content":"The"},"done":false} (or "response" on /api/generate), and a
 * final object with done: true, done_reason, prompt_eval_count, eval_count and the durations
 * in nanoseconds. With stream: false, one object with the whole answer and the same stats.
 * Errors: {"error": "..."}, with a 4xx/5xx status or as a line of the stream.
 * https://github.com/ollama/ollama/blob/main/docs/api.md
 */
import type { Handler } from './fake-openai.js';
import { answerLater, modeOf, ndjson, play, sendJson, type TokenScript } from './fake-wire.js';

/** The server-side timings the fake reports, ns (as Ollama does). */
export const OLLAMA_STATS = {
  total_duration: 250_000_000,
  load_duration: 5_000_000,
  prompt_eval_duration: 20_000_000,
  eval_duration: 200_000_000,
};

export function ollamaHandler(s: TokenScript): Handler {
  const finish = s.finishReason ?? 'length';
  const created_at = '2023-08-04T19:22:45.499127Z';
  return async (req, res) => {
    const chat = req.url === '/api/chat';
    if (!chat && req.url !== '/api/generate') return sendJson(res, 404, { error: '404 page not found' });
    const mode = modeOf(req);
    if (mode === 'fail') return sendJson(res, 404, { error: `model "${String(req.body.model)}" not found, try pulling it first` });
    const piece = (text: string) => (chat ? { message: { role: 'assistant', content: text } } : { response: text });
    const stats = { ...OLLAMA_STATS, prompt_eval_count: s.promptTokens, eval_count: s.tokens.length };
    const model = req.body.model;
    if (req.body.stream === false) {
      if (mode === 'break') return sendJson(res, 500, { error: 'an error was encountered while running the model: unexpected EOF' });
      return answerLater(res, s, { model, created_at, ...piece(s.tokens.join('')), done_reason: finish, done: true, ...stats });
    }
    const tokens = s.tokens.map((t) => ndjson({ model, created_at, ...piece(t), done: false }));
    if (mode === 'break') {
      const err = ndjson({ error: 'an error was encountered while running the model: unexpected EOF' });
      return play(res, 'application/x-ndjson', { head: [], tokens: [tokens[0], err], tail: [] }, s);
    }
    const final = ndjson({ model, created_at, ...piece(''), done_reason: finish, done: true, ...stats });
    return play(res, 'application/x-ndjson', { head: [], tokens, tail: [final] }, s);
  };
}
