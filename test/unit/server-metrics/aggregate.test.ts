import { describe, expect, it } from 'vitest';
import { aggregateCell, gaugeTimelines, recognize } from '../../../src/server-metrics/aggregate.js';
import { SERVER_COLUMNS } from '../../../src/server-metrics/columns.js';
import { METRIC_MAPS } from '../../../src/server-metrics/maps/index.js';
import { parsePrometheus } from '../../../src/server-metrics/parse.js';
import type { Scrape, ScrapePhase } from '../../../src/server-metrics/types.js';
import { llamaRecording, vllmSample } from './fixtures.js';

const URL = 'http://127.0.0.1:8000/metrics';

function scrape(phase: ScrapePhase, at: number, text: string): Scrape {
  return { ok: true, url: URL, phase, sentAt: at, at, samples: parsePrometheus(text) };
}

function failed(phase: ScrapePhase, at: number): Scrape {
  return { ok: false, url: URL, phase, sentAt: at, at, error: 'timeout after 100 ms' };
}

/** A vLLM exposition with the given state; counters and buckets as given. */
function vllm(o: { running: number; waiting: number; kv?: number; queries?: number; hits?: number; gen?: number; buckets?: number[]; sum?: number }): string {
  const l = 'engine="0",model_name="m"';
  const bounds = ['0.05', '0.1', '0.25', '+Inf'];
  const buckets = o.buckets ?? [0, 0, 0, 0];
  return [
    `vllm:num_requests_running{${l}} ${o.running}`,
    `vllm:num_requests_waiting{${l}} ${o.waiting}`,
    `vllm:kv_cache_usage_perc{${l}} ${o.kv ?? 0}`,
    `vllm:prefix_cache_queries_total{${l}} ${o.queries ?? 0}`,
    `vllm:prefix_cache_hits_total{${l}} ${o.hits ?? 0}`,
    `vllm:generation_tokens_total{${l}} ${o.gen ?? 0}`,
    `vllm:time_to_first_token_seconds_sum{${l}} ${o.sum ?? 0}`,
    ...bounds.map((le, i) => `vllm:time_to_first_token_seconds_bucket{${l},le="${le}"} ${buckets[i]}`),
    `vllm:time_to_first_token_seconds_count{${l}} ${buckets[3]}`,
  ].join('\n');
}

const window = { start: 1000, end: 3000 };

describe('aggregateCell', () => {
  const cell = [
    scrape('before', 990, vllm({ running: 0, waiting: 0, queries: 100, hits: 10, gen: 1000, buckets: [5, 5, 5, 5], sum: 0.2 })),
    scrape('during', 1500, vllm({ running: 8, waiting: 4, kv: 0.5, queries: 150, hits: 30, gen: 2000, buckets: [5, 20, 25, 30], sum: 3 })),
    scrape('during', 2000, vllm({ running: 8, waiting: 10, kv: 0.7, queries: 200, hits: 60, gen: 3000, buckets: [5, 40, 60, 70], sum: 7 })),
    scrape('during', 2500, vllm({ running: 5, waiting: 0, kv: 0.6, queries: 250, hits: 90, gen: 4000, buckets: [5, 50, 85, 95], sum: 10 })),
    scrape('after', 3010, vllm({ running: 0, waiting: 0, queries: 300, hits: 110, gen: 5000, buckets: [5, 55, 95, 105], sum: 12.2 })),
  ];

  it('averages and maxes gauges over the scrapes taken during the cell only', () => {
    const s = aggregateCell([cell], window);
    expect(s.server_running_mean).toBeCloseTo(7);
    expect(s.server_running_max).toBe(8);
    expect(s.server_waiting_mean).toBeCloseTo(14 / 3);
    expect(s.server_waiting_max).toBe(10);
    expect(s.server_kv_cache_usage_max).toBe(0.7);
  });

  it('turns counters into rates per second of the cell, and hits/queries into the hit rate', () => {
    const s = aggregateCell([cell], window);
    // 4000 tokens between the scrape before and the one after, over the cell's 2 s.
    expect(s.server_generation_tokens_per_s).toBeCloseTo(2000);
    expect(s.server_prefix_cache_hit_rate).toBeCloseTo(100 / 200);
    // The scrapes in between do not change an increase.
    expect(aggregateCell([[cell[0], cell[4]]], window).server_generation_tokens_per_s).toBeCloseTo(2000);
  });

  it('reads a histogram from the increase of its buckets over the cell', () => {
    const twoScrapes = [cell[0], cell[4]];
    const s = aggregateCell([twoScrapes], window);
    // Increases: 0 in (0, 0.05], 50 in (0.05, 0.1], 40 in (0.1, 0.25], 10 above.
    expect(s.server_ttft_p50_ms).toBeCloseTo(100);
    expect(s.server_ttft_p90_ms).toBeCloseTo(250);
    expect(s.server_ttft_p99_ms).toBeCloseTo(250);
    expect(s.server_ttft_mean_ms).toBeCloseTo((12 / 100) * 1000);
    expect(s.server_prefix_cache_hit_rate).toBeCloseTo(100 / 200);
    expect(s.server_generation_tokens_per_s).toBeCloseTo(4000 / 2);
  });

  it('counts a restart as growth from zero and a series created mid-cell as growth', () => {
    const l = 'model_name="m"';
    const s = aggregateCell(
      [
        [
          scrape('before', 990, `vllm:generation_tokens_total{${l}} 900`),
          scrape('during', 2000, `vllm:generation_tokens_total{${l}} 1000\nvllm:request_success_total{${l},finished_reason="stop"} 3`),
          scrape('after', 3010, `vllm:generation_tokens_total{${l}} 50\nvllm:request_success_total{${l},finished_reason="stop"} 7`),
        ],
      ],
      window,
    );
    expect(s.server_generation_tokens_per_s).toBeCloseTo((100 + 50) / 2);
    expect(s.server_requests_per_s).toBeCloseTo(7 / 2);
  });

  it('spreads the increase over the scrapes it spans when the scrape before failed', () => {
    const l = 'model_name="m"';
    const s = aggregateCell(
      [[failed('before', 990), scrape('during', 1500, `vllm:generation_tokens_total{${l}} 100`), scrape('after', 3500, `vllm:generation_tokens_total{${l}} 300`)]],
      window,
    );
    expect(s.server_generation_tokens_per_s).toBeCloseTo(200 / 2);
  });

  it('gives nothing for a cell with no successful scrape, or gauges with none during the cell', () => {
    expect(aggregateCell([[failed('before', 990), failed('after', 3010)]], window)).toEqual({});
    const s = aggregateCell([[cell[0], cell[4]]], window);
    expect(s.server_running_mean).toBeUndefined();
  });

  it('sums the series of a gauge across engines, averages GPUs and sums their memory', () => {
    const text = [
      'vllm:num_requests_running{engine="0"} 3',
      'vllm:num_requests_running{engine="1"} 4',
      'DCGM_FI_DEV_GPU_UTIL{gpu="0"} 80',
      'DCGM_FI_DEV_GPU_UTIL{gpu="1"} 40',
      'DCGM_FI_DEV_FB_USED{gpu="0"} 1000',
      'DCGM_FI_DEV_FB_USED{gpu="1"} 2000',
    ].join('\n');
    const s = aggregateCell([[scrape('during', 2000, text)]], window);
    expect(s.server_running_mean).toBe(7);
    expect(s.gpu_util_mean).toBeCloseTo(0.6);
    expect(s.gpu_memory_used_mib_max).toBe(3000);
  });

  it('keeps the first source that gives a column (a server beside a DCGM exporter)', () => {
    const triton = scrape('during', 2000, 'nv_gpu_utilization{gpu_uuid="a"} 0.2\nnv_inference_pending_request_count{model="m"} 2');
    const dcgm = scrape('during', 2000, 'DCGM_FI_DEV_GPU_UTIL{gpu="0"} 90');
    const s = aggregateCell([[triton], [dcgm]], window);
    expect(s.server_waiting_max).toBe(2);
    // DCGM's rules come before Triton's in the maps, but a column once given by the first source stays.
    expect(s.gpu_util_mean).toBeCloseTo(0.2);
  });

  it("derives Triton's mean queue time and batch size from its cumulative counters", () => {
    const t = (us: number, ok: number, inf: number, exec: number) =>
      `nv_inference_queue_duration_us{model="m",version="1"} ${us}\nnv_inference_request_success{model="m",version="1"} ${ok}\nnv_inference_count{model="m",version="1"} ${inf}\nnv_inference_exec_count{model="m",version="1"} ${exec}`;
    const s = aggregateCell([[scrape('before', 990, t(1000, 10, 10, 10)), scrape('after', 3010, t(51000, 60, 60, 20))]], window);
    expect(s.server_queue_time_mean_ms).toBeCloseTo(50_000 / 50 / 1000);
    expect(s.server_batch_size_mean).toBeCloseTo(5);
    expect(s.server_requests_per_s).toBeCloseTo(25);
  });
});

describe('the maps', () => {
  it('find the llama.cpp recording under the mapped names', () => {
    const found = recognize(parsePrometheus(llamaRecording));
    expect(found).toEqual([
      { family: 'llamacpp', metric: 'llamacpp:requests_processing', columns: ['server_running_mean', 'server_running_max'] },
      { family: 'llamacpp', metric: 'llamacpp:requests_deferred', columns: ['server_waiting_mean', 'server_waiting_max'] },
      {
        family: 'llamacpp',
        metric: 'llamacpp:prompt_tokens_cached_total',
        columns: ['server_prefix_cache_hit_rate'],
      },
      { family: 'llamacpp', metric: 'llamacpp:prompt_tokens_total', columns: ['server_prefix_cache_hit_rate', 'server_prompt_tokens_per_s'] },
      { family: 'llamacpp', metric: 'llamacpp:tokens_predicted_total', columns: ['server_generation_tokens_per_s'] },
    ]);
    const s = aggregateCell([[scrape('during', 2000, llamaRecording)]], window);
    expect(s).toMatchObject({ server_running_mean: 0, server_running_max: 0, server_waiting_max: 0 });
  });

  it("find a vLLM exposition under the mapped names and read its state", () => {
    const found = recognize(parsePrometheus(vllmSample));
    expect(found.map((f) => f.metric)).toEqual([
      'vllm:num_requests_running',
      'vllm:num_requests_waiting',
      'vllm:kv_cache_usage_perc',
      'vllm:prefix_cache_hits_total',
      'vllm:prefix_cache_queries_total',
      'vllm:time_to_first_token_seconds',
      'vllm:request_success_total',
      'vllm:prompt_tokens_total',
      'vllm:generation_tokens_total',
    ]);
    expect(found.every((f) => f.family === 'vllm')).toBe(true);
    const s = aggregateCell([[scrape('during', 2000, vllmSample)]], window);
    expect(s).toMatchObject({ server_running_mean: 8, server_waiting_max: 3, server_kv_cache_usage_max: 0.4125 });
  });

  it('name only catalogued columns, each map citing its docs', () => {
    const known = new Set(SERVER_COLUMNS.map((c) => c.name));
    for (const map of METRIC_MAPS) {
      expect(map.docs.length, map.family).toBeGreaterThan(0);
      for (const rule of map.rules) {
        const columns =
          rule.kind === 'histogram' ? Object.values(rule.columns) : rule.kind === 'gauge' ? [rule.mean, rule.max].filter(Boolean) : [rule.column];
        for (const c of columns) expect(known.has(c as never), `${map.family}: ${c}`).toBe(true);
      }
    }
    expect(METRIC_MAPS.map((m) => m.family)).toEqual(['vllm', 'sglang', 'tgi', 'llamacpp', 'dcgm', 'triton']);
  });
});

describe('gaugeTimelines', () => {
  it('gives running and waiting at every successful scrape, before and after included', () => {
    const t = gaugeTimelines([
      scrape('before', 990, vllm({ running: 0, waiting: 0 })),
      failed('during', 1500),
      scrape('during', 2000, vllm({ running: 8, waiting: 2 })),
      scrape('after', 3010, vllm({ running: 0, waiting: 0 })),
    ]);
    expect(t.server_running).toEqual([
      { at: 990, value: 0 },
      { at: 2000, value: 8 },
      { at: 3010, value: 0 },
    ]);
    expect(t.server_waiting?.map((p) => p.value)).toEqual([0, 2, 0]);
    expect(t.gpu_util).toBeUndefined();
  });
});

describe('histogram quantiles', () => {
  it('are bounded by mean / (1 - q): zeros in a wide first bucket read 0, not half the bucket', () => {
    const h = (count: number, sum: number) =>
      `vllm:request_queue_time_seconds_bucket{le="0.3"} ${count}\nvllm:request_queue_time_seconds_bucket{le="+Inf"} ${count}\nvllm:request_queue_time_seconds_sum ${sum}\nvllm:request_queue_time_seconds_count ${count}`;
    const zeros = aggregateCell([[scrape('before', 990, h(0, 0)), scrape('after', 3010, h(10, 0))]], window);
    expect(zeros.server_queue_time_p50_ms).toBe(0);
    expect(zeros.server_queue_time_p99_ms).toBe(0);
    const some = aggregateCell([[scrape('before', 990, h(0, 0)), scrape('after', 3010, h(10, 0.2))]], window);
    // mean 20 ms: p50 <= 40 ms although the bucket alone says 150 ms.
    expect(some.server_queue_time_p50_ms).toBeCloseTo(40);
    expect(some.server_queue_time_p90_ms).toBeCloseTo(200);
    expect(some.server_queue_time_p99_ms).toBeCloseTo(297);
  });
});
