/**
 * The real CLI against fakes that treat connections as real servers do (conn-behaviour.ts):
 * llama-server's close after every streamed response, idle closes, `Connection: close`,
 * HTTP/1.0, and the keep-alive race on every reused connection. Throughput is compared side
 * by side with a plain node:http client that opens a new connection per request, on the
 * same fake in the same test: a ratio, not a time.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectionOptions } from '../helpers/conn-behaviour.js';
import { REPO } from '../helpers/cli.js';
import { LLAMA_RECORDED, llamaHandler, startLlamaServer } from '../helpers/fake-llama.js';
import { startWireServer, type WireServer } from '../helpers/fake-wire.js';
import { plainRun } from '../helpers/plain-client.js';
import { runOk } from '../helpers/provider-suite.js';
import type { RequestRecord } from '../../src/records/types.js';

/** A self-signed certificate for 127.0.0.1, for these tests only; the CLI trusts it via NODE_EXTRA_CA_CERTS. */
const TLS_DIR = join(REPO, 'test/fixtures/tls');
const TLS = { key: readFileSync(join(TLS_DIR, 'loopback-test-only.key'), 'utf8'), cert: readFileSync(join(TLS_DIR, 'loopback-test-only.crt'), 'utf8') };
const TRUST = { NODE_EXTRA_CA_CERTS: join(TLS_DIR, 'loopback-test-only.crt') };

const servers: WireServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

// Long enough per request (~275 ms) that the client's own per-request work stays a small
// part of it, also on a loaded machine, where llm-sweep (which parses and times every
// chunk) loses more to CPU contention than a client that only counts bytes.
async function llama(connection?: ConnectionOptions, script = { ttftMs: 100, itlMs: 25 }) {
  const s = await startLlamaServer(script, connection);
  servers.push(s);
  return s;
}

function spec(root: string, matrix: string, requests: number, retry = '{ retries: 3, backoff_ms: 500 }'): string {
  return `name: conn
target:
  provider: openai-chat
  base_url: ${root}/v1
  retry: ${retry}
  timeout: { connect_ms: 2000, read_ms: 5000 }
prompts: ["Say hello."]
params: { model: tiny.gguf, max_tokens: 8 }
matrix:
${matrix}
requests: ${requests}
warmup: 0
`;
}

/** summary.csv columns by name, one object per cell. */
function summary(out: string): Record<string, string>[] {
  const [header, ...rows] = parse(readFileSync(join(out, 'summary.csv'), 'utf8')) as string[][];
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
}

/** Means of latency, TTFT, connect_ms and the gap between one request's end and the next's send, for a failure message. */
function describeRows(rows: RequestRecord[]): string {
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN).toFixed(1);
  const sorted = [...rows].sort((a, b) => Date.parse(a.started_at) - Date.parse(b.started_at));
  const gaps = sorted.slice(1).map((r, i) => Date.parse(r.started_at) - Date.parse(sorted[i].started_at) - sorted[i].latency_ms!);
  return `latency ${mean(rows.map((r) => r.latency_ms!))} ttft ${mean(rows.map((r) => r.ttft_ms!))} connect ${mean(rows.map((r) => r.connect_ms!))} gap ${mean(gaps)} ms`;
}

const BODY = {
  model: 'tiny.gguf',
  messages: [{ role: 'user', content: 'Say hello.' }],
  max_tokens: 8,
  stream: true,
  stream_options: { include_usage: true },
};

describe('a server that closes the connection after every streamed response (llama-server)', () => {
  for (const concurrency of [1, 4]) {
    it(`concurrency ${concurrency}: attempts=1 on every row, and tokens/s at least 0.7x a new-connection-per-request client`, async () => {
      const s = await llama();
      const n = concurrency * 8;
      // Both sides are separate processes talking to the same fake, run in turn, twice each;
      // each side's best run counts (as hyperfine's min), so a moment of load on a shared
      // machine slows one run, not the comparison.
      const plain: number[] = [];
      const ours: number[] = [];
      const seen: string[] = [];
      for (let round = 0; round < 2; round++) {
        const p = await plainRun(`${s.root}/v1/chat/completions`, BODY, n, concurrency);
        plain.push((n * LLAMA_RECORDED.completionTokens * 1000) / p.wallMs);
        const r = await runOk(spec(s.root, `  concurrency: [${concurrency}]`, n));
        expect(r.rows).toHaveLength(n);
        for (const row of r.rows) expect(row).toMatchObject({ status: 'ok', attempts: 1, completion_tokens: LLAMA_RECORDED.completionTokens });
        ours.push(Number(summary(r.out)[0].output_tokens_per_s));
        seen.push(describeRows(r.rows));
      }
      const best = (xs: number[]) => Math.max(...xs);
      const why = `llm-sweep ${ours.map((x) => x.toFixed(1))} tokens/s vs plain ${plain.map((x) => x.toFixed(1))}; ${seen.join(' | ')}`;
      // On a quiet machine the ratio is 0.97-0.99; the defect this guards (a retry backoff after
      // each closed connection) gives under 0.4. 0.7 leaves room for a machine shared with other jobs.
      expect(best(ours) / best(plain), why).toBeGreaterThanOrEqual(0.7);
    });
  }
});

describe('over TLS', () => {
  it('llama-server behind TLS: every streamed request at its first attempt, each paying a TLS handshake in connect_ms', async () => {
    const s = await startWireServer(llamaHandler({ ttftMs: 10, itlMs: 2 }), { connection: { behaviour: 'close-after-stream' }, tls: TLS });
    servers.push(s);
    const r = await runOk(spec(s.root, '  stream: [true, false]', 6), TRUST);
    const streamed = r.rows.filter((x) => x.params.stream === true);
    const whole = r.rows.filter((x) => x.params.stream === false);
    for (const x of streamed) expect(x).toMatchObject({ status: 'ok', attempts: 1 });
    for (const x of streamed) expect(x.connect_ms!).toBeGreaterThan(0);
    // Non-streamed answers keep the TLS connection: one handshake for the cell.
    expect(whole.map((x) => x.connect_ms! > 0).filter(Boolean)).toHaveLength(1);
    expect(s.stats.dropped).toBeLessThanOrEqual(1);
  });
});
