/**
 * Issue 13, items 15-16: secrets never reach a file or a log line. Scrubbed before error
 * text is cut (and a key's 8+ character prefix at a cut edge too); a key in the base URL's
 * query, and any value of an environment variable named like a secret wherever the spec
 * uses it (a matrix value: cell ids, CSVs, the table, the report), in plain, URL-encoded,
 * base64 and JSON-escaped forms, on stdout, stderr and in every file of the folder.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, tempDir, writeSpec } from '../helpers/cli.js';
import { json, startFakeServer, type FakeServer } from '../helpers/fake-openai.js';

const servers: FakeServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

/** Every way a secret can be written down. */
function forms(secret: string): string[] {
  return [
    secret,
    encodeURIComponent(secret),
    Buffer.from(secret).toString('base64').replace(/=+$/, ''),
    Buffer.from(`user:${secret}`).toString('base64').slice(8, -4),
    JSON.stringify(secret).slice(1, -1),
    secret.replaceAll('"', '""'),
  ];
}

/** Everything the run wrote or printed, by where. */
function everything(out: string, r: { stdout: string; stderr: string }): [string, string][] {
  const files = readdirSync(out).map((f): [string, string] => [f, readFileSync(join(out, f), 'utf8')]);
  return [...files, ['stdout', r.stdout], ['stderr', r.stderr]];
}

function expectNowhere(secret: string, places: [string, string][], minPrefix = 8) {
  for (const [where, text] of places) {
    for (const f of forms(secret)) expect(text.includes(f), `${where} holds ${JSON.stringify(f)}`).toBe(false);
    // Nor a piece of it cut off at an edge.
    expect(text.includes(secret.slice(0, minPrefix)), `${where} holds the prefix ${secret.slice(0, minPrefix)}`).toBe(false);
  }
}

describe('error text is scrubbed before it is cut (item 15)', () => {
  it('a key straddling the 200-character cut of an error message, or the 80 of a snippet, leaves no prefix', async () => {
    const key = 'sk-live-9f8e7d6c5b4a39281706f5e4d3c2b1a0';
    const server = await startFakeServer((req, res) => {
      const auth = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
      if (req.n % 2 === 0) {
        // The server echoes the key so that the cut at 197 characters falls inside it.
        json(res, 500, { error: { message: `${'x'.repeat(180)} key=${auth} rejected` } });
      } else {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(`data: not json ${'y'.repeat(50)} ${auth} and more\n\n`);
      }
    });
    servers.push(server);
    const dir = tempDir();
    const file = writeSpec(
      `name: cut
target: { base_url: ${server.baseUrl}, api_key: "\${CUT_API_KEY}", retry: { retries: 0 } }
prompts: ["hi"]
params: { model: m }
requests: 4
`,
      dir,
    );
    const out = join(dir, 'out');
    const r = await runCli(['run', file, '--out', out], { env: { CUT_API_KEY: key } });
    expect(r.code, r.stderr).toBe(0);
    const csv = readFileSync(join(out, 'requests.csv'), 'utf8');
    expect(csv).toMatch(/HTTP 500: x+ key=\*\*\*/);
    expect(csv).toMatch(/parse: unreadable stream event/);
    expectNowhere(key, everything(out, r));
  });
});

describe('secrets wherever they were used (item 16)', () => {
  const apiKey = 'sk-live+Secret/Value="q"&x=1';
  const token = 'tok-matrix-value-98765';
  const query = 'qk-query-secret-123456';

  it('echoed by the server in every encoding, a matrix value from a *TOKEN* variable, a key in the base URL query', async () => {
    const server = await startFakeServer((req, res) => {
      const auth = String(req.headers.authorization ?? '').replace(/^Bearer /, '');
      const echoes = [auth, encodeURIComponent(auth), Buffer.from(auth).toString('base64'), Buffer.from(`user:${auth}`).toString('base64'), JSON.stringify(auth), req.url];
      if (req.n % 3 === 2) json(res, 200, { choices: [{ message: { content: 'fine' }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1 } });
      else json(res, 400, { error: { message: `bad request ${echoes[req.n % echoes.length]} ${echoes[(req.n + 3) % echoes.length]}` } });
    });
    servers.push(server);
    const dir = tempDir();
    const file = writeSpec(
      `name: leak
target:
  base_url: "${server.baseUrl}?api_key=\${QUERY_VALUE}"
  api_key: "\${LEAK_API_KEY}"
  retry: { retries: 0 }
prompts: ["hi"]
params: { stream: false }
matrix:
  model: ["\${MODEL_TOKEN}", plain]
requests: 12
`,
      dir,
    );
    const out = join(dir, 'out');
    const r = await runCli(['run', file, '--out', out], { env: { LEAK_API_KEY: apiKey, MODEL_TOKEN: token, QUERY_VALUE: query } });
    expect(r.code, r.stderr).toBe(0);
    // The query key reached the server (requests work), and the path went before the query.
    expect(server.seen[0].url).toBe(`/v1/chat/completions?api_key=${query}`);
    expect(server.seen.filter((s) => s.body.model === token)).toHaveLength(12);
    const places = everything(out, r);
    expect(places.map(([w]) => w)).toEqual(expect.arrayContaining(['requests.csv', 'summary.csv', 'run.json', 'report.html']));
    expectNowhere(apiKey, places);
    expectNowhere(token, places);
    expectNowhere(query, places);
    // The cells are still told apart.
    expect(readFileSync(join(out, 'summary.csv'), 'utf8')).toMatch(/^m=\*\*\*,\*\*\*,/m);
  });

  it('a key in the base URL query of an unreachable server: not in stderr, run.json stopped_reason or report.html', async () => {
    const dir = tempDir();
    const file = writeSpec(
      `name: gone
target: { base_url: "http://127.0.0.1:9/v1?key=\${QUERY_VALUE}", retry: { retries: 0 } }
prompts: ["hi"]
params: { model: m }
requests: 2
`,
      dir,
    );
    const out = join(dir, 'out');
    const r = await runCli(['run', file, '--out', out], { env: { QUERY_VALUE: query } });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/cannot reach http:\/\/127\.0\.0\.1:9\/v1\?key=\*\*\*/);
    const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as { stopped_reason: string };
    expect(run.stopped_reason).toMatch(/cannot reach/);
    expectNowhere(query, everything(out, r));
  });
});
