/**
 * A fake Azure OpenAI resource: POST /openai/deployments/{deployment}/chat/completions
 * ?api-version=... with an `api-key` header. The stream is OpenAI's chat stream as Azure
 * sends it: a first chunk with `choices: []` and prompt_filter_results, content_filter_results
 * on every choice, the usage chunk when stream_options.include_usage is set, data: [DONE].
 * An unknown deployment is a 404 DeploymentNotFound; a filtered prompt a 400 content_filter.
 * https://learn.microsoft.com/en-us/azure/ai-services/openai/reference#chat-completions
 * https://learn.microsoft.com/en-us/azure/ai-services/openai/concepts/content-filter
 */
import type { Handler } from './fake-openai.js';
import { answerLater, modeOf, play, sendJson, sse, type TokenScript } from './fake-wire.js';

const filters = { hate: { filtered: false, severity: 'safe' }, self_harm: { filtered: false, severity: 'safe' } };

export function azureHandler(s: TokenScript, deployments: readonly string[]): Handler {
  const finish = s.finishReason ?? 'length';
  return async (req, res) => {
    const url = new URL(req.url, 'http://x');
    const m = /^\/openai\/deployments\/([^/]+)\/chat\/completions$/.exec(url.pathname);
    if (!m || !url.searchParams.get('api-version')) return sendJson(res, 404, { error: { code: '404', message: 'Resource not found' } });
    if (!deployments.includes(decodeURIComponent(m[1]))) {
      return sendJson(res, 404, {
        error: {
          code: 'DeploymentNotFound',
          message: 'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.',
        },
      });
    }
    const mode = modeOf(req);
    if (mode === 'fail') {
      return sendJson(res, 400, {
        error: {
          message: "The response was filtered due to the prompt triggering Azure OpenAI's content management policy.",
          type: null,
          param: 'prompt',
          code: 'content_filter',
          status: 400,
        },
      });
    }
    const usage = { prompt_tokens: s.promptTokens, completion_tokens: s.tokens.length, total_tokens: s.promptTokens + s.tokens.length };
    const model = 'gpt-4o-mini-2024-07-18';
    if (!req.body.stream) {
      if (mode === 'break') return sendJson(res, 500, { error: { code: 'InternalServerError', message: 'The server had an error processing your request.' } });
      return answerLater(res, s, {
        id: 'chatcmpl-azure',
        object: 'chat.completion',
        created: 1700000000,
        model,
        prompt_filter_results: [{ prompt_index: 0, content_filter_results: filters }],
        choices: [{ index: 0, finish_reason: finish, message: { role: 'assistant', content: s.tokens.join('') }, content_filter_results: filters }],
        usage,
      });
    }
    const chunk = (delta: Record<string, unknown>, finishReason: string | null) =>
      sse({
        id: 'chatcmpl-azure',
        object: 'chat.completion.chunk',
        created: 1700000000,
        model,
        choices: [{ index: 0, delta, finish_reason: finishReason, content_filter_results: finishReason ? {} : filters }],
      });
    const head = [
      sse({ choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: [{ prompt_index: 0, content_filter_results: filters }] }),
      chunk({ role: 'assistant', content: '' }, null),
    ];
    const tokens = s.tokens.map((t) => chunk({ content: t }, null));
    if (mode === 'break') {
      const err = sse({ error: { message: 'The server had an error while processing your request.', type: 'server_error' } });
      return play(res, 'text/event-stream', { head, tokens: [tokens[0], err], tail: [] }, s);
    }
    const wantUsage = Boolean((req.body.stream_options as { include_usage?: boolean } | undefined)?.include_usage);
    const tail = [
      chunk({}, finish),
      ...(wantUsage ? [sse({ id: 'chatcmpl-azure', object: 'chat.completion.chunk', created: 1700000000, model, choices: [], usage })] : []),
      'data: [DONE]\n\n',
    ];
    return play(res, 'text/event-stream', { head, tokens, tail }, s);
  };
}
