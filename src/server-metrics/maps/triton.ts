/**
 * NVIDIA Triton Inference Server (metrics on port 8002 by default). Names from its Metrics
 * guide, https://github.com/triton-inference-server/server/blob/main/docs/user_guide/metrics.md.
 * Latencies are cumulative counters in microseconds, so the mean queue time over the cell is
 * their increase over the requests' increase; the mean batch size is inferences / executions.
 * GPU utilisation is already a fraction 0-1; memory is in bytes.
 */
import { gauge, rate, ratio, type MetricMap } from './rules.js';

const MIB = 1 / (1024 * 1024);

export const tritonMap: MetricMap = {
  family: 'triton',
  docs: ['https://github.com/triton-inference-server/server/blob/main/docs/user_guide/metrics.md'],
  rules: [
    gauge('server_waiting', 'nv_inference_pending_request_count', 'sum'),
    ratio('server_queue_time_mean_ms', 'nv_inference_queue_duration_us', 'nv_inference_request_success', 1 / 1000),
    ratio('server_e2e_mean_ms', 'nv_inference_request_duration_us', 'nv_inference_request_success', 1 / 1000),
    ratio('server_batch_size_mean', 'nv_inference_count', 'nv_inference_exec_count'),
    rate('server_requests_per_s', 'nv_inference_request_success'),
    gauge('gpu_util', 'nv_gpu_utilization', 'mean'),
    gauge('gpu_memory_used_mib', 'nv_gpu_memory_used_bytes', 'sum', MIB),
    gauge('gpu_power_w', 'nv_gpu_power_usage', 'sum'),
  ],
};
