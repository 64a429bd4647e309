/**
 * Hugging Face Text Generation Inference. Names from its Metrics reference,
 * https://huggingface.co/docs/text-generation-inference/reference/metrics. TGI has no TTFT
 * histogram; `tgi_batch_current_size` is the running batch, so it gives both the running
 * requests and the batch size. Token counts are histograms per request: their `_sum` is a
 * counter of tokens.
 */
import { gauge, gaugeMean, histogram, rate, type MetricMap } from './rules.js';

export const tgiMap: MetricMap = {
  family: 'tgi',
  docs: ['https://huggingface.co/docs/text-generation-inference/reference/metrics'],
  rules: [
    gauge('server_running', 'tgi_batch_current_size', 'sum'),
    gaugeMean('server_batch_size_mean', 'tgi_batch_current_size', 'sum'),
    gauge('server_waiting', 'tgi_queue_size', 'sum'),
    histogram('server_queue_time', 'tgi_request_queue_duration'),
    histogram('server_itl', 'tgi_request_mean_time_per_token_duration'),
    histogram('server_e2e', 'tgi_request_duration'),
    rate('server_requests_per_s', ['tgi_request_success', 'tgi_request_success_total']),
    rate('server_prompt_tokens_per_s', 'tgi_request_input_length_sum'),
    rate('server_generation_tokens_per_s', 'tgi_request_generated_tokens_sum'),
  ],
};
