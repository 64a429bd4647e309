/**
 * The integration pattern every provider test shares: a spec against a fake vendor server
 * with three prompts (a normal one, one the server refuses with its documented HTTP error,
 * one that breaks inside a 200 stream), streamed and not, run by the real CLI; then the rows
 * of requests.csv, checked against the fake's script.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect } from 'vitest';
import { parseRequestsCsv } from '../../src/results/read-requests.js';
import type { RequestRecord } from '../../src/records/types.js';
import { runCli, tempDir, writeSpec } from './cli.js';
import type { FakeServerOptions, Handler } from './fake-openai.js';
import { startWireServer, type TokenScript, type WireServer } from './fake-wire.js';

/** For a test file: starts fake servers that close after each test. */
export function useServers(): (handler: Handler, opts?: FakeServerOptions) => Promise<WireServer> {
  const servers: WireServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  return async (handler, opts) => {
    const s = await startWireServer(handler, opts);
    servers.push(s);
    return s;
  };
}

export const PROMPTS = '["Say hello.", "FAIL on purpose", "BREAK mid-stream"]';

export interface SpecParts {
  provider: string;
  baseUrl: string;
  /** Extra target lines, indented by two spaces. */
  target?: string;
  /** The params mapping, flow style. */
  params?: string;
  /** Matrix lines, indented by two spaces. */
  matrix?: string;
  prompts?: string;
}

export function providerSpec(p: SpecParts): string {
  return `name: t
target:
  provider: ${p.provider}
  base_url: ${p.baseUrl}
  retry: { retries: 0 }
  timeout: { connect_ms: 2000, read_ms: 2000 }
${p.target ?? ''}
prompts: ${p.prompts ?? PROMPTS}
params: ${p.params ?? '{}'}
matrix:
${p.matrix ?? '  stream: [true, false]'}
repeat: 1
`;
}

export async function runSpec(yaml: string, env: Record<string, string> = {}) {
  const dir = tempDir();
  const file = writeSpec(yaml, dir);
  const out = join(dir, 'out');
  const res = await runCli(['run', file, '--out', out, '--quiet'], { env });
  const csvPath = join(out, 'requests.csv');
  const csv = existsSync(csvPath) ? readFileSync(csvPath, 'utf8') : '';
  return { ...res, file, out, rows: csv ? parseRequestsCsv(csv).records : [] };
}

/**
 * Runs the spec and expects a clean run: exit 0, nothing on stderr but warnings (a loaded
 * CI machine may make the runner warn that the client limited a cell).
 */
export async function runOk(yaml: string, env: Record<string, string> = {}) {
  const r = await runSpec(yaml, env);
  expect(r.stderr.split('\n').filter((l) => l && !l.startsWith('warning:'))).toEqual([]);
  expect(r.code).toBe(0);
  return r;
}

export function row(rows: RequestRecord[], stream: boolean, promptId: number): RequestRecord {
  const r = rows.find((x) => x.params.stream === stream && x.prompt_id === promptId);
  if (!r) throw new Error(`no row for stream=${stream} prompt ${promptId}`);
  return r;
}

export interface Expected {
  finishReason: string;
  /** Token counts the server reports; 'estimate' where the API reports none. */
  promptTokens: number | 'estimate';
  completionTokens: number | 'estimate';
  /** The refused prompt's row. */
  fail: { status: number; error: string };
  /** The breaking prompt, streamed: the error event's text. */
  breakStream: string;
  /** The breaking prompt, not streamed. */
  breakHttp: { status: number; error: string };
}

/** TTFT, latency, token counts, finish reason and the three error rows, streamed and not. */
export function expectRows(rows: RequestRecord[], s: TokenScript, e: Expected, nonStreamed = e): void {
  expect(rows).toHaveLength(6);
  const lastToken = s.ttftMs + (s.tokens.length - 1) * s.itlMs;
  for (const stream of [true, false]) {
    const x = stream ? e : nonStreamed;
    const ok = row(rows, stream, 0);
    expect(ok, `stream=${stream}`).toMatchObject({ status: 'ok', http_status: 200, finish_reason: x.finishReason, attempts: 1 });
    // Lower bounds are exact (the fake never sends early); upper bounds only catch nonsense,
    // since a loaded CI machine stretches every timer.
    expect(ok.latency_ms!).toBeGreaterThanOrEqual(lastToken - 1);
    expect(ok.latency_ms!).toBeLessThan(lastToken + 3000);
    if (stream) {
      // TTFT is the first token, not the start/role/ping events sent at once; latency ends
      // at the last token, after it.
      expect(ok.ttft_ms!).toBeGreaterThanOrEqual(s.ttftMs - 1);
      expect(ok.ttft_ms!).toBeLessThanOrEqual(ok.latency_ms!);
      expect(ok.itl_p50_ms).toBeDefined();
    } else {
      expect(ok.ttft_ms).toBeUndefined();
    }
    if (x.completionTokens !== 'estimate') expect(ok.completion_tokens).toBe(x.completionTokens);
    if (x.promptTokens !== 'estimate') expect(ok.prompt_tokens).toBe(x.promptTokens);
    const estimated = x.completionTokens === 'estimate' || x.promptTokens === 'estimate';
    expect(ok.tokens_source).toBe(estimated ? 'estimate' : 'usage');

    expect(row(rows, stream, 1)).toMatchObject({ status: 'error', http_status: x.fail.status, error: x.fail.error });
    const broken = row(rows, stream, 2);
    if (stream) expect(broken).toMatchObject({ status: 'error', error_kind: 'stream', http_status: 200, error: `stream error: ${x.breakStream}` });
    else expect(broken).toMatchObject({ status: 'error', http_status: x.breakHttp.status, error: x.breakHttp.error });
  }
}
