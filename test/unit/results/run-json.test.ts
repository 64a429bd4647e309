/** run.json's one reader: versioned, typed, and clear about a file it cannot read. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../../src/errors.js';
import { parseRunJson, RUN_JSON_FORMAT, serializeRunJson } from '../../../src/results/run-json.js';
import { REPO } from '../../helpers/cli.js';

const fixture = () => JSON.parse(readFileSync(join(REPO, 'test/fixtures/results/baseline/run.json'), 'utf8')) as Record<string, unknown>;

describe('run.json', () => {
  it('reads a file written before the format field existed as format 1', () => {
    const { format: _f, ...old } = fixture();
    const run = parseRunJson(JSON.stringify(old));
    expect(run.format).toBe(RUN_JSON_FORMAT);
    expect(run.cells).toHaveLength(4);
    expect(run.thresholds).toEqual([]);
  });

  it('keeps cell fields this version does not know, and round-trips', () => {
    const doc = fixture() as { cells: Record<string, unknown>[] };
    doc.cells[0].from_the_future = { x: 1 };
    const run = parseRunJson(JSON.stringify(doc));
    expect((run.cells[0] as Record<string, unknown>).from_the_future).toEqual({ x: 1 });
    expect(parseRunJson(serializeRunJson(run))).toEqual(run);
  });

  it('refuses a newer format, and a file that is not one, naming the file and the field', () => {
    expect(() => parseRunJson(JSON.stringify({ ...fixture(), format: 2 }), 'r/run.json')).toThrow(
      'r/run.json: written by a newer llm-sweep (format 2); this version reads format 1, so upgrade it',
    );
    const { spec_hash: _h, ...noHash } = fixture();
    expect(() => parseRunJson(JSON.stringify(noHash), 'r/run.json')).toThrow(/^r\/run\.json: not a run\.json written by llm-sweep \(spec_hash: /);
    expect(() => parseRunJson('{"tool":', 'r/run.json')).toThrow(UserError);
    expect(() => parseRunJson('{"tool":', 'r/run.json')).toThrow(/^r\/run\.json: not valid JSON/);
  });
});
