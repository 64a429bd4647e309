/**
 * A fake Anthropic Messages API (POST /v1/messages) that replays the SSE stream exactly as
 * Anthropic documents it: message_start (input usage), content_block_start, ping, one
 * content_block_delta/text_delta per token, content_block_stop, message_delta (stop_reason,
 * output usage), message_stop. Errors use the documented `{"type":"error","error":{...}}`
 * body, in a 4xx/5xx answer or as an `event: error` inside a 200 stream.
 * https://docs.anthropic.com/en/docs/build-with-claude/streaming
 * https://docs.anthropic.com/en/api/errors
 */
import type { Handler } from './fake-openai.js';
import { answerLater, modeOf, play, sendJson, sse, type TokenScript } from './fake-wire.js';

const error = (type: string, message: string) => ({ type: 'error', error: { type, message } });

export function anthropicHandler(s: TokenScript): Handler {
  const finish = s.finishReason ?? 'max_tokens';
  return async (req, res) => {
    if (req.url !== '/v1/messages') return sendJson(res, 404, error('not_found_error', `Not found: ${req.url}`));
    const mode = modeOf(req);
    if (mode === 'fail') return sendJson(res, 400, error('invalid_request_error', 'prompt is too long: 210000 tokens > 200000 maximum'));
    if (!req.body.stream) {
      if (mode === 'break') return sendJson(res, 529, error('overloaded_error', 'Overloaded'));
      return answerLater(res, s, {
        id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
        type: 'message',
        role: 'assistant',
        content: [{ type: 'text', text: s.tokens.join('') }],
        model: req.body.model,
        stop_reason: finish,
        stop_sequence: null,
        usage: { input_tokens: s.promptTokens, output_tokens: s.tokens.length },
      });
    }
    const delta = (text: string) => sse({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } }, 'content_block_delta');
    const tokens = mode === 'break' ? [delta(s.tokens[0]), sse(error('overloaded_error', 'Overloaded'), 'error')] : s.tokens.map(delta);
    return play(
      res,
      'text/event-stream; charset=utf-8',
      {
        head: [
          sse(
            {
              type: 'message_start',
              message: {
                id: 'msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY',
                type: 'message',
                role: 'assistant',
                content: [],
                model: req.body.model,
                stop_reason: null,
                stop_sequence: null,
                usage: { input_tokens: s.promptTokens, output_tokens: 1 },
              },
            },
            'message_start',
          ),
          sse({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }, 'content_block_start'),
          sse({ type: 'ping' }, 'ping'),
        ],
        tokens,
        tail:
          mode === 'break'
            ? []
            : [
                sse({ type: 'content_block_stop', index: 0 }, 'content_block_stop'),
                sse(
                  { type: 'message_delta', delta: { stop_reason: finish, stop_sequence: null }, usage: { output_tokens: s.tokens.length } },
                  'message_delta',
                ),
                sse({ type: 'message_stop' }, 'message_stop'),
              ],
      },
      s,
    );
  };
}
