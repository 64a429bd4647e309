import { describe, expect, it } from 'vitest';
import { cartesian, expandGrid, productSize } from '../../../src/plan/grid.js';

// The examples are GitHub's own, from "Running variations of jobs in a workflow"
// (https://docs.github.com/en/actions/how-tos/write-workflows/choose-what-workflows-do/run-job-variations)
// and the workflow syntax reference (jobs.<job_id>.strategy.matrix.include / exclude).

describe('cartesian product', () => {
  it('keeps spec order, first axis slowest (GitHub: version x os)', () => {
    expect(cartesian({ version: [10, 12, 14], os: ['ubuntu-latest', 'windows-latest'] })).toEqual([
      { version: 10, os: 'ubuntu-latest' },
      { version: 10, os: 'windows-latest' },
      { version: 12, os: 'ubuntu-latest' },
      { version: 12, os: 'windows-latest' },
      { version: 14, os: 'ubuntu-latest' },
      { version: 14, os: 'windows-latest' },
    ]);
  });

  it('pins the order of a three-axis grid', () => {
    const ids = cartesian({ m: ['a', 'b'], t: [0, 1], c: [1, 8] }).map((c) => `${c.m}${c.t}${c.c}`);
    expect(ids).toEqual(['a01', 'a08', 'a11', 'a18', 'b01', 'b08', 'b11', 'b18']);
  });

  it('counts the product without building it', () => {
    expect(productSize({ a: [1, 2, 3], b: [1, 2], c: [1] })).toBe(6);
    expect(productSize({})).toBe(1);
  });
});

describe('include (GitHub Actions semantics)', () => {
  it('expands the fruit/animal example into exactly the six documented combinations, in order', () => {
    const grid = expandGrid({
      axes: { fruit: ['apple', 'pear'], animal: ['cat', 'dog'] },
      include: [
        { color: 'green' },
        { color: 'pink', animal: 'cat' },
        { fruit: 'apple', shape: 'circle' },
        { fruit: 'banana' },
        { fruit: 'banana', animal: 'cat' },
      ],
    });
    expect(grid.combinations).toEqual([
      { fruit: 'apple', animal: 'cat', color: 'pink', shape: 'circle' },
      { fruit: 'apple', animal: 'dog', color: 'green', shape: 'circle' },
      { fruit: 'pear', animal: 'cat', color: 'pink' },
      { fruit: 'pear', animal: 'dog', color: 'green' },
      { fruit: 'banana' },
      { fruit: 'banana', animal: 'cat' },
    ]);
    expect(grid.keys).toEqual(['fruit', 'animal', 'color', 'shape']);
    expect(grid.included).toEqual(['extended', 'extended', 'extended', 'added', 'added']);
  });

  it('adds npm only to windows-latest/node 16 (the os/node/npm example)', () => {
    const grid = expandGrid({
      axes: { os: ['windows-latest', 'ubuntu-latest'], node: [14, 16] },
      include: [{ os: 'windows-latest', node: 16, npm: 6 }],
    });
    expect(grid.combinations).toEqual([
      { os: 'windows-latest', node: 14 },
      { os: 'windows-latest', node: 16, npm: 6 },
      { os: 'ubuntu-latest', node: 14 },
      { os: 'ubuntu-latest', node: 16 },
    ]);
  });

  it('adds a combination that fits no original one (windows-latest / version 17: ten jobs)', () => {
    const grid = expandGrid({
      axes: { os: ['macos-latest', 'windows-latest', 'ubuntu-latest'], version: [12, 14, 16] },
      include: [{ os: 'windows-latest', version: 17 }],
    });
    expect(grid.combinations).toHaveLength(10);
    expect(grid.combinations[9]).toEqual({ os: 'windows-latest', version: 17 });
  });

  it('runs every include entry when there are no axes', () => {
    const grid = expandGrid({
      axes: {},
      include: [
        { site: 'production', datacenter: 'site-a' },
        { site: 'staging', datacenter: 'site-b' },
      ],
    });
    expect(grid.combinations).toEqual([
      { site: 'production', datacenter: 'site-a' },
      { site: 'staging', datacenter: 'site-b' },
    ]);
  });

  it('adds an experimental combination (version 9 / experimental true: four jobs)', () => {
    const grid = expandGrid({
      axes: { version: [6, 7, 8], experimental: [false] },
      include: [{ version: 9, experimental: true }],
    });
    expect(grid.combinations).toEqual([
      { version: 6, experimental: false },
      { version: 7, experimental: false },
      { version: 8, experimental: false },
      { version: 9, experimental: true },
    ]);
  });

  it('without axes and include, is one empty combination', () => {
    expect(expandGrid({ axes: {} }).combinations).toEqual([{}]);
  });
});

describe('exclude', () => {
  it('drops partial matches: the os/version/environment example runs nine jobs', () => {
    const grid = expandGrid({
      axes: {
        os: ['macos-latest', 'windows-latest'],
        version: [12, 14, 16],
        environment: ['staging', 'production'],
      },
      exclude: [
        { os: 'macos-latest', version: 12, environment: 'production' },
        { os: 'windows-latest', version: 16 },
      ],
    });
    expect(grid.combinations).toHaveLength(9);
    expect(grid.combinations).not.toContainEqual({ os: 'macos-latest', version: 12, environment: 'production' });
    expect(grid.combinations.filter((c) => c.os === 'windows-latest' && c.version === 16)).toEqual([]);
    expect(grid.combinations[0]).toEqual({ os: 'macos-latest', version: 12, environment: 'staging' });
    expect(grid.excluded).toEqual([1, 2]);
  });

  it('applies before include, so include can add an excluded combination back', () => {
    const grid = expandGrid({
      axes: { model: ['a', 'b'], t: [0, 1] },
      exclude: [{ model: 'b' }],
      include: [{ model: 'b', t: 1 }],
    });
    expect(grid.combinations).toEqual([
      { model: 'a', t: 0 },
      { model: 'a', t: 1 },
      { model: 'b', t: 1 },
    ]);
  });

  it('counts an entry that matches nothing', () => {
    const grid = expandGrid({ axes: { model: ['a'] }, exclude: [{ model: 'z' }] });
    expect(grid.excluded).toEqual([0]);
    expect(grid.combinations).toEqual([{ model: 'a' }]);
  });

  it('matches list and mapping values by value', () => {
    const grid = expandGrid({ axes: { stop: [['\n'], ['###']] }, exclude: [{ stop: ['###'] }] });
    expect(grid.combinations).toEqual([{ stop: ['\n'] }]);
  });
});
