/**
 * A fake Triton server with the generate extension: POST /v2/models/{model}/generate (one
 * JSON object) and /generate_stream (SSE, one `data:` object per response), as the vLLM
 * backend answers: {"model_name","model_version","text_output"} plus, when the request asks
 * for them (return_finish_reason, return_num_input_tokens, return_num_output_tokens),
 * finish_reason (str(None) until the end), num_input_tokens and num_output_tokens (per
 * response). No end marker: the stream just closes. Errors are {"error": "..."}, with a 4xx
 * status or inside a 200 stream.
 * https://github.com/triton-inference-server/server/blob/main/docs/protocol/extension_generate.md
 * https://github.com/triton-inference-server/vllm_backend#additional-outputs
 */
import type { Handler } from './fake-openai.js';
import { answerLater, modeOf, play, sendJson, sse, type TokenScript } from './fake-wire.js';

export function tritonHandler(s: TokenScript, names: { input?: string; output?: string } = {}): Handler {
  const input = names.input ?? 'text_input';
  const output = names.output ?? 'text_output';
  const finish = s.finishReason ?? 'length';
  return async (req, res) => {
    const m = /^\/v2\/models\/([^/]+)\/(generate|generate_stream)$/.exec(req.url);
    if (!m) return sendJson(res, 404, { error: `Not Found: ${req.url}` });
    if (typeof req.body[input] !== 'string') return sendJson(res, 400, { error: `input '${input}' is missing` });
    const mode = modeOf(req);
    if (mode === 'fail') return sendJson(res, 400, { error: `Request for unknown model: 'nope' is not found` });
    const p = { ...(req.body.parameters as Record<string, unknown> | undefined), ...req.body };
    const extra = (i: number | 'all') => ({
      ...(p.return_finish_reason ? { finish_reason: i === 'all' || i === s.tokens.length - 1 ? finish : 'None' } : {}),
      ...(p.return_num_input_tokens ? { num_input_tokens: s.promptTokens } : {}),
      ...(p.return_num_output_tokens ? { num_output_tokens: i === 'all' ? s.tokens.length : 1 } : {}),
    });
    const base = { model_name: decodeURIComponent(m[1]), model_version: '1' };
    if (m[2] === 'generate') {
      if (mode === 'break') return sendJson(res, 500, { error: 'CUDA out of memory' });
      return answerLater(res, s, { ...base, [output]: s.tokens.join(''), ...extra('all') });
    }
    const tokens = s.tokens.map((t, i) => sse({ ...base, [output]: t, ...extra(i) }));
    if (mode === 'break') {
      return play(res, 'text/event-stream; charset=utf-8', { head: [], tokens: [tokens[0], sse({ error: 'CUDA out of memory' })], tail: [] }, s);
    }
    return play(res, 'text/event-stream; charset=utf-8', { head: [], tokens, tail: [] }, s);
  };
}
