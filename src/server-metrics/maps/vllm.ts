/**
 * vLLM. Names from its Production Metrics page, https://docs.vllm.ai/en/stable/usage/metrics/,
 * and its metrics design doc (docs/design/metrics.md in vllm-project/vllm). Every series carries
 * `model_name`. Counters are written with `_total` (prometheus_client). The V0 engine's
 * spellings (`gpu_cache_usage_perc`, `gpu_prefix_cache_*`, `time_per_output_token_seconds`)
 * come second, for older servers.
 */
import { gauge, histogram, rate, ratio, type MetricMap } from './rules.js';

export const vllmMap: MetricMap = {
  family: 'vllm',
  docs: ['https://docs.vllm.ai/en/stable/usage/metrics/', 'https://github.com/vllm-project/vllm/blob/main/docs/design/metrics.md'],
  rules: [
    gauge('server_running', 'vllm:num_requests_running', 'sum'),
    gauge('server_waiting', 'vllm:num_requests_waiting', 'sum'),
    gauge('server_kv_cache_usage', ['vllm:kv_cache_usage_perc', 'vllm:gpu_cache_usage_perc'], 'max'),
    ratio('server_prefix_cache_hit_rate', 'vllm:prefix_cache_hits_total', 'vllm:prefix_cache_queries_total'),
    ratio('server_prefix_cache_hit_rate', 'vllm:gpu_prefix_cache_hits_total', 'vllm:gpu_prefix_cache_queries_total'),
    histogram('server_ttft', 'vllm:time_to_first_token_seconds'),
    histogram('server_queue_time', 'vllm:request_queue_time_seconds'),
    histogram('server_itl', ['vllm:inter_token_latency_seconds', 'vllm:time_per_output_token_seconds']),
    histogram('server_e2e', 'vllm:e2e_request_latency_seconds'),
    rate('server_requests_per_s', 'vllm:request_success_total'),
    rate('server_prompt_tokens_per_s', 'vllm:prompt_tokens_total'),
    rate('server_generation_tokens_per_s', 'vllm:generation_tokens_total'),
  ],
};
