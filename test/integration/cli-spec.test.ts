/**
 * The real CLI (`node bin/llm-sweep.js`, built by `npm test` first) on the spec commands:
 * validate on broken specs (exact messages, positions, exit 2, no stack trace), validate on
 * every shipped sweep, schema against the committed file, and plan's table, JSON, --set,
 * --shard and size limit.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SPECS = 'test/fixtures/specs';

function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const base = { ...process.env };
  for (const k of Object.keys(base)) if (k.startsWith('LLM_SWEEP_FIXTURE_')) delete base[k];
  const r = spawnSync(process.execPath, ['bin/llm-sweep.js', ...args], {
    cwd: ROOT,
    env: { ...base, NO_COLOR: '1', FORCE_COLOR: '0', ...env },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The problem lines of stderr, from the file name on (whatever prefix the CLI puts before it). */
function problemLines(stderr: string, from = SPECS.split('/')[0]): string[] {
  return stderr
    .split('\n')
    .filter((l) => l.includes(`${from}/`) || l.includes('--set '))
    .map((l) => l.slice(Math.min(...[l.indexOf(`${from}/`), l.indexOf('--set ')].filter((i) => i >= 0))));
}

const BROKEN: Record<string, string[]> = {
  'bad-yaml.yaml': [`${SPECS}/bad-yaml.yaml:5:10: this '[' is never closed; end the list with ']'`],
  'tab-indent.yaml': [`${SPECS}/tab-indent.yaml:3:1: a tab is used for indentation; YAML allows only spaces there`],
  'duplicate-key.yaml': [
    `${SPECS}/duplicate-key.yaml:7:3: duplicate key 'temperature': a key may appear only once in a mapping; remove or merge one of them`,
  ],
  'unknown-key.yaml': [
    `${SPECS}/unknown-key.yaml:4:3: unknown key 'verify_tls' in target (expected one of: provider, base_url, api_key, headers, timeout, retry, stream_usage, simulator, metrics, params, api_version, anthropic_version, triton, ollama, http)`,
  ],
  'misspelt-key.yaml': [`${SPECS}/misspelt-key.yaml:8:3: unknown key 'temprature' in matrix — did you mean 'temperature'?`],
  'wrong-type.yaml': [
    `${SPECS}/wrong-type.yaml:6:20: matrix.max_tokens[1] must be a number, got the text "lots"`,
    `${SPECS}/wrong-type.yaml:7:11: requests must be a number, got the text "ten"`,
  ],
  'empty-axis.yaml': [
    `${SPECS}/empty-axis.yaml:7:16: matrix.temperature is an empty list; give the axis at least one value, or remove it`,
  ],
  'missing-env.yaml': [
    `${SPECS}/missing-env.yaml:5:12: environment variable LLM_SWEEP_FIXTURE_UNSET_KEY is not set; export it, or write \${LLM_SWEEP_FIXTURE_UNSET_KEY:-default} to give a default`,
  ],
  'missing-prompt-file.yaml': [
    `${SPECS}/missing-prompt-file.yaml:6:11: prompt file '../prompts/does-not-exist.jsonl' not found (looked for test/fixtures/prompts/does-not-exist.jsonl); paths are relative to the spec's folder`,
  ],
  'requests-and-duration.yaml': [
    `${SPECS}/requests-and-duration.yaml:6:1: give only one of requests, duration_s and repeat (found requests and duration_s); remove duration_s`,
  ],
  'bad-provider.yaml': [
    `${SPECS}/bad-provider.yaml:3:13: target.provider must be one of "openai-chat", "openai-completions", "azure-openai", "anthropic", "tgi", "triton", "ollama", "http", got the text "opneai-chat" — did you mean 'openai-chat'?`,
  ],
  'bad-jsonl.yaml': [
    `test/fixtures/prompts/bad.jsonl:3:27: not valid JSON: Expected ',' or '}' after property value; each line must be one JSON value`,
    `test/fixtures/prompts/bad.jsonl:4:1: each line needs "prompt" (non-empty text) or "messages" (a list of {role, content}); found "promt" — did you mean "prompt"?`,
    `test/fixtures/prompts/bad.jsonl:5:1: messages[0] needs a "role" (system, user, assistant, ...)`,
  ],
  'no-prompt-column.yaml': [
    `test/fixtures/prompts/no-prompt-column.csv:1:1: no 'prompt' column (the header has: question, answer); the first line must name the columns`,
  ],
  'negative-concurrency.yaml': [
    `${SPECS}/negative-concurrency.yaml:6:20: matrix.concurrency[1] must be a whole number of at least 1, got -4`,
  ],
  'exclude-unknown-axis.yaml': [
    `${SPECS}/exclude-unknown-axis.yaml:9:9: exclude key 'modle' is not a matrix axis — did you mean 'model'?`,
  ],
  'duplicate-axis-value.yaml': [
    `${SPECS}/duplicate-axis-value.yaml:6:25: matrix.temperature lists 0 twice (items 0 and 2); remove one, each value makes its own cells`,
  ],
  'unquoted-var-in-flow.yaml': [
    `${SPECS}/unquoted-var-in-flow.yaml:4:35: \${LLM_SWEEP_FIXTURE_MT:-4} inside a { } or [ ] must be quoted: write "\${LLM_SWEEP_FIXTURE_MT:-4}" (there YAML reads { and } as brackets)`,
  ],
  'simulator-typo.yaml': [`${SPECS}/simulator-typo.yaml:5:16: unknown key 'ttft' in target.simulator — did you mean 'ttft_ms'?`],
  'missing-target.yaml': [`${SPECS}/missing-target.yaml:1:1: missing required key 'target' — The endpoint under test. (Or targets: to compare several named endpoints; see docs/targets.md.)`],
  'empty.yaml': [
    `${SPECS}/empty.yaml:1:1: the spec is empty; llm-sweep init writes two commented starter specs (docs/spec.md describes every field)`,
  ],
  'many-problems.yaml': [
    `${SPECS}/many-problems.yaml:1:7: name: use letters, digits, ".", "_" and "-" only (it names the results folder), got the text "many problems"`,
    `${SPECS}/many-problems.yaml:5:21: target.retry.retries must be a whole number of at least 0, got -1`,
    `${SPECS}/many-problems.yaml:7:7: unknown key 'fle' in prompts[0] — did you mean 'file'?`,
    `${SPECS}/many-problems.yaml:9:10: params.top_p must be at most 1, got 1.5`,
    `${SPECS}/many-problems.yaml:11:17: matrix.temperature[0] must be a number, got the text "hot"`,
    `${SPECS}/many-problems.yaml:12:17: matrix.concurrency[0] must be a whole number of at least 1, got 0`,
    `${SPECS}/many-problems.yaml:13:11: requests must be a whole number of at least 1, got 0`,
    `${SPECS}/many-problems.yaml:15:18: output.formats[1] must be one of "csv", "json", "html", "xlsx", got the text "pdf"`,
  ],
};

describe('llm-sweep validate on broken specs', () => {
  it('has a case for every fixture', () => {
    expect(readdirSync(join(ROOT, SPECS)).filter((f) => f.endsWith('.yaml')).sort()).toEqual(Object.keys(BROKEN).sort());
  });

  it.each(Object.entries(BROKEN))('%s: exact messages at line:col, exit 2, no stack trace', (file, expected) => {
    const r = cli(['validate', `${SPECS}/${file}`]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(problemLines(r.stderr)).toEqual(expected);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stderr).not.toMatch(/internal error|Error:/);
  });

  it('names the flag for a bad --set, with exit 2', () => {
    const r = cli(['validate', 'sweeps/example.yaml', '--set', 'requests=0', '--set', 'matrix.temprature=[1]']);
    expect(r.code).toBe(2);
    expect(problemLines(r.stderr)).toEqual([
      '--set requests=0: requests must be a whole number of at least 1, got 0',
      "--set matrix.temprature=[1]: unknown key 'temprature' in matrix — did you mean 'temperature'?",
    ]);
  });

  it('a spec that does not exist', () => {
    const r = cli(['validate', 'no/such/spec.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no/such/spec.yaml: cannot read the spec: no such file');
  });
});

describe('the shipped sweeps', () => {
  const sweeps = readdirSync(join(ROOT, 'sweeps')).filter((f) => /\.ya?ml$/.test(f));

  it('include the vLLM, OpenAI and Ollama examples', () => {
    expect(sweeps).toEqual(expect.arrayContaining(['vllm.yaml', 'openai.yaml', 'ollama.yaml']));
  });

  it.each(sweeps)('sweeps/%s validates cleanly', (file) => {
    const r = cli(['validate', `sweeps/${file}`], { OPENAI_API_KEY: 'sk-test-not-a-real-key' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^sweeps/${file}: ok — \\d+ cells?, (\\d+ prompts?|(synthetic|conversation) workload|dataset |trace )`));
  });

  it('validate --json prints the verdict and the totals', () => {
    const r = cli(['validate', 'sweeps/example.yaml', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ file: 'sweeps/example.yaml', ok: true, cells: 12, prompts: 3, requests: 192, warnings: [] });
  });

  it('point editors at the committed schema', () => {
    for (const file of sweeps) {
      expect(readFileSync(join(ROOT, 'sweeps', file), 'utf8')).toMatch(
        /^# yaml-language-server: \$schema=\.\.\/docs\/spec\.schema\.json$/m,
      );
    }
  });
});

describe('llm-sweep schema', () => {
  it('prints exactly the committed docs/spec.schema.json (regenerate it with: node bin/llm-sweep.js schema > docs/spec.schema.json)', () => {
    const r = cli(['schema']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(ROOT, 'docs/spec.schema.json'), 'utf8'));
    expect(JSON.parse(r.stdout).title).toBe('llm-sweep sweep spec');
  });
});

describe('llm-sweep plan', () => {
  const dir = mkdtempSync(join(tmpdir(), 'llm-sweep-plan-'));
  const spec = join(dir, 'grid.yaml');
  writeFileSync(
    spec,
    `name: grid
target: { base_url: "http://127.0.0.1:8000/v1" }
prompts: [a, b]
matrix:
  model: [qwen, llama]
  max_tokens: [64, 256]
  concurrency: [1, 4]
  exclude: [{ model: llama, max_tokens: 256 }]
  include: [{ model: gpt, max_tokens: 128, concurrency: 2 }]
requests: 10
warmup: 1
`,
  );

  it('prints the cells in order and the totals', () => {
    const r = cli(['plan', spec]);
    expect(r.code).toBe(0);
    const ids = [...r.stdout.matchAll(/│ (m=[^ ]+)/g)].map((m) => m[1]);
    expect(ids).toEqual([
      'm=qwen,mt=64,c=1',
      'm=qwen,mt=64,c=4',
      'm=qwen,mt=256,c=1',
      'm=qwen,mt=256,c=4',
      'm=llama,mt=64,c=1',
      'm=llama,mt=64,c=4',
      'm=gpt,mt=128,c=2',
    ]);
    expect(r.stdout).toContain(`${spec}: 7 cells, 2 prompts`);
    // budget = (64+64+256+256+64+64+128) x 10 = 8,960; warmup 896.
    expect(r.stdout).toContain('cells: 7   requests: 70   warmup: 7   max_tokens budget: 8,960 tokens (+896 in warmup)');
  });

  it('--json is machine-readable on stdout', () => {
    const r = cli(['plan', spec, '--json']);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan.axes).toEqual(['model', 'max_tokens', 'concurrency']);
    expect(plan.totals).toMatchObject({ cells: 7, totalCells: 7, prompts: 2, requests: 70, maxTokensBudget: 8960 });
    expect(plan.cells[6]).toEqual({
      id: 'm=gpt,mt=128,c=2',
      index: 6,
      target: 'default',
      group: 6,
      params: { model: 'gpt', max_tokens: 128, concurrency: 2 },
      body: { model: 'gpt', max_tokens: 128 },
      load: { concurrency: 2, stream: true },
      requests: 10,
      duration_s: null,
      warmup: 1,
    });
  });

  it('--set overrides a matrix axis', () => {
    const r = cli(['plan', spec, '--json', '--set', 'matrix.concurrency=[8]', '--set', 'requests=1']);
    const plan = JSON.parse(r.stdout);
    expect(plan.cells.map((c: { id: string }) => c.id)).toEqual([
      'm=qwen,mt=64,c=8',
      'm=qwen,mt=256,c=8',
      'm=llama,mt=64,c=8',
      'm=gpt,mt=128,c=2',
    ]);
    expect(plan.totals.requests).toBe(4);
  });

  it('--shard k/n: the shards together are the plan, each cell once', () => {
    const all = JSON.parse(cli(['plan', spec, '--json']).stdout).cells.map((c: { id: string }) => c.id);
    const seen: string[] = [];
    for (let k = 1; k <= 3; k++) {
      const plan = JSON.parse(cli(['plan', spec, '--json', '--shard', `${k}/3`]).stdout);
      expect(plan.shard).toEqual({ k, n: 3 });
      expect(plan.totals.totalCells).toBe(7);
      seen.push(...plan.cells.map((c: { id: string }) => c.id));
    }
    expect(seen.sort()).toEqual([...all].sort());
    expect(cli(['plan', spec, '--shard', '4/3']).code).toBe(2);
  });

  it('prints warnings on stderr and still succeeds', () => {
    const r = cli(['plan', spec, '--set', 'matrix.model=[qwen]']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: .*grid\.yaml:8:\d+: exclude entry 0 matches no combination: model: "llama" is not a value of the axis/);
  });

  it('stops a plan over 10,000 cells unless --yes', () => {
    // 6 cells after exclude x 1,701 seeds + the included one = 10,207 cells.
    const big = ['--set', `matrix.seed=[${Array.from({ length: 1701 }, (_, i) => i).join(',')}]`];
    const refused = cli(['plan', spec, ...big]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('10,207 cells');
    expect(refused.stderr).toMatch(/narrow the matrix, or pass --yes/);
    const allowed = cli(['plan', spec, ...big, '--yes', '--json']);
    expect(allowed.code).toBe(0);
    expect(JSON.parse(allowed.stdout).totals.cells).toBe(10_207);
  });
});
