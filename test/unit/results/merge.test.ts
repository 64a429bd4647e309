import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadResult } from '../../../src/results/load.js';
import { mergeShards, plannedCells, readShard, writeMerged } from '../../../src/results/merge.js';
import { UserError } from '../../../src/errors.js';
import { tempDir } from '../../helpers/cli.js';
import { buildResult, type CellSpec, type ResultSpec } from '../../helpers/result-fixtures.js';

const A1: CellSpec = { model: 'a', concurrency: 1, requests: 4 };
const A4: CellSpec = { model: 'a', concurrency: 4, requests: 4 };
const B1: CellSpec = { model: 'b', concurrency: 1, requests: 4 };
const B4: CellSpec = { model: 'b', concurrency: 4, requests: 4, errors: 2 };

function write(spec: ResultSpec, dir = tempDir(), edit?: (run: Record<string, unknown>) => void): string {
  const built = buildResult(spec);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'requests.csv'), built['requests.csv']);
  writeFileSync(join(dir, 'summary.csv'), built['summary.csv']);
  const run = JSON.parse(built['run.json']) as Record<string, unknown>;
  edit?.(run);
  writeFileSync(join(dir, 'run.json'), JSON.stringify(run));
  return dir;
}

const thresholds = { 'latency_ms.p50': '< 1200', error_rate: '< 10%' };
const shard1 = () => write({ seed: 1, cells: [A1, B1], shard: { k: 1, n: 2 }, thresholds });
const shard2 = () => write({ seed: 2, cells: [A4, B4], shard: { k: 2, n: 2 }, thresholds });

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof UserError) return e.problems;
    throw e;
  }
  return [];
}

describe('merge', () => {
  it('orders the plan as the runner does', () => {
    expect(plannedCells({ matrix: { model: ['a', 'b'], concurrency: [1, 4], exclude: [{ model: 'b', concurrency: 1 }] } }).map((c) => c.id)).toEqual([
      'm=a,c=1',
      'm=a,c=4',
      'm=b,c=4',
    ]);
  });

  it('concatenates rows in plan order and rebuilds summaries and thresholds from them', () => {
    const dirs = [shard2(), shard1()];
    const inputs = dirs.map(readShard);
    const m = mergeShards(inputs);
    expect([...new Set(m.records.map((r) => r.cell))]).toEqual(['m=a,c=1', 'm=a,c=4', 'm=b,c=1', 'm=b,c=4']);
    expect(m.records).toHaveLength(16);
    expect(m.summaries.map((s) => [s.cell, s.requests, s.errors, s.threshold])).toEqual([
      ['m=a,c=1', 4, 0, 'pass'],
      ['m=a,c=4', 4, 0, 'pass'],
      ['m=b,c=1', 4, 0, 'fail'],
      ['m=b,c=4', 4, 2, 'fail'],
    ]);
    expect(m.thresholds.filter((t) => t.status === 'fail').map((t) => `${t.cell} ${t.threshold}`)).toEqual([
      'm=b,c=1 latency_ms.p50: < 1200',
      'm=b,c=4 latency_ms.p50: < 1200',
      'm=b,c=4 error_rate: < 10%',
    ]);
    expect(m.run.shard).toBeNull();
    expect(m.run.merged_from!.map((f) => f.shard)).toEqual([{ k: 2, n: 2 }, { k: 1, n: 2 }]);

    const out = join(tempDir(), 'merged');
    writeMerged(out, m, inputs);
    const back = loadResult(out);
    // Read back whole: the rows give the numbers, run.json the verdicts.
    expect(back.cells.map((c) => c.summary)).toEqual(m.summaries);
    const run = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as { shard: unknown; thresholds: unknown[]; merged_from: { dir: string }[] };
    expect(run.shard).toBeNull();
    expect(run.thresholds).toHaveLength(8);
    expect(run.merged_from[0].dir).toMatch(/^\.\.\//);
    expect(() => writeMerged(out, m, inputs)).toThrow('already holds a result');
  });

  it('refuses results of different specs', () => {
    const other = write({ seed: 2, cells: [A4, B4], shard: { k: 2, n: 2 }, specHash: 'a0a0a0a0a0a0a0a0' });
    const p = problems(() => mergeShards([shard1(), other].map(readShard)));
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^the results come from different specs \(spec_hash f1f1f1f1f1f1f1f1: .*; spec_hash a0a0a0a0a0a0a0a0: .*\); merge only shards of one spec/);
  });

  it('refuses a cell held twice, a shard given twice, and missing cells', () => {
    const s1 = shard1();
    const whole = write({ seed: 3, cells: [A1, A4, B1, B4] });
    expect(problems(() => mergeShards([s1, whole].map(readShard)))).toEqual([
      `cell m=a,c=1 is in both ${s1} and ${whole}; each cell must come from one result`,
      `cell m=b,c=1 is in both ${s1} and ${whole}; each cell must come from one result`,
    ]);
    expect(problems(() => mergeShards([s1, s1].map(readShard)))).toEqual([`${s1} is given twice`]);
    expect(problems(() => mergeShards([readShard(s1)]))).toEqual([
      '2 of 4 planned cells are in no input: m=a,c=4, m=b,c=4. Of 2 shards, these were given: 1/2. Add the missing shard(s), or pass --allow-partial',
    ]);
    const partial = mergeShards([readShard(s1)], { allowPartial: true });
    expect(partial.missing).toEqual(['m=a,c=4', 'm=b,c=4']);
    expect(partial.summaries.map((s) => s.cell)).toEqual(['m=a,c=1', 'm=b,c=1']);
  });

  it('refuses an interrupted shard unless partial results are allowed', () => {
    const cut = write({ seed: 2, cells: [A4, B4], shard: { k: 2, n: 2 } }, undefined, (run) => {
      run.interrupted = true;
      run.stopped_reason = 'interrupted';
    });
    expect(problems(() => mergeShards([shard1(), cut].map(readShard)))).toEqual([
      `${cut} did not finish (interrupted); complete it with \`llm-sweep run fixture.yaml --shard 2/2 --resume ${cut}\`, or pass --allow-partial`,
    ]);
    expect(mergeShards([shard1(), cut].map(readShard), { allowPartial: true }).run.interrupted).toBe(true);
  });

  it('needs run.json', () => {
    const dir = tempDir();
    expect(() => readShard(dir)).toThrow(/no run\.json; merge needs the run\.json of every shard/);
  });
});
