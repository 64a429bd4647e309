/**
 * Checks, cost and the budget through the real CLI, on the bundled simulator: bad input at
 * file:line:col, the toy quality model's pass rate falling with temperature within its
 * interval, costs equal to the token counts times the prices, the budget refusing to start,
 * stopping (rows kept, exit 3) and --resume going on with a higher one, and compare
 * catching a pass-rate drop.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir, writeSpec } from '../helpers/cli.js';

type Row = Record<string, string>;
const csv = (path: string): Row[] => parse(readFileSync(path, 'utf8'), { columns: true }) as Row[];

/** `n` arithmetic questions with their answers, as a JSONL dataset in `dir`. */
function dataset(dir: string, n: number): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const a = 3 + ((i * 37) % 97);
    const b = 2 + ((i * 53) % 89);
    lines.push(JSON.stringify({ prompt: `What is ${a} + ${b}?`, expected: String(a + b) }));
  }
  writeFileSync(join(dir, 'questions.jsonl'), `${lines.join('\n')}\n`);
  return 'questions.jsonl';
}

const FAST_SIM = 'simulator: { ttft_ms: 1, itl_ms: 0, jitter: 0, prefill_ms_per_token: 0, max_batch: 64, stop_probability: 0';

describe('bad input', () => {
  it('names every problem of checks, pricing and budget at file:line:col, exit 2, nothing sent', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'q.jsonl'), '{"prompt": "What is 1 + 1?", "expected": "2"}\n');
    const file = writeSpec(
      `target: { base_url: builtin }
prompts: [{ file: q.jsonl }]
params: { model: sim-7b, max_tokens: 8 }
checks:
  - { type: regex, value: "(unclosed" }
  - { type: json-schema, schema: { type: object, requried: [a] } }
  - { type: equals, column: expeted }
  - { type: contains }
pricing:
  models:
    sim-7b: { input: -1, output: 1 }
    gpt-4o: { input: 1, output: 1 }
`,
      dir,
    );
    const r = await runCli(['validate', file]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toContain(`error: ${file}:5:27: checks[0]: invalid regular expression "(unclosed": /(unclosed/: Unterminated group`);
    expect(lines).toContain(`error: ${file}:6:34: checks[1]: invalid JSON Schema: strict mode: unknown keyword: "requried"`);
    expect(lines).toContain(`error: ${file}:7:29: checks[2]: no prompt has a column 'expeted' — did you mean 'expected'? (the prompts have: expected)`);
    expect(lines).toContain(`error: ${file}:8:5: checks[3]: give contains a value (the same for every prompt) or a column (a dataset column, per prompt), one of the two`);
    expect(lines).toContain(`error: ${file}:11:22: pricing.models.sim-7b.input must be at least 0, got -1`);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('refuses pricing for a model the sweep does not send, and a budget without prices', async () => {
    const dir = tempDir();
    const priced = writeSpec(
      `target: { base_url: builtin }
prompts: ["What is 1 + 1?"]
params: { model: sim-7b, max_tokens: 8 }
pricing:
  models:
    sim-7B: { input: 1, output: 1 }
`,
      dir,
    );
    const r = await runCli(['run', priced, '--out', join(dir, 'out')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${priced}:6:5: pricing for model 'sim-7B', which the sweep does not send — did you mean 'sim-7b'? (it sends: sim-7b)`);
    expect(existsSync(join(dir, 'out'))).toBe(false);

    const budget = writeSpec(`target: { base_url: builtin }\nprompts: ["x"]\nbudget: { max_cost: 1 }\n`, tempDir());
    const b = await runCli(['validate', budget]);
    expect(b.code).toBe(2);
    expect(b.stderr).toContain(`${budget}:3:1: a budget needs prices: add a pricing: section (see docs/cost.md)`);

    const flag = writeSpec(`target: { base_url: builtin }\nprompts: ["x"]\n`, tempDir());
    const f = await runCli(['run', flag, '--max-cost', '1']);
    expect(f.code).toBe(2);
    expect(f.stderr).toContain('--max-cost needs prices: add a pricing: section to the spec');
  });
});

describe('the toy quality model through the CLI', () => {
  it('pass rate falls with temperature as configured, each within its Wilson interval; costs as hand-computed; verdicts in responses.jsonl', async () => {
    const dir = tempDir();
    const data = dataset(dir, 400);
    const file = writeSpec(
      `name: quality
target:
  base_url: builtin
  ${FAST_SIM}, accuracy: 0.9, accuracy_drop: 0.4, think_tokens: 6 }
prompts: [{ file: ${data} }]
params: { model: sim-7b, max_tokens: 64 }
matrix:
  temperature: [0, 1, 2]
  concurrency: [32]
repeat: 1
checks:
  - { type: equals, column: expected }
  - { type: not-contains, value: "Answer" }
pricing:
  currency: EUR
  models: { sim-7b: { input: 3, output: 7 } }
thresholds:
  check_pass_rate: "> 30%"
output: { save_responses: true }
`,
      dir,
    );
    const out = join(dir, 'out');
    const r = await runCli(['run', file, '--out', out], { timeoutMs: 120_000 });
    // Temperature 2 is right 10% of the time: its threshold fails (exit 1); 0 and 1 pass.
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout.replace(/\s+/g, ' ')).toMatch(/pass: answers passing every check \(95% CI\)/);
    expect(r.stdout).toMatch(/cost EUR/);

    const summary = csv(join(out, 'summary.csv'));
    const rates = summary.map((s) => Number(s.check_pass_rate));
    summary.forEach((s, i) => {
      const p = 0.9 - 0.4 * Number(s.temperature);
      expect(Number(s.check_pass_rate_low), `temperature ${s.temperature}`).toBeLessThanOrEqual(p);
      expect(Number(s.check_pass_rate_high), `temperature ${s.temperature}`).toBeGreaterThanOrEqual(p);
      expect(s.threshold).toBe(i < 2 ? 'pass' : 'fail');
    });
    expect(rates[0]).toBeGreaterThan(rates[1]);
    expect(rates[1]).toBeGreaterThan(rates[2]);

    // Every row: checks counted, cost = prompt x 3 + completion x 7 per million.
    const rows = csv(join(out, 'requests.csv'));
    expect(rows).toHaveLength(1200);
    let total = 0;
    for (const row of rows) {
      expect(row.checks_total).toBe('2');
      // The reasoning holds no "Answer"; the answer is the bare number: not-contains always passes.
      expect(['1', '2']).toContain(row.checks_passed);
      const cost = (Number(row.prompt_tokens) * 3 + Number(row.completion_tokens) * 7) / 1e6;
      expect(Number(row.cost)).toBeCloseTo(cost, 12);
      total += Number(row.cost);
    }
    const cellTotal = summary.reduce((s, c) => s + Number(c.cost_total), 0);
    expect(cellTotal).toBeCloseTo(total, 8);
    expect(Number(summary[0].cost_per_1k_requests)).toBeCloseTo((Number(summary[0].cost_total) / 400) * 1000, 8);
    expect(summary[0].cost_estimated).toBe('false');

    // responses.jsonl: answer, reasoning and each verdict.
    const lines = readFileSync(join(out, 'responses.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(1200);
    const one = lines[0];
    expect(one.text).toMatch(/^-?\d+$/);
    expect(one.reasoning).toMatch(/[a-z]/);
    expect(one.checks.map((c: { name: string }) => c.name)).toEqual(['equals column expected', 'not-contains "Answer"']);
    const wrong = lines.find((l) => !l.checks[0].pass);
    expect(wrong.checks[0].reason).toMatch(/^is "-?\d+", not "\d+"$/);

    // run.json: the tally per check, with examples of failed answers.
    const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    expect(run.checks[0]).toMatchObject({ name: 'equals column expected', type: 'equals', total: 1200 });
    expect(run.checks[0].examples.length).toBeGreaterThan(0);
    expect(Object.keys(run.checks[0].examples[0]).sort()).toEqual(['answer', 'cell', 'prompt_id', 'reason', 'repeat']);

    // The report shows the pass rate against latency, and the failed checks.
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('Quality vs latency');
    expect(html).toContain('Failed checks');
  }, 180_000);

  it('sweeps/quality.yaml shows the pass rate falling with temperature as its comments say, within each interval', async () => {
    const out = join(tempDir(), 'out');
    // The max_tokens that cuts no answer off, to see temperature alone; the budget as shipped.
    const r = await runCli(['run', 'sweeps/quality.yaml', '--out', out, '-q', '--set', 'matrix.max_tokens=[64]'], { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    const summary = csv(join(out, 'summary.csv'));
    expect(summary.map((s) => s.temperature)).toEqual(['0', '0.5', '1', '1.5']);
    for (const s of summary) {
      const p = 0.95 - 0.3 * Number(s.temperature); // accuracy - accuracy_drop x temperature, as the spec sets them
      expect(Number(s.check_pass_rate_low), `temperature ${s.temperature}`).toBeLessThanOrEqual(p);
      expect(Number(s.check_pass_rate_high), `temperature ${s.temperature}`).toBeGreaterThanOrEqual(p);
      expect(Number(s.cost_total)).toBeGreaterThan(0);
    }
    const rates = summary.map((s) => Number(s.check_pass_rate));
    expect([...rates].sort((a, b) => b - a)).toEqual(rates);
  }, 180_000);

  it('compare treats a pass-rate drop as a regression, and the same quality as none', async () => {
    const dir = tempDir();
    const data = dataset(dir, 150);
    const file = writeSpec(
      `name: drop
target:
  base_url: builtin
  ${FAST_SIM}, think_tokens: 4 }
prompts: [{ file: ${data} }]
params: { model: sim-7b, max_tokens: 32, temperature: 0 }
matrix: { concurrency: [32] }
repeat: 1
checks: [{ type: equals, column: expected }]
`,
      dir,
    );
    const base = join(dir, 'base');
    const same = join(dir, 'same');
    const worse = join(dir, 'worse');
    expect((await runCli(['run', file, '--out', base, '-q'])).code).toBe(0);
    expect((await runCli(['run', file, '--out', same, '-q'])).code).toBe(0);
    expect((await runCli(['run', file, '--out', worse, '-q', '--set', 'target.simulator.accuracy=0.7'])).code).toBe(0);
    const rule = ['--rule', 'check_pass_rate=-0.05'];
    const ok = await runCli(['compare', base, same, ...rule, '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    const regress = await runCli(['compare', base, worse, ...rule, '--json']);
    expect(regress.code, regress.stderr).toBe(1);
    const report = JSON.parse(regress.stdout);
    const m = report.cells[0].metrics.find((x: { metric: string }) => x.metric === 'check_pass_rate');
    expect(m.verdict).toBe('regression');
    // The default rules include the pass rate when the results have one.
    const byDefault = await runCli(['compare', base, worse, '--json']);
    expect(JSON.parse(byDefault.stdout).rules.map((x: { metric: string }) => x.metric)).toContain('check_pass_rate');
  }, 180_000);
});

describe('budget', () => {
  const priced = (extra: string) => `name: budget
target:
  base_url: builtin
  ${FAST_SIM} }
prompts: ["Tell me about caches."]
params: { model: sim-7b${extra} }
requests: 10
pricing:
  currency: USD
  models: { sim-7b: { input: 0, output: 1000 } }
`;

  it('plan prints tokens and cost per cell; run refuses a sweep whose estimate is over the budget', async () => {
    const dir = tempDir();
    const file = writeSpec(priced(', max_tokens: 100'), dir);
    const plan = await runCli(['plan', file]);
    expect(plan.code).toBe(0);
    // 10 requests x 100 tokens at 1000 per million = 1.
    expect(plan.stdout).toMatch(/max output tok .* est\. cost USD/s);
    expect(plan.stdout).toContain('estimated cost: 1 USD (');
    const out = join(dir, 'out');
    const r = await runCli(['run', file, '--out', out, '--max-cost', '0.5']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('error: the estimated cost 1 USD is over the budget of 0.5 USD; not starting.');
    expect(existsSync(join(out, 'requests.csv'))).toBe(false);
  }, 60_000);

  it('stops when the spent cost reaches the budget (rows kept, exit 3), and --resume goes on with a higher one', async () => {
    const dir = tempDir();
    // No max_tokens: no estimate, so the run starts; each answer is 256 tokens = 0.256 USD.
    const file = writeSpec(`${priced('')}budget: { max_cost: 1 }\nmatrix: { concurrency: [1] }\n`, dir);
    const out = join(dir, 'out');
    const first = await runCli(['run', file, '--out', out]);
    expect(first.code, first.stderr).toBe(3);
    expect(first.stderr).toContain('error: budget reached: spent 1.024 USD of 1 USD; no further request was sent');
    expect(first.stderr).toContain(`--resume ${out} --max-cost <more than 1>`);
    const rows = csv(join(out, 'requests.csv'));
    expect(rows).toHaveLength(4);
    for (const row of rows) expect(Number(row.cost)).toBeCloseTo(0.256, 12);
    const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    expect(run.stopped_reason).toMatch(/^budget reached/);

    // The same limit again: what was spent counts, so nothing more is sent.
    const again = await runCli(['run', file, '--resume', out]);
    expect(again.code).toBe(3);
    expect(again.stderr).toContain('(1.024 USD already spent + 0 USD estimated) is over the budget of 1 USD; not starting');
    expect(csv(join(out, 'requests.csv'))).toHaveLength(4);

    const more = await runCli(['run', file, '--resume', out, '--max-cost', '10']);
    expect(more.code, more.stderr).toBe(0);
    const all = csv(join(out, 'requests.csv'));
    expect(all).toHaveLength(10);
    expect(new Set(all.map((r) => r.prompt_id + '/' + r.repeat)).size).toBe(10);
    expect(Number(csv(join(out, 'summary.csv'))[0].cost_total)).toBeCloseTo(2.56, 9);
  }, 120_000);
});
