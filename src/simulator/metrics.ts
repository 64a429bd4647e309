/**
 * The simulator's GET /metrics: vLLM's names, labels and buckets (prometheus_client's text
 * format), with the true values of the latency model. Running and waiting are the batch
 * scheduler's own counts at the moment of the scrape; the histograms observe what the
 * server did, when it did it: TTFT from the request's arrival to its first token, queue
 * time from arrival to admission into the batch, end-to-end time from arrival to the last
 * token. The model has no
 * KV cache of a fixed size, so no KV-cache usage is reported.
 */
import type { FinishReason } from './text.js';

/** vLLM's vllm:time_to_first_token_seconds buckets, s. */
export const TTFT_BUCKETS_S = [
  0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0,
] as const;

/** vLLM's request-latency buckets (queue, e2e), s. */
export const REQUEST_LATENCY_BUCKETS_S = [
  0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0,
] as const;

interface Histogram {
  bounds: readonly number[];
  /** Per bucket, not cumulative; one more than bounds for +Inf. */
  counts: number[];
  sum: number;
  count: number;
}

/** What /metrics reads from the scheduler at each scrape. */
export interface SchedulerState {
  readonly activeCount: number;
  readonly queuedCount: number;
}

export interface SimulatorMetrics {
  /** TTFT of one request, s. */
  observeTtft(seconds: number): void;
  /** Time one request waited for a batch slot, s. */
  observeQueue(seconds: number): void;
  /** Arrival to last token of a finished request, s. */
  observeE2e(seconds: number): void;
  addPromptTokens(n: number): void;
  addGenerationTokens(n: number): void;
  addSuccess(reason: FinishReason): void;
  /** The exposition text. */
  render(state: SchedulerState): string;
}

export function createSimulatorMetrics(modelName: string): SimulatorMetrics {
  const labels = `engine="0",model_name="${escapeLabel(modelName)}"`;
  const ttft = histogram(TTFT_BUCKETS_S);
  const queue = histogram(REQUEST_LATENCY_BUCKETS_S);
  const e2e = histogram(REQUEST_LATENCY_BUCKETS_S);
  let promptTokens = 0;
  let generationTokens = 0;
  const success: Record<FinishReason, number> = { stop: 0, length: 0 };

  return {
    observeTtft: (s) => observe(ttft, s),
    observeQueue: (s) => observe(queue, s),
    observeE2e: (s) => observe(e2e, s),
    addPromptTokens: (n) => void (promptTokens += n),
    addGenerationTokens: (n) => void (generationTokens += n),
    addSuccess: (reason) => void success[reason]++,
    render(state) {
      const out: string[] = [];
      const family = (name: string, type: string, help: string) => out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      family('vllm:num_requests_running', 'gauge', 'Number of requests in model execution batches.');
      out.push(`vllm:num_requests_running{${labels}} ${num(state.activeCount)}`);
      family('vllm:num_requests_waiting', 'gauge', 'Number of requests waiting to be processed.');
      out.push(`vllm:num_requests_waiting{${labels}} ${num(state.queuedCount)}`);
      family('vllm:prompt_tokens_total', 'counter', 'Number of prefill tokens processed.');
      out.push(`vllm:prompt_tokens_total{${labels}} ${num(promptTokens)}`);
      family('vllm:generation_tokens_total', 'counter', 'Number of generation tokens processed.');
      out.push(`vllm:generation_tokens_total{${labels}} ${num(generationTokens)}`);
      family('vllm:request_success_total', 'counter', 'Count of successfully processed requests.');
      for (const reason of ['length', 'stop'] as const) {
        out.push(`vllm:request_success_total{${labels},finished_reason="${reason}"} ${num(success[reason])}`);
      }
      renderHistogram(out, 'vllm:time_to_first_token_seconds', 'Histogram of time to first token in seconds.', labels, ttft);
      renderHistogram(out, 'vllm:request_queue_time_seconds', 'Histogram of time spent in WAITING phase for request.', labels, queue);
      renderHistogram(out, 'vllm:e2e_request_latency_seconds', 'Histogram of e2e request latency in seconds.', labels, e2e);
      return `${out.join('\n')}\n`;
    },
  };
}

function histogram(bounds: readonly number[]): Histogram {
  return { bounds, counts: new Array<number>(bounds.length + 1).fill(0), sum: 0, count: 0 };
}

function observe(h: Histogram, value: number): void {
  let i = h.bounds.findIndex((b) => value <= b);
  if (i < 0) i = h.bounds.length;
  h.counts[i]++;
  h.sum += value;
  h.count++;
}

function renderHistogram(out: string[], name: string, help: string, labels: string, h: Histogram): void {
  out.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
  out.push(`${name}_sum{${labels}} ${num(h.sum)}`);
  let cumulative = 0;
  h.bounds.forEach((b, i) => {
    cumulative += h.counts[i];
    out.push(`${name}_bucket{le="${num(b)}",${labels}} ${num(cumulative)}`);
  });
  out.push(`${name}_bucket{le="+Inf",${labels}} ${num(h.count)}`);
  out.push(`${name}_count{${labels}} ${num(h.count)}`);
}

/** Numbers as Python's prometheus_client writes them: floats, so integers get ".0". */
function num(v: number): string {
  return Number.isInteger(v) ? `${v}.0` : String(v);
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}
