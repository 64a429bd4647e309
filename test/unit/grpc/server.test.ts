import { afterEach, describe, expect, it } from 'vitest';
import { performance } from 'node:perf_hooks';
import { createGrpcClient } from '../../../src/grpc/grpc-client.js';
import { buildLlmRequest } from '../../../src/grpc/llm-layouts.js';
import { startKserveServer, type RunningKserveServer } from '../../../src/grpc/server.js';

const opened: { close(): unknown }[] = [];
afterEach(async () => {
  for (const x of opened.splice(0).reverse()) await x.close();
});

const busy = (ms: number): void => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

describe('KServe v2 server (the simulator\'s gRPC side)', () => {
  it('stamps every call of one socket read before setting any of them up', async () => {
    const arrived: number[] = [];
    const server: RunningKserveServer = await startKserveServer({
      ModelStreamInfer: (call) => {
        arrived.push(call.arrivedAt);
        busy(10); // a slow setup: the calls behind it in the read must not be stamped after it
        call.onMessage(() => {
          call.write({ error_message: '', infer_response: { model_name: 'm', model_version: '1', id: '', parameters: { triton_final_response: { bool_param: true } }, outputs: [], raw_output_contents: [] } });
          call.end();
        });
      },
    });
    opened.push(server);
    const c = createGrpcClient({ url: server.url, concurrency: 4, connectTimeoutMs: 2000, readTimeoutMs: 5000, retry: { retries: 0, on: [], backoff_ms: 1, max_backoff_ms: 1 } });
    opened.push(c);
    const req = buildLlmRequest({ layout: 'vllm', model: { name: 'm' }, prompt: 'x', stream: true, params: {} }).request!;
    await c.stream(req, () => {}); // the connection, before the burst
    arrived.length = 0;
    // Opened in one turn: one HTTP/2 write, one read on the server.
    const results = await Promise.all(Array.from({ length: 4 }, () => c.stream(req, () => {})));
    expect(results.map((r) => r.failure)).toEqual([undefined, undefined, undefined, undefined]);
    expect(arrived).toHaveLength(4);
    // Set up as they were stamped, the last would be 30 ms after the first.
    expect(Math.max(...arrived) - Math.min(...arrived)).toBeLessThan(10);
  });
});
