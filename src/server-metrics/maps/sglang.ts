/**
 * SGLang (started with --enable-metrics). Names from its Production Metrics page,
 * https://docs.sglang.io/references/production_metrics.html. `token_usage` is the KV-pool
 * fraction in use; `cache_hit_rate` is a gauge the server computes itself (its mean over the
 * cell is reported, not a ratio of counters).
 */
import { gauge, gaugeMean, histogram, rate, type MetricMap } from './rules.js';

export const sglangMap: MetricMap = {
  family: 'sglang',
  docs: ['https://docs.sglang.io/references/production_metrics.html'],
  rules: [
    gauge('server_running', 'sglang:num_running_reqs', 'sum'),
    gauge('server_waiting', 'sglang:num_queue_reqs', 'sum'),
    gauge('server_kv_cache_usage', 'sglang:token_usage', 'max'),
    gaugeMean('server_prefix_cache_hit_rate', 'sglang:cache_hit_rate', 'mean'),
    histogram('server_ttft', 'sglang:time_to_first_token_seconds'),
    histogram('server_queue_time', 'sglang:queue_time_seconds'),
    histogram('server_itl', ['sglang:inter_token_latency_seconds', 'sglang:time_per_output_token_seconds']),
    histogram('server_e2e', 'sglang:e2e_request_latency_seconds'),
    rate('server_requests_per_s', 'sglang:num_requests_total'),
    rate('server_prompt_tokens_per_s', 'sglang:prompt_tokens_total'),
    rate('server_generation_tokens_per_s', 'sglang:generation_tokens_total'),
  ],
};
