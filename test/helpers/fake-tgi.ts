/**
 * A fake Text Generation Inference server, native routes: POST /generate (one JSON answer)
 * and POST /generate_stream (SSE). As TGI writes them, frames are `data:{...}` with no
 * space, one per token: {"index","token":{"id","text","logprob","special"},
 * "generated_text":null,"details":null}; the last one carries generated_text and details
 * (finish_reason, generated_tokens, seed, input_length). With finish_reason eos_token the
 * last frame is the special end-of-sequence token. Errors: {"error","error_type"}, 422 for
 * validation, 424 for a generation failure, and the same object inside a 200 stream.
 * /generate answers carry TGI's timing headers (TGI_TIMING_HEADERS, ms); streams do not.
 * https://huggingface.co/docs/text-generation-inference/conceptual/streaming
 * https://huggingface.github.io/text-generation-inference/ (GenerateResponse, StreamResponse, ErrorResponse)
 */
import type { Handler } from './fake-openai.js';
import { answerLater, modeOf, play, sendJson, type TokenScript } from './fake-wire.js';

const frame = (data: unknown) => `data:${JSON.stringify(data)}\n\n`;

/** What the fake's /generate answers say in TGI's timing headers (ms, as TGI writes them). */
export const TGI_TIMINGS = { validation: 1, queue: 3, inference: 140 };

function timingHeaders(s: TokenScript, generated: number): Record<string, string> {
  const t = TGI_TIMINGS;
  return {
    'x-compute-type': 'gpu+optimized',
    'x-compute-characters': '10',
    'x-total-time': String(t.validation + t.queue + t.inference),
    'x-validation-time': String(t.validation),
    'x-queue-time': String(t.queue),
    'x-inference-time': String(t.inference),
    'x-time-per-token': String(Math.floor(t.inference / generated)),
    'x-prompt-tokens': String(s.promptTokens),
    'x-generated-tokens': String(generated),
  };
}

export function tgiHandler(s: TokenScript): Handler {
  const finish = s.finishReason ?? 'length';
  const eos = finish === 'eos_token';
  const generated = s.tokens.length + (eos ? 1 : 0);
  const text = s.tokens.join('');
  const token = (i: number, t: string, special = false) => ({ id: 1000 + i, text: t, logprob: -0.25, special });
  return async (req, res) => {
    const mode = modeOf(req);
    if (mode === 'fail') {
      return sendJson(res, 422, {
        error: 'Input validation error: `inputs` tokens + `max_new_tokens` must be <= 4096. Given: 4000 `inputs` tokens and 200 `max_new_tokens`',
        error_type: 'validation',
      });
    }
    const generationError = { error: 'Request failed during generation: Server error: CUDA out of memory', error_type: 'generation' };
    if (req.url === '/generate') {
      if (mode === 'break') return sendJson(res, 424, generationError);
      return answerLater(res, s, {
        generated_text: text,
        details: {
          finish_reason: finish,
          generated_tokens: generated,
          seed: null,
          prefill: [],
          tokens: s.tokens.map((t, i) => token(i, t)),
        },
      }, timingHeaders(s, generated));
    }
    if (req.url !== '/generate_stream') return sendJson(res, 404, { error: 'not found', error_type: 'not_found' });
    const details = { finish_reason: finish, generated_tokens: generated, seed: null, input_length: s.promptTokens };
    const tokens = s.tokens.map((t, i) => {
      const last = i === s.tokens.length - 1 && !eos;
      return frame({ index: i + 1, token: token(i, t), generated_text: last ? text : null, details: last ? details : null });
    });
    const tail = eos
      ? [frame({ index: generated, token: token(generated, '</s>', true), generated_text: text, details })]
      : [];
    if (mode === 'break') {
      return play(res, 'text/event-stream', { head: [], tokens: [tokens[0], frame(generationError)], tail: [] }, s);
    }
    return play(res, 'text/event-stream', { head: [], tokens, tail }, s);
  };
}
