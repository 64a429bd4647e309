/** The targets section of the terminal summary, pinned on a fixed comparison. */
import { describe, expect, it } from 'vitest';
import type { TargetsComparison } from '../../../src/compare/targets.js';
import { formatTargetsTable } from '../../../src/ui/targets-table.js';

const test = (significant: boolean) => ({
  method: 'bootstrap' as const,
  ci: [1, 2] as [number, number],
  confidence: 0.99,
  p: significant ? 0.001 : 0.4,
  n: [40, 40] as [number, number],
  significant,
});

const COMPARISON: TargetsComparison = {
  targets: ['vllm', 'sglang'],
  metrics: [
    { key: 'ttft_ms.p50', label: 'p50 TTFT ms' },
    { key: 'output_tokens_per_s', label: 'out tok/s' },
    { key: 'slo_attainment', label: 'SLO met' },
  ],
  groups: [1, 8].map((c) => ({
    params: { concurrency: c, model: 'm' },
    reference: 'vllm',
    rows: [
      { target: 'vllm', cell: `target=vllm,c=${c}`, values: [50.2, 400, 1] },
      {
        target: 'sglang',
        cell: `target=sglang,c=${c}`,
        values: [80.4, 396, 0.95],
        diffs: [
          { change: 30.2, change_rel: 0.6016, verdict: 'significant', better: false, test: test(true) },
          { change: -4, change_rel: -0.01, verdict: 'not significant', better: false, test: test(false) },
          { change: -0.05, change_rel: -0.05, verdict: 'untested', better: false },
        ],
      },
    ],
  })),
  confidence: 0.95,
  interval_level: 1 - 0.05 / 6,
  tested: 4,
  resamples: 2000,
  seed: 1,
};

describe('formatTargetsTable', () => {
  it('shows each group once, the other targets with their difference and verdict, and how to read it', () => {
    expect(formatTargetsTable(COMPARISON, false)).toMatchInlineSnapshot(`
      "targets (vllm vs sglang)
      ┌─────────────┬────────┬─────────────────┬──────────────┬───────────┐
      │ concurrency │ target │ p50 TTFT ms     │ out tok/s    │ SLO met   │
      │ 1           │ vllm   │ 50.2            │ 400          │ 100%      │
      │             │ sglang │ 80.4 +60.2% sig │ 396 -1% n.s. │ 95% -5 pp │
      │ 8           │ vllm   │ 50.2            │ 400          │ 100%      │
      │             │ sglang │ 80.4 +60.2% sig │ 396 -1% n.s. │ 95% -5 pp │
      └─────────────┴────────┴─────────────────┴──────────────┴───────────┘
      vs each group's first target: sig = significant, n.s. = within the noise
      (seeded bootstrap, 2000 resamples, seed 1; each interval at 99.17%, so all 4 keep 95%)"
    `);
  });
});
