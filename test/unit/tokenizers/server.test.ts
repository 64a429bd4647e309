import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunError } from '../../../src/errors.js';
import { localVocabulary, serverVocabulary, textOfTokens } from '../../../src/plan/workloads/vocabulary.js';
import { mulberry32 } from '../../../src/random.js';
import { startSimulator } from '../../../src/simulator/server.js';
import type { RunningSimulator } from '../../../src/simulator/types.js';
import { builtinTokenizer } from '../../../src/tokenizers/builtin.js';
import { countIn, serverTokenCounter, type PostJson } from '../../../src/tokenizers/server.js';

const o200k = builtinTokenizer('o200k');
const post: PostJson = async (url, body) => {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: r.status, body: await r.text() };
};

/** A llama.cpp-like /tokenize: {"content"} -> tokens with a BOS; no "content" -> an empty list (as llama.cpp does). */
function fakeLlamaCpp(): Promise<{ origin: string; calls: () => number; close: () => Promise<void> }> {
  let calls = 0;
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      calls++;
      const body = JSON.parse(raw) as { content?: string };
      const tokens = typeof body.content === 'string' ? [1, ...o200k.encode(body.content)] : [];
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ tokens }));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        calls: () => calls,
        close: () => new Promise((r) => server.close(() => r())),
      }),
    ),
  );
}

describe('server tokenizer', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ tokenizer: 'o200k' });
  });
  afterAll(() => sim.close());

  it("reads a recorded llama.cpp answer", () => {
    const recorded = readFileSync(new URL('../../fixtures/wire/llama-server-2026-08/tokenize.json', import.meta.url), 'utf8');
    expect(countIn('llama.cpp', recorded)).toBe(20);
    expect(countIn('vllm', recorded)).toBeUndefined(); // no "count": not mistaken for vLLM
  });

  it('finds the dialect and counts as the server does (vLLM, llama.cpp and TGI bodies)', async () => {
    const auto = await serverTokenCounter({ origin: sim.origin, model: 'sim-7b', post });
    expect(auto.dialect).toBe('vllm');
    const text = ' The quick brown fox jumps over the lazy dog.';
    for (const dialect of ['vllm', 'llama.cpp', 'tgi'] as const) {
      const c = await serverTokenCounter({ origin: sim.origin, dialect, post });
      expect(await c.count(text)).toBe(o200k.count(text));
    }
  });

  it('tells llama.cpp from vLLM although llama.cpp answers a vLLM body with an empty list', async () => {
    const fake = await fakeLlamaCpp();
    try {
      const c = await serverTokenCounter({ origin: fake.origin, post });
      expect(c.dialect).toBe('llama.cpp');
      expect(await c.count(' hello world')).toBe(3); // BOS + 2
    } finally {
      await fake.close();
    }
  });

  it('calibrates: measures what the server adds (a BOS) and keeps words that are one token there', async () => {
    const fake = await fakeLlamaCpp();
    try {
      const c = await serverTokenCounter({ origin: fake.origin, dialect: 'llama.cpp', post });
      const v = await serverVocabulary(c, localVocabulary(o200k).words.slice(0, 2048));
      expect(v.base).toBe(1);
      expect(v.words.length).toBeGreaterThanOrEqual(1000);
      expect(fake.calls()).toBeLessThan(100);
      const r = mulberry32(1);
      for (const n of [2, 100, 1024]) expect(await c.count(textOfTokens(v, n, r))).toBe(n); // BOS included
    } finally {
      await fake.close();
    }
  });

  it('a server without /tokenize is a clear error', async () => {
    const plain = await startSimulator({});
    try {
      const e = await serverTokenCounter({ origin: plain.origin, post }).catch((err: unknown) => err);
      expect(e).toBeInstanceOf(RunError);
      expect((e as Error).message).toBe(
        `tokenizer: server: ${plain.origin}/tokenize answered 404: this server has no tokenize endpoint (llama.cpp, vLLM and TGI have one); name a local tokenizer instead (a tokenizer.json path, or o200k)`,
      );
    } finally {
      await plain.close();
    }
  });
});
