/**
 * llama.cpp's llama-server (started with --metrics). Names from the server's README
 * ("GET /metrics", tools/server/README.md in ggml-org/llama.cpp) and a recording of a 2026-08
 * build (test/fixtures/wire/llama-server-2026-08/metrics.txt). `requests_deferred` are the
 * requests waiting for a free slot. `prompt_tokens_total` excludes the tokens reused from the
 * cache (`prompt_tokens_cached_total`), so the hit rate is cached / (cached + processed).
 * Builds before the unified KV cache also export `kv_cache_usage_ratio`.
 */
import { gauge, rate, ratio, type MetricMap } from './rules.js';

export const llamacppMap: MetricMap = {
  family: 'llamacpp',
  docs: ['https://github.com/ggml-org/llama.cpp/blob/master/tools/server/README.md'],
  rules: [
    gauge('server_running', 'llamacpp:requests_processing', 'sum'),
    gauge('server_waiting', 'llamacpp:requests_deferred', 'sum'),
    gauge('server_kv_cache_usage', 'llamacpp:kv_cache_usage_ratio', 'max'),
    ratio(
      'server_prefix_cache_hit_rate',
      'llamacpp:prompt_tokens_cached_total',
      ['llamacpp:prompt_tokens_cached_total', 'llamacpp:prompt_tokens_total'],
    ),
    rate('server_prompt_tokens_per_s', 'llamacpp:prompt_tokens_total'),
    rate('server_generation_tokens_per_s', 'llamacpp:tokens_predicted_total'),
  ],
};
