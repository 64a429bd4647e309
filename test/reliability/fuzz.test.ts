/**
 * Property-based fuzzing (fast-check), bounded in runs and time. The spec loader on
 * generated YAML (aliases, anchors, odd scalars, huge numbers, keys from the schema and
 * beside it, mutated example specs) either loads and plans or throws a UserError: never
 * another error (exit 4), never a raw Node warning. The SSE and NDJSON parsers, and every
 * streaming provider's decoder behind the runner's exchange, on random byte streams split
 * at random points: parsers never throw, and a request always ends as a result, ok or an
 * error row, never an exception.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunError, UserError } from '../../src/errors.js';
import type { HttpClient, HttpResponse } from '../../src/http/client.js';
import { buildPlan } from '../../src/plan/build.js';
import { checkProviderParams } from '../../src/providers/check-params.js';
import { providerForTarget } from '../../src/providers/index.js';
import type { Provider } from '../../src/providers/types.js';
import { createNdjsonParser } from '../../src/providers/ndjson.js';
import { createSseParser } from '../../src/providers/sse.js';
import { exchange } from '../../src/runner/exchange.js';
import { loadSpec } from '../../src/spec/load.js';
import { parseOverride } from '../../src/spec/overrides.js';
import { cutAt, feed } from '../helpers/feed.js';

const dir = mkdtempSync(join(tmpdir(), 'llm-sweep-fuzz-'));
let n = 0;
const warnings: string[] = [];
const onWarning = (w: Error) => warnings.push(w.message);
beforeAll(() => void process.on('warning', onWarning));
afterAll(() => void process.off('warning', onWarning));

/** Load and plan `yaml` as the CLI does; anything but a UserError is a bug. */
function loadAndPlan(yaml: string, set: string[] = []): 'ok' | 'user error' {
  const file = join(dir, `spec-${n++}.yaml`);
  writeFileSync(file, yaml);
  try {
    const loaded = loadSpec(file, { overrides: set.map(parseOverride), env: { FUZZ_KEY: 'sk-fuzz-0123456789', N: '3' } });
    const plan = buildPlan(loaded, { maxCells: 5000 });
    checkProviderParams(loaded, plan);
    return 'ok';
  } catch (e) {
    if (e instanceof UserError || e instanceof RunError) {
      for (const p of e instanceof UserError ? e.problems : [e.message]) {
        expect(p, `a message leaks internals:\n${yaml}`).not.toMatch(/native code|\[object Object\]|undefined:undefined|Maximum call stack/);
      }
      return 'user error';
    }
    throw new Error(`not a UserError (exit 4) for:\n${yaml}\n${(e as Error).stack}`);
  }
}

const oddScalar = fc.constantFrom(
  '.inf', '-.inf', '.nan', '~', 'null', '', "''", '""', '1e308', '-1e308', '1e-300', '-0', '0x1F', '0o17', '2147483648',
  '9007199254740993', '1_000', 'yes', 'no', 'on', 'true', '"\\u0000"', "'${FUZZ_KEY}'", '${N}', "'${MISSING}'", '$${x}',
  '"\\r\\n"', 'constructor', '__proto__', 'toString', '[]', '{}', '[[]]', '!!binary aGk=', '!!str 1', '&a 1', '*a', '*nope',
  '"http://127.0.0.1:1/v1?key=${FUZZ_KEY}"', 'builtin', 'openai-chat', 'tgi', 'anthropic', 'ollama', 'http', 'triton',
);
const scalar = fc.oneof(
  oddScalar,
  fc.integer().map(String),
  fc.double({ noNaN: false }).map(String),
  fc.string({ maxLength: 12 }).map((s) => JSON.stringify(s)),
);
const key = fc.oneof(
  fc.constantFrom(
    'name', 'target', 'provider', 'base_url', 'api_key', 'headers', 'timeout', 'read_ms', 'connect_ms', 'retry', 'retries',
    'prompts', 'file', 'prompt', 'messages', 'role', 'content', 'params', 'matrix', 'include', 'exclude', 'model', 'temperature',
    'max_tokens', 'concurrency', 'rate', 'stream', 'requests', 'duration_s', 'repeat', 'warmup', 'thresholds', 'compare',
    'latency_ms.p95', 'slo', 'output', 'formats', 'simulator', 'ttft_ms', 'seed', 'custom_params', 'constructor', '__proto__',
    'x-api-key', 'bad header', '<<', '? [a]',
  ),
  fc.string({ minLength: 1, maxLength: 8 }).filter((s) => !/[\n\r]/.test(s)),
);

/** A YAML value at some depth, in block or flow style, with anchors and aliases. */
const value: fc.Arbitrary<string> = fc.letrec<{ v: string }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('v'), { maxLength: 4 }).map((xs) => `[${xs.map((x) => x.replace(/\n/g, ' ')).join(', ')}]`),
    fc.array(fc.tuple(key, tie('v')), { maxLength: 4 }).map((kv) => `{ ${kv.map(([k, x]) => `${JSON.stringify(k)}: ${x.replace(/\n/g, ' ')}`).join(', ')} }`),
    fc.tuple(fc.constantFrom('&a ', '&b ', ''), tie('v')).map(([a, x]) => `${a}${x}`),
  ),
})).v;

const baseSpec = `name: fuzz
target: { base_url: builtin }
prompts: ["hi", "there"]
params: { model: m, max_tokens: 4 }
matrix: { temperature: [0, 1], concurrency: [1, 2] }
requests: 4
`;

describe('the spec loader on generated YAML', () => {
  it('random documents of spec keys and odd values: loads or is a UserError', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(key, value), { minLength: 1, maxLength: 8 }), (pairs) => {
        loadAndPlan(pairs.map(([k, v]) => `${JSON.stringify(k)}: ${v}`).join('\n'));
      }),
      { numRuns: 300, seed: 13, interruptAfterTimeLimit: 20_000 },
    );
  });

  it('a valid spec with one section replaced by a generated value: loads or is a UserError', () => {
    const sections = ['name', 'target', 'prompts', 'params', 'matrix', 'requests'];
    fc.assert(
      fc.property(fc.constantFrom(...sections), value, fc.constantFrom('', '  x: *a\n', 'y: &a\n  z: [*a]\n'), (section, v, tail) => {
        const lines = baseSpec.split('\n').map((l) => (l.startsWith(`${section}:`) ? `${section}: ${v.replace(/\n/g, ' ')}` : l));
        loadAndPlan(`${lines.join('\n')}${tail}`);
      }),
      { numRuns: 300, seed: 7, interruptAfterTimeLimit: 20_000 },
    );
  });

  it('the example specs with random edits, and random --set flags: loads or is a UserError', () => {
    const examples = readdirSync('sweeps').filter((f) => f.endsWith('.yaml')).map((f) => readFileSync(join('sweeps', f), 'utf8'));
    fc.assert(
      fc.property(
        fc.constantFrom(...examples),
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.oneof(scalar, fc.constantFrom(':', '- ', '&a', '*a', '[', '{', '"', "'", '#', '\t')), fc.boolean()), { maxLength: 4 }),
        fc.array(fc.tuple(fc.constantFrom('requests', 'target.timeout.read_ms', 'matrix.rate', 'matrix.model', 'bogus.deep', 'params.0', 'prompts.9.file', 'target.headers.x'), scalar), { maxLength: 2 }),
        (text, edits, sets) => {
          const lines = text.split('\n');
          for (const [line, col, piece, replace] of edits) {
            const i = line % lines.length;
            const at = col % (lines[i].length + 1);
            lines[i] = replace ? `${lines[i].slice(0, at)}${piece}` : `${lines[i].slice(0, at)}${piece}${lines[i].slice(at)}`;
          }
          loadAndPlan(lines.join('\n'), sets.map(([k, v]) => `${k}=${v}`));
        },
      ),
      { numRuns: 300, seed: 42, interruptAfterTimeLimit: 20_000 },
    );
  });

  it('printed no raw Node warning', () => {
    expect(warnings).toEqual([]);
  });
});

/** Random stream bytes: event-like lines, junk, bare CRs, invalid UTF-8, all in pieces. */
const line = fc.oneof(
  fc.constantFrom(
    'data: [DONE]', 'data: {"choices":[{"delta":{"content":"a"}}]}', 'data: {"choices":[{"delta":{"content":{"x":1}},"finish_reason":7}]}',
    'data: {"choices":[],"usage":{"completion_tokens":-3,"prompt_tokens":1e308}}', 'data: {"error":{"message":"boom","code":"constructor"}}',
    'event: error', 'event: message_stop', 'event: content_block_delta', 'data: {"type":"content_block_delta","delta":{"text":"t"}}',
    'data: {"type":"message_delta","usage":{"output_tokens":"many"}}', ': ping', 'id: 1', 'retry: 10', 'data:', 'data', '',
    '{"message":{"content":"x"},"done":false}', '{"done":true,"eval_count":-1}', '{"token":{"text":"y"},"generated_text":null}',
    'data: {"token":{"text":"x","special":false},"details":{"finish_reason":"length","generated_tokens":1e400}}', 'data: null', 'data: 42',
    'data: "str"', 'data: [1,2]', '{"', 'null', '[]',
  ),
  fc.string({ maxLength: 40 }),
);
const streamBytes = fc
  .tuple(
    fc.array(fc.tuple(line, fc.constantFrom('\n', '\r\n', '\r', '\n\n', '')), { maxLength: 20 }),
    fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 6 }),
  )
  .map(([ls, junk]) => Buffer.concat([Buffer.from(ls.map(([l, e]) => l + e).join('')), Buffer.from(junk)]));
const cuts = fc.array(fc.nat(), { maxLength: 8 });

/** `bytes` cut at the points `at` names (taken modulo its length). */
function pieces(bytes: Buffer, at: number[]): Buffer[] {
  return cutAt(bytes, [...new Set(at.map((a) => (bytes.length === 0 ? 0 : a % bytes.length)))].sort((x, y) => x - y));
}

describe('the stream parsers on random bytes split at random points', () => {
  for (const [name, make] of [
    ['SSE', (on: (x: unknown) => void) => createSseParser(on)],
    ['NDJSON', (on: (x: unknown) => void) => createNdjsonParser(on)],
  ] as const) {
    it(`${name}: never throws, and gives the same events however the bytes are cut`, () => {
      fc.assert(
        fc.property(streamBytes, cuts, (bytes, at) => {
          const parser = (out: unknown[]) => make((x) => out.push(x));
          expect(feed(parser, pieces(bytes, at))).toEqual(feed(parser, [bytes]));
        }),
        { numRuns: 1000, seed: 3, interruptAfterTimeLimit: 15_000 },
      );
    });
  }
});

describe('every streaming provider behind the exchange, on random bytes', () => {
  const providers = ['openai-chat', 'openai-completions', 'anthropic', 'tgi', 'ollama', 'triton'] as const;
  const setups = providers.map((provider) => {
    const file = join(dir, `provider-${provider}.yaml`);
    const extra = provider === 'triton' ? '\nparams: { model: m, max_tokens: 4 }' : provider === 'tgi' ? '\nparams: { max_tokens: 4 }' : '\nparams: { model: m, max_tokens: 4 }';
    writeFileSync(file, `target: { provider: ${provider}, base_url: "http://127.0.0.1:1${provider.startsWith('openai') ? '/v1' : ''}" }\nprompts: ["hi"]${extra}\n`);
    const loaded = loadSpec(file);
    const plan = buildPlan(loaded);
    return { provider, loaded, plan };
  });

  it('a request ends as a result (ok or an error row), never as an exception', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...setups), streamBytes, cuts, async ({ loaded, plan }, bytes, at) => {
        const chunks = pieces(bytes, at);
        const response: HttpResponse = {
          status: 200,
          headers: { 'content-type': 'text/event-stream' },
          attempts: 1,
          resends: 0,
          sentAt: performance.now(),
          connectMs: 0,
          consume: async (onChunk) => {
            for (const c of chunks) onChunk(c, performance.now(), 0);
          },
        };
        const client: HttpClient = { post: async () => response, close() {} };
        const result = await exchange({
          client,
          // An HTTP provider (the spec's is openai-chat): exchange() is the HTTP transport.
          provider: providerForTarget(loaded.spec.target!) as Provider,
          ctx: { target: loaded.spec.target!, cell: plan.cells[0], prompt: plan.prompts[0], stream: true },
          memory: { askUsage: true },
        });
        expect(typeof result.ok).toBe('boolean');
        if (!result.ok) expect(result.error).toMatch(/^(parse|stream|empty|network|timeout)\b/);
        expect(result.text).not.toMatch(/\[object Object\]/);
        for (const v of Object.values(result.usage ?? {})) expect(Number.isInteger(v) && v >= 0).toBe(true);
      }),
      { numRuns: 600, seed: 11, interruptAfterTimeLimit: 20_000 },
    );
  });
});
