/**
 * Custom percentiles (issue 14.4): `percentiles: [50, 90, 95, 99, 99.9]` adds p99.9 to the
 * summaries, summary.csv and run.json, and thresholds may name it (`ttft_ms.p99.9`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { parseSummaryCsv } from '../../src/results/summary-csv.js';
import { runCli, tempDir, writeSpec } from '../helpers/cli.js';

const spec = (extra: string) => `name: pct
target:
  provider: openai-chat
  base_url: builtin
  simulator: { ttft_ms: 2, itl_ms: 1, jitter: 0.5, seed: 3 }
prompts: ["Say hello."]
params: { model: sim, max_tokens: 4 }
matrix:
  concurrency: [1, 2]
requests: 20
${extra}
`;

describe('percentiles', () => {
  it('computes p99.9, writes it to summary.csv and run.json, and gates on it', async () => {
    const dir = tempDir();
    const file = writeSpec(spec('percentiles: [50, 90, 95, 99, 99.9]\nthresholds:\n  ttft_ms.p99.9: "< 60000"\n  latency_ms.p99.9: "> 60000"'), dir);
    const out = join(dir, 'out');
    const r = await runCli(['run', file, '--out', out, '--quiet']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('latency_ms.p99.9');
    const [header, ...rows] = parse(readFileSync(join(out, 'summary.csv'), 'utf8')) as string[][];
    expect(header.slice(-4)).toEqual(['latency_ms_p99.9', 'ttft_ms_p99.9', 'tpot_ms_p99.9', 'itl_ms_p99.9']);
    for (const row of rows) {
      const p99 = Number(row[header.indexOf('ttft_ms_p99')]);
      const p999 = Number(row[header.indexOf('ttft_ms_p99.9')]);
      expect(p999).toBeGreaterThanOrEqual(p99);
    }
    const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as {
      cells: { ttft_ms: Record<string, number> }[];
      thresholds: { metric: string; status: string }[];
    };
    expect(run.cells[0].ttft_ms['p99.9']).toBeGreaterThan(0);
    expect(run.thresholds.filter((t) => t.metric === 'ttft_ms.p99.9').map((t) => t.status)).toEqual(['pass', 'pass']);
    expect(run.thresholds.filter((t) => t.metric === 'latency_ms.p99.9').map((t) => t.status)).toEqual(['fail', 'fail']);
    // summary.csv reads back with the extra columns, and `report` rebuilds the same file.
    const back = parseSummaryCsv(readFileSync(join(out, 'summary.csv'), 'utf8'));
    expect(back.summaries[0].ttft_ms?.['p99.9']).toBe(Number(rows[0][header.indexOf('ttft_ms_p99.9')]));
    const before = readFileSync(join(out, 'summary.csv'), 'utf8');
    expect((await runCli(['report', out])).code).toBe(0);
    expect(readFileSync(join(out, 'summary.csv'), 'utf8')).toBe(before);
  });

  it('says how to fix a threshold on a percentile the spec does not compute (exit 2)', async () => {
    const file = writeSpec(spec('thresholds:\n  ttft_ms.p99.9: "< 500"'));
    const r = await runCli(['validate', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: .*:\d+:\d+: threshold 'ttft_ms\.p99\.9': p99\.9 is not computed; add it to percentiles: \(percentiles: \[50, 90, 95, 99, 99\.9\]\)\n$/);
  });
});
