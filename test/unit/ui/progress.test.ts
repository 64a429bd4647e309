/**
 * The progress line (issue 14.7): live req/s, p50 so far and errors by kind, kept to the
 * terminal width; NO_COLOR uncolours the spinner too; the interrupt note names the resume
 * command. Driven by runner events into a fake TTY stream.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Cell } from '../../../src/plan/types.js';
import type { RequestRecord } from '../../../src/records/types.js';
// As a colour terminal would be: chalk (behind ora) reads this when first imported, so the
// spinner would be cyan unless we tell ora not to paint it.
process.env.FORCE_COLOR = '1';
const { createProgress } = await import('../../../src/ui/progress.js');
const { resumeCommandFor } = await import('../../../src/cli/run.js');

function fakeTty(columns: number) {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  Object.assign(stream, { isTTY: true, columns, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  return { stream, text: () => chunks.join('') };
}

const cell = { id: 'm=llama3-8b,t=0.7,mt=256,c=8', index: 0, warmup: 0 } as unknown as Cell;
const record = (i: number): RequestRecord =>
  ({
    cell: cell.id,
    status: i % 5 === 4 ? 'error' : 'ok',
    http_status: i % 10 === 4 ? 503 : i % 5 === 4 ? undefined : 200,
    error_kind: i % 10 === 9 ? 'timeout' : i % 10 === 4 ? 'http' : undefined,
    latency_ms: 100 + i,
  }) as unknown as RequestRecord;

async function drive(color: boolean, columns: number, resumeCommand?: string) {
  const tty = fakeTty(columns);
  const p = await createProgress({ quiet: false, color, stream: tty.stream, resumeCommand });
  p.listener({ type: 'run-start', cells: 3, requests: 600 });
  p.listener({ type: 'cell-start', cell, position: 1, of: 3, requests: 200 });
  for (let i = 0; i < 40; i++) p.listener({ type: 'request-end', cell, record: record(i) });
  p.listener({ type: 'interrupt', message: 'stopping: waiting for requests in flight' });
  p.stop();
  return tty.text();
}

// eslint-disable-next-line no-control-regex
const visible = (s: string) => s.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');

describe('the progress line', () => {
  it('shows live req/s, p50 so far and errors by kind', async () => {
    const out = visible(await drive(false, 200));
    expect(out).toMatch(/cell 1\/3 m=llama3-8b,t=0\.7,mt=256,c=8 {2}40\/200 in cell {2}[\d.,]+ req\/s {2}p50 1\d\d(\.\d)? ms {2}40\/600 total {2}8 errors \(HTTP 503 ×4, timeout ×4\)/);
  });

  it('keeps every frame to the terminal width', async () => {
    // ora moves the cursor between frames: split there.
    // eslint-disable-next-line no-control-regex
    const frames = (await drive(false, 60)).split(/\u001b\[[0-9;?]*[A-Za-z]|\r|\n/).filter((l) => l.includes('cell 1/3'));
    expect(frames.length).toBeGreaterThan(0);
    for (const f of frames) expect(f.length).toBeLessThanOrEqual(60);
  });

  it('paints nothing, spinner included, without colour (NO_COLOR)', async () => {
    expect(await drive(false, 120)).not.toMatch(/\u001b\[3\dm/);
    expect(await drive(true, 120)).toMatch(/\u001b\[36m/);
  });

  it('names the exact resume command when interrupted', async () => {
    expect(visible(await drive(false, 200, 'llm-sweep run s.yaml --resume results/s/x'))).toContain(
      'stopping: waiting for requests in flight (Ctrl-C again to cut them); to finish later: llm-sweep run s.yaml --resume results/s/x',
    );
  });
});

describe('the resume command', () => {
  it('repeats the spec, --set and --shard, quoted for a shell, with the folder relative to here', () => {
    expect(resumeCommandFor('sweeps/a b.yaml', { set: ['matrix.concurrency=[1,2]', "name=it's"], shard: '2/4' }, `${process.cwd()}/results/a/t`)).toBe(
      "llm-sweep run 'sweeps/a b.yaml' --set 'matrix.concurrency=[1,2]' --set 'name=it'\\''s' --shard 2/4 --resume results/a/t",
    );
    expect(resumeCommandFor('s.yaml', {}, '/elsewhere/out')).toBe('llm-sweep run s.yaml --resume /elsewhere/out');
  });
});
