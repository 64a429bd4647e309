import { describe, expect, it } from 'vitest';
import { targetSchema } from '../../../src/spec/schema.js';
import { createHttpTemplate, httpTemplate, renderBody } from '../../../src/providers/http-template.js';
import { getAt, parseJsonPath } from '../../../src/providers/json-path.js';
import { buildCtx, decodeWire, target } from './decode.js';

const vars = { prompt: 'Hi', messages: [{ role: 'user', content: 'Hi' }], stream: true, params: { max_tokens: 8, model: 'm' } };

describe('json paths', () => {
  it('reads dots, indexes and a leading $', () => {
    const v = { choices: [{ delta: { content: 'x' } }] };
    for (const p of ['choices.0.delta.content', 'choices[0].delta.content', '$.choices[0].delta.content']) {
      expect(getAt(v, parseJsonPath(p)), p).toBe('x');
    }
    expect(parseJsonPath('a.b[2][3].c')).toEqual(['a', 'b', 2, 3, 'c']);
    expect(getAt(v, parseJsonPath('choices.1.delta'))).toBeUndefined();
    expect(getAt(null, parseJsonPath('a'))).toBeUndefined();
  });
});

describe('body templates', () => {
  it('a whole-string placeholder keeps the JSON type; inside text it is spliced; a missing param drops the field', () => {
    expect(
      renderBody(
        { in: '{{prompt}}', n: '{{param.max_tokens}}', s: '{{ stream }}', all: '{{params}}', msg: '{{messages}}', note: 'model={{param.model}}', gone: '{{param.top_k}}', list: ['{{param.top_k}}', 1] },
        vars,
      ),
    ).toEqual({ in: 'Hi', n: 8, s: true, all: { max_tokens: 8, model: 'm' }, msg: vars.messages, note: 'model=m', list: [1] });
  });

  it('a string template is JSON text whose placeholders are JSON values', () => {
    expect(renderBody('{"in": {{prompt}}, "n": {{param.max_tokens}}, "k": {{param.top_k}}}', vars)).toEqual({ in: 'Hi', n: 8, k: null });
    expect(() => renderBody('{"in": "{{prompt}}"}', vars)).toThrow();
  });
});

describe('http provider', () => {
  const config = {
    path: '/models/{{param.model}}/infer',
    stream_path: '/models/{{param.model}}/stream',
    body: { input: '{{prompt}}', max: '{{param.max_tokens}}', stream: '{{stream}}' },
    stream: 'ndjson' as const,
    paths: { text: 'out.text', finish_reason: 'stop', completion_tokens: 'n', error: 'err' },
  };

  it('builds from the template, with the stream path and URL-encoded params in it', () => {
    const t = target({ provider: 'http', api_key: 'k', http: config });
    const p = httpTemplate.configure!(t);
    expect(p.framing).toBe('ndjson');
    const req = p.build(buildCtx(t, { model: 'a/b', max_tokens: 8 }));
    expect(req).toEqual({
      url: 'http://127.0.0.1:9/models/a%2Fb/stream',
      headers: { authorization: 'Bearer k' },
      body: { input: 'Hi', max: 8, stream: true },
    });
    expect(p.build(buildCtx(t, { model: 'a', max_tokens: 8 }, { stream: false })).url).toBe('http://127.0.0.1:9/models/a/infer');
  });

  it('decodes by the paths; a finish reason completes the stream; an error path is an error', () => {
    const p = createHttpTemplate(target({ provider: 'http', http: config }).http!);
    const d = decodeWire(p, '{"out":{"text":"He"}}\n{"out":{"text":"y"}}\n{"out":{"text":""},"stop":"eos","n":2}\n');
    expect(d).toMatchObject({ text: 'Hey', finishReason: 'eos', usage: { completion_tokens: 2 }, done: false });
    expect(decodeWire(p, '{"err":"quota exceeded"}\n').error).toBe('quota exceeded');
    expect(p.parseResponse({ out: { text: 'Hey' }, stop: 'eos' })).toMatchObject({ text: 'Hey', finishReason: 'eos' });
    expect(() => p.parseResponse({ text: 'Hey' })).toThrow(/no text at paths.text \(out.text\)/);
    expect(() => p.parseResponse({ err: 'nope' })).toThrow(/reports an error: nope/);
    expect(p.errorMessage(429, '{"err":"slow down"}')).toBe('HTTP 429: slow down');
  });

  it('with no end signal configured, any event may be the last; a done marker or done path ends it', () => {
    const bare = createHttpTemplate(target({ provider: 'http', http: { body: {}, paths: { text: 't' } } }).http!);
    expect(decodeWire(bare, 'data: {"t":"a"}\n\n').done).toBe(true);
    const marked = createHttpTemplate(target({ provider: 'http', http: { body: {}, done_marker: '[DONE]', paths: { text: 't' } } }).http!);
    expect(decodeWire(marked, 'data: {"t":"a"}\n\n').done).toBe(false);
    expect(decodeWire(marked, 'data: {"t":"a"}\n\ndata: [DONE]\n\n').done).toBe(true);
    const flagged = createHttpTemplate(target({ provider: 'http', http: { body: {}, stream: 'ndjson', paths: { text: 't', done: 'fin' } } }).http!);
    expect(decodeWire(flagged, '{"t":"a","fin":false}\n').done).toBe(false);
    expect(decodeWire(flagged, '{"t":"a"}\n{"t":"","fin":true}\n').done).toBe(true);
  });

  it('checks: params the template does not send, placeholders without a value, unknown names, broken JSON text', () => {
    const t = target({ provider: 'http', http: config });
    const p = httpTemplate.configure!(t);
    expect(p.checkParams!(['model', 'max_tokens'], t)).toEqual([]);
    expect(p.checkParams!(['model', 'max_tokens', 'top_p'], t)).toEqual([
      { key: 'top_p', message: "provider 'http' would not send 'top_p': target.http.body has no {{param.top_p}} (or {{params}}) placeholder" },
    ]);
    expect(p.checkParams!(['model'], t).map((x) => x.message)).toEqual([
      "target.http uses {{param.max_tokens}}, but no params or matrix key 'max_tokens' gives it a value",
    ]);
    const odd = target({ provider: 'http', http: { body: '{"a": "{{prompt}}", "b": {{promt}}}', paths: { text: 't' } } });
    expect(httpTemplate.configure!(odd).checkParams!([], odd).map((x) => x.message)).toEqual([
      'unknown placeholder {{promt}} in target.http; use {{prompt}}, {{messages}}, {{stream}}, {{params}} or {{param.NAME}}',
      expect.stringMatching(/^target.http.body is not JSON once its placeholders are filled .*write \{"input": \{\{prompt\}\}\}/),
    ]);
    const all = target({ provider: 'http', http: { body: { x: '{{params}}' }, paths: { text: 't' } } });
    expect(httpTemplate.configure!(all).checkParams!(['anything'], all)).toEqual([]);
  });

  it('needs target.http: its target schema requires it, and takes no other provider\'s settings', () => {
    const missing = targetSchema.safeParse({ provider: 'http', base_url: 'http://127.0.0.1:9' });
    expect(missing.success).toBe(false);
    expect(missing.error!.issues[0]).toMatchObject({ path: ['http'], code: 'invalid_type' });
    const elsewhere = targetSchema.safeParse({ provider: 'tgi', base_url: 'http://127.0.0.1:9', http: { body: {}, paths: { text: 't' } } });
    expect(elsewhere.error!.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['http'] });
  });
});
