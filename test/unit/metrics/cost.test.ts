import { describe, expect, it } from 'vitest';
import { requestCost } from '../../../src/cost/price.js';
import { cellCost } from '../../../src/metrics/cost.js';
import { RECORDED_PRICE, RECORDED_TOKENS } from '../../fixtures/cost/recorded-tokens.js';

const rows = RECORDED_TOKENS;

describe('cellCost', () => {
  it('equals the hand-computed cell figures of the recorded set', () => {
    const price = RECORDED_PRICE;
    const c = cellCost({
      requests: rows.length,
      costs: rows.map((r) => requestCost(price, r) ?? NaN),
      completionTokens: rows.map((r) => r.completion_tokens ?? NaN),
      estimated: rows.map((r) => r.tokens_source === 'estimate'),
    });
    // 10.125 + 450 + 223.2 + 61.8 = 745.125 per million
    expect(c.cost_total).toBeCloseTo(0.000745125, 15);
    // 745.125e-6 / 5 requests x 1000
    expect(c.cost_per_1k_requests).toBeCloseTo(0.149025, 12);
    // 745.125e-6 / (8 + 500 + 0 + 100) output tokens x 1e6 = 745.125 / 608
    expect(c.cost_per_1m_output_tokens).toBeCloseTo(1.2255345394736842, 12);
    expect(c.cost_estimated).toBe(true);
  });
  it('has no per-request or per-token figure without requests or output', () => {
    expect(cellCost({ requests: 0, costs: [], completionTokens: [], estimated: [] })).toEqual({
      cost_total: 0,
      cost_per_1k_requests: undefined,
      cost_per_1m_output_tokens: undefined,
      cost_estimated: false,
    });
  });
});
