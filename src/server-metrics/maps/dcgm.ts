/**
 * NVIDIA DCGM exporter (dcgm-exporter, port 9400 by default). Field names from DCGM's Field
 * Identifiers, https://docs.nvidia.com/datacenter/dcgm/latest/dcgm-api/dcgm-api-field-ids.html,
 * and the exporter's default counters (etc/default-counters.csv in NVIDIA/dcgm-exporter):
 * utilisation in percent, framebuffer memory in MiB, power in W; one series per GPU.
 */
import { gauge, type MetricMap } from './rules.js';

export const dcgmMap: MetricMap = {
  family: 'dcgm',
  docs: [
    'https://docs.nvidia.com/datacenter/dcgm/latest/dcgm-api/dcgm-api-field-ids.html',
    'https://github.com/NVIDIA/dcgm-exporter/blob/main/etc/default-counters.csv',
  ],
  rules: [
    gauge('gpu_util', 'DCGM_FI_DEV_GPU_UTIL', 'mean', 1 / 100),
    gauge('gpu_memory_used_mib', 'DCGM_FI_DEV_FB_USED', 'sum'),
    gauge('gpu_power_w', 'DCGM_FI_DEV_POWER_USAGE', 'sum'),
  ],
};
