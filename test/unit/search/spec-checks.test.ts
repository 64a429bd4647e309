import { describe, expect, it } from 'vitest';
import { buildPlan } from '../../../src/plan/build.js';
import { load, MINIMAL, problems } from '../spec/helpers.js';

const SEARCH = `${MINIMAL}search:
  over: concurrency
  max: 64
  slo: { ttft_ms: 500 }
`;

describe('search: in the spec', () => {
  it('loads with its defaults and plans every cell of the rest of the grid as a searched cell', () => {
    const loaded = load(`${SEARCH}matrix: { model: [a, b] }\n`);
    expect(loaded.spec.search).toMatchObject({ over: 'concurrency', min: 1, max: 64, attainment: 0.95, confidence: 0.9, max_steps: 20, max_rounds: 4 });
    const plan = buildPlan(loaded);
    expect(plan.axes).toEqual(['model', 'concurrency']);
    expect(plan.cells.map((c) => c.id)).toEqual(['m=a', 'm=b']);
    expect(plan.search).toMatchObject({ over: 'concurrency', min: 1, max: 64, requestsPerStep: 104, slo: { ttft_ms: 500 } });
    expect(plan.cells[0].requests).toBe(104);
  });

  it("takes the spec's slo when the search names none, and rate max: inf", () => {
    const plan = buildPlan(load(`${MINIMAL}slo: { tpot_ms: 40 }\nsearch: { over: rate, min: 0.5, max: inf, attainment: 0.9 }\n`));
    expect(plan.search).toMatchObject({ over: 'rate', max: Infinity, slo: { tpot_ms: 40 }, requestsPerStep: 50 });
  });

  it('sizes a step for the most demanding threshold', () => {
    const plan = buildPlan(load(`${MINIMAL}search: { over: concurrency, max: 8, thresholds: { ttft_ms.p99: "< 900", error_rate: "< 5%" } }\n`));
    expect(plan.search).toMatchObject({ requestsPerStep: 536, thresholds: { 'ttft_ms.p99': '< 900' } });
    expect(plan.search!.slo).toBeUndefined();
  });

  it('reports its problems together with the schema\'s', () => {
    expect(problems(`${MINIMAL}matrix: { concurrency: [1, 2] }\nsearch: { over: concurrency, min: 9, max: 4, attainment: 2 }\n`)).toEqual([
      'sweep.yaml:5:11: concurrency is what search: finds (search.over), so it cannot also be a matrix axis; remove matrix.concurrency',
      'sweep.yaml:6:1: search needs a criterion that names an SLO or a threshold: give search.slo (e.g. { ttft_ms: 500 }, to be met by search.attainment of the requests) or search.thresholds (e.g. { "ttft_ms.p95": "< 500" })',
      'sweep.yaml:6:35: search.min (9) is above search.max (4); give min <= max',
      'sweep.yaml:6:58: search.attainment must be a share above 0 and at most 1 (0.95 = 95% of requests), got 2',
    ]);
  });

  it('refuses repeat_cells (a search repeats its own steps); searches each named target', () => {
    expect(problems(`${SEARCH}repeat_cells: 2\n`)).toEqual([
      'sweep.yaml:9:1: repeat_cells runs the grid in rounds, and a search runs its steps in its own rounds; remove repeat_cells (a step repeats by itself until its verdict is sure)',
    ]);
    const two = `targets:\n  a: { provider: openai-chat, base_url: "http://127.0.0.1:1/v1" }\n  b: { provider: openai-chat, base_url: "http://127.0.0.1:2/v1" }\nprompts: [hi]\nparams: { model: m }\nsearch: { over: concurrency, max: 8, slo: { ttft_ms: 500 } }\n`;
    const plan = buildPlan(load(`${two}matrix: { target: [a, b] }\n`));
    expect(plan.cells.map((c) => [c.id, c.target])).toEqual([['target=a', 'a'], ['target=b', 'b']]);
  });

  it('refuses min above max, fractional concurrency and inf concurrency', () => {
    expect(problems(`${MINIMAL}search: { over: concurrency, min: 64, max: 8, slo: { ttft_ms: 500 } }\n`)).toEqual([
      'sweep.yaml:5:35: search.min (64) is above search.max (8); give min <= max',
    ]);
    expect(problems(`${MINIMAL}search: { over: concurrency, min: 1.5, max: inf, slo: { ttft_ms: 500 } }\n`)).toEqual([
      'sweep.yaml:5:35: search.min must be a whole number of requests in flight for over: concurrency, got 1.5',
      'sweep.yaml:5:45: search.max: inf is for over: rate only; give the most requests in flight to try, e.g. 512',
    ]);
  });

  it('needs a criterion that names an SLO or a threshold, and only one kind', () => {
    expect(problems(`${MINIMAL}search: { over: concurrency, max: 8 }\n`)).toEqual([
      'sweep.yaml:5:1: search needs a criterion that names an SLO or a threshold: give search.slo (e.g. { ttft_ms: 500 }, to be met by search.attainment of the requests) or search.thresholds (e.g. { "ttft_ms.p95": "< 500" })',
    ]);
    expect(problems(`${MINIMAL}search: { over: concurrency, max: 8, slo: {} }\n`)[0]).toMatch(/^sweep\.yaml:5:38: search needs a criterion/);
    expect(problems(`${MINIMAL}search: { over: concurrency, max: 8, slo: { ttft_ms: 1 }, thresholds: { error_rate: "< 1%" } }\n`)).toEqual([
      'sweep.yaml:5:59: give search.slo or search.thresholds, not both: a step is judged by one criterion',
    ]);
  });

  it('refuses the searched setting as a matrix axis, in include or in params', () => {
    expect(problems(`${SEARCH}matrix:\n  concurrency: [1, 2]\n  include: [{ concurrency: 4 }]\nparams: { concurrency: 3 }\n`)).toEqual([
      'sweep.yaml:10:3: concurrency is what search: finds (search.over), so it cannot also be a matrix axis; remove matrix.concurrency',
      'sweep.yaml:11:15: concurrency is what search: finds (search.over), so an include entry cannot set it; remove it',
      'sweep.yaml:12:11: concurrency is what search: finds (search.over), so params cannot fix it; remove params.concurrency',
    ]);
  });

  it('refuses an attainment outside (0, 1] and a confidence outside (0, 1), saying what they are', () => {
    expect(problems(`${SEARCH}  attainment: 1.5\n  confidence: 1\n`)).toEqual([
      'sweep.yaml:9:15: search.attainment must be a share above 0 and at most 1 (0.95 = 95% of requests), got 1.5',
      'sweep.yaml:10:15: search.confidence must be above 0 and below 1 (0.9 = a 90% interval), got 1',
    ]);
    expect(problems(`${SEARCH}  attainment: 0\n`)).toHaveLength(1);
    expect(load(`${SEARCH}  attainment: 1\n`).spec.search!.attainment).toBe(1);
  });

  it("checks the search's own thresholds at their position, capacity among them", () => {
    expect(problems(`${MINIMAL}search:\n  over: rate\n  max: 8\n  thresholds: { ttft_ms.p95: "< 500", capacity: "> 1", tfft_ms.p50: "< 9" }\n`)).toEqual([
      'sweep.yaml:8:39: capacity is what the search finds, not a step metric; gate on it in the top-level thresholds',
      "sweep.yaml:8:56: search threshold 'tfft_ms.p50': unknown metric 'tfft_ms' — did you mean 'ttft_ms'?",
    ]);
  });

  it('gates on capacity only with a search, scoped by matrix values', () => {
    expect(problems(`${MINIMAL}thresholds: { capacity: ">= 16" }\n`)[0]).toMatch(/^sweep\.yaml:5:15: threshold 'capacity' needs a search: section/);
    expect(() => load(`${SEARCH}matrix: { model: [a] }\nthresholds:\n  capacity{model:a}: ">= 16"\n`)).not.toThrow();
    expect(problems(`${SEARCH}matrix: { model: [a] }\nthresholds:\n  capacity{model:b}: ">= 16"\n`)[0]).toMatch(/no cell has model=b/);
  });

  it('warns about settings a search does not use or cannot pass with', () => {
    const loaded = load(`${SEARCH}  requests_per_step: 20\nrequests: 50\nthresholds: { error_rate: "< 1%" }\n`);
    expect((loaded.warnings ?? []).map((w) => w.replace(/^.*sweep\.yaml/, 'sweep.yaml'))).toEqual([
      "sweep.yaml:9:22: a step of 20 requests cannot pass: with attainment 0.95 at confidence 0.9 it takes at least 52 (every one meeting the SLO); steps will need more rounds or end undecided",
      'sweep.yaml:10:1: requests is not used by a search: each step runs search.requests_per_step requests (or search.duration_s_per_step seconds) per round',
      "sweep.yaml:11:15: threshold 'error_rate' does not judge a search's steps, which go past the capacity on purpose; make it search.thresholds to search by it, or gate on capacity",
    ]);
  });
});
