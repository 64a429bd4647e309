/**
 * A made-up in-house gateway for the templated `http` provider (its format is defined here,
 * on purpose unlike any vendor's): POST /infer with {"input", "max_len", "temp", "stream"}.
 * Streamed as SSE (`data: {"delta":{"text":".."}}`, a final event with "stop" and
 * "usage":{"in","out"}, then `data: [DONE]`) or as NDJSON (POST /infer-lines, the same
 * objects one per line); not streamed: {"output":{"text"},"stop","usage"}.
 * Errors: {"failure":{"msg": ".."}}, with a 4xx status or inside a 200 stream.
 */
import type { Handler } from './fake-openai.js';
import { answerLater, modeOf, ndjson, play, sendJson, sse, type TokenScript } from './fake-wire.js';

export function gatewayHandler(s: TokenScript): Handler {
  const stop = s.finishReason ?? 'max_len';
  return async (req, res) => {
    const lines = req.url === '/infer-lines';
    if (req.url !== '/infer' && !lines) return sendJson(res, 404, { failure: { msg: 'no such route' } });
    const mode = modeOf(req);
    if (mode === 'fail') return sendJson(res, 400, { failure: { msg: 'input too long for this tier' } });
    const usage = { in: s.promptTokens, out: s.tokens.length };
    if (req.body.stream !== true) {
      if (mode === 'break') return sendJson(res, 500, { failure: { msg: 'backend unavailable' } });
      return answerLater(res, s, { output: { text: s.tokens.join('') }, stop, usage });
    }
    const frame = lines ? ndjson : (o: unknown) => sse(o);
    const tokens = s.tokens.map((t) => frame({ delta: { text: t } }));
    if (mode === 'break') {
      return play(res, lines ? 'application/x-ndjson' : 'text/event-stream', { head: [], tokens: [tokens[0], frame({ failure: { msg: 'backend went away' } })], tail: [] }, s);
    }
    const tail = [frame({ delta: { text: '' }, stop, usage }), ...(lines ? [] : ['data: [DONE]\n\n'])];
    return play(res, lines ? 'application/x-ndjson' : 'text/event-stream', { head: [], tokens, tail }, s);
  };
}
