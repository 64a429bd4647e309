import { describe, expect, it } from 'vitest';
import { isSecretHeader, redact, REDACTED, scrub, secretsOf } from '../../../src/spec/redact.js';
import { load } from './helpers.js';

const target = (extra: Record<string, unknown>) =>
  ({
    target: {
      provider: 'openai-chat',
      base_url: 'http://127.0.0.1:8000/v1',
      headers: {},
      ...extra,
    },
  }) as unknown as Parameters<typeof redact>[0];

describe('redaction', () => {
  it('replaces api_key and auth headers, and keeps other headers', () => {
    const spec = target({
      api_key: 'sk-live-1234567890',
      headers: {
        Authorization: 'Bearer sk-live-1234567890',
        'x-api-key': 'anthropic-abcdef',
        'api-key': 'azure-abcdef',
        'Ocp-Apim-Subscription-Key': 'apim-abcdef',
        'X-Request-Source': 'ci',
      },
    });
    const out = redact(spec);
    expect(out.target!.api_key).toBe(REDACTED);
    expect(out.target!.headers).toEqual({
      Authorization: REDACTED,
      'x-api-key': REDACTED,
      'api-key': REDACTED,
      'Ocp-Apim-Subscription-Key': REDACTED,
      'X-Request-Source': 'ci',
    });
    // The input is not touched.
    expect(spec.target!.api_key).toBe('sk-live-1234567890');
  });

  it('recognises auth-like header names', () => {
    for (const h of ['Authorization', 'Proxy-Authorization', 'x-api-key', 'X-Goog-Api-Key', 'Cookie', 'X-Auth-Token']) {
      expect(isSecretHeader(h)).toBe(true);
    }
    for (const h of ['Content-Type', 'X-Request-Source', 'User-Agent']) expect(isSecretHeader(h)).toBe(false);
  });

  it('lists secrets longest first, with the token of "Bearer <token>" on its own', () => {
    const secrets = secretsOf(target({ api_key: 'sk-1234', headers: { Authorization: 'Bearer tok-abcdefgh' } }));
    expect(secrets).toEqual(['Bearer tok-abcdefgh', 'tok-abcdefgh', 'sk-1234']);
  });

  it('scrub() removes every secret from a message', () => {
    const secrets = ['sk-live-1234567890', 'tok-abcdefgh'];
    expect(scrub('401 for key sk-live-1234567890 (header: Bearer tok-abcdefgh), again sk-live-1234567890', secrets)).toBe(
      '401 for key *** (header: Bearer ***), again ***',
    );
    // Too short to scrub safely: left alone rather than garbling the text.
    expect(scrub('a b c', ['a'])).toBe('a b c');
  });

  it('with secrets, scrubs them from every other string too', () => {
    const spec = target({ base_url: 'http://gw/v1?key=tok-abcdefgh', api_key: 'tok-abcdefgh' });
    expect(redact(spec, ['tok-abcdefgh']).target!.base_url).toBe('http://gw/v1?key=***');
  });

  it('gives a spec hash that does not depend on the key', () => {
    const spec = `name: t
target:
  base_url: http://127.0.0.1:8000/v1
  api_key: \${KEY}
prompts: [hi]
`;
    const a = load(spec, { env: { KEY: 'sk-aaaaaaaa' } });
    const b = load(spec, { env: { KEY: 'sk-bbbbbbbb' } });
    expect(a.hash).toBe(b.hash);
    expect(a.hash).toMatch(/^[0-9a-f]{16}$/);
    expect(a.secrets).toEqual(['sk-aaaaaaaa']);
  });
});
