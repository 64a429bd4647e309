/**
 * Every known server family, in the order their rules are tried. The families' names do not
 * overlap (each has its own prefix), so all maps apply to every scrape: no setting says
 * which server it is. DCGM comes before Triton so a DCGM exporter beside Triton gives the GPU
 * columns.
 */
import { dcgmMap } from './dcgm.js';
import { llamacppMap } from './llamacpp.js';
import type { MetricMap } from './rules.js';
import { sglangMap } from './sglang.js';
import { tgiMap } from './tgi.js';
import { tritonMap } from './triton.js';
import { vllmMap } from './vllm.js';

export const METRIC_MAPS: readonly MetricMap[] = [vllmMap, sglangMap, tgiMap, llamacppMap, dcgmMap, tritonMap];

export type { MetricMap, Rule } from './rules.js';
