import { describe, expect, it } from 'vitest';
import { isLoopbackUrl, STREAMS_PER_WORKER, workersFor } from '../../../src/runner/worker-count.js';

describe('workers for a cell', () => {
  it('auto: one loop up to the per-worker budget, then one per budget, at most the cores', () => {
    expect(workersFor('auto', 1, 8)).toBe(1);
    expect(workersFor('auto', STREAMS_PER_WORKER, 8)).toBe(1);
    expect(workersFor('auto', STREAMS_PER_WORKER + 1, 8)).toBe(2);
    expect(workersFor('auto', 4 * STREAMS_PER_WORKER, 8)).toBe(4);
    expect(workersFor('auto', 100 * STREAMS_PER_WORKER, 8)).toBe(8);
    expect(workersFor('auto', 1024, 1)).toBe(1);
  });

  it('auto keeps one loop for an open loop without a cap (nothing known in flight); a number still counts', () => {
    expect(workersFor('auto', Infinity, 8)).toBe(1);
    expect(workersFor(3, Infinity, 8)).toBe(3);
  });

  it('a number: as given, but never more loops than requests in flight', () => {
    expect(workersFor(1, 1024, 8)).toBe(1);
    expect(workersFor(3, 1024, 2)).toBe(3);
    expect(workersFor(4, 2, 8)).toBe(2);
  });

  it('auto leaves a server on this machine one core: on 2 cores that is one loop at any count', () => {
    expect(workersFor('auto', 1024, 2, true)).toBe(1);
    expect(workersFor('auto', 1024, 2, false)).toBe(2);
    expect(workersFor('auto', 4 * STREAMS_PER_WORKER, 8, true)).toBe(4);
    expect(workersFor('auto', 100 * STREAMS_PER_WORKER, 8, true)).toBe(7);
    expect(workersFor('auto', 1024, 1, true)).toBe(1);
    // A number is the user's: as given, wherever the server is.
    expect(workersFor(2, 1024, 2, true)).toBe(2);
  });
});

describe('a loopback base_url', () => {
  it('names this machine for localhost, 127.0.0.0/8, ::1 and 0.0.0.0, over HTTP and gRPC', () => {
    for (const url of ['http://127.0.0.1:8000/v1', 'http://localhost:8000', 'https://LOCALHOST/v1', 'http://127.1.2.3/', 'http://[::1]:8080/v1', 'grpc://127.0.0.1:8001', 'http://0.0.0.0:8000', 'http://api.localhost/v1', 'http://127.1:8000/', 'http://[::ffff:127.0.0.1]:8000/', 'http://[0:0:0:0:0:0:0:1]/']) {
      expect(isLoopbackUrl(url), url).toBe(true);
    }
  });

  it('does not for any other host, or for what is not a URL', () => {
    for (const url of ['https://api.openai.com/v1', 'http://10.0.0.5:8000', 'http://128.0.0.1/', 'http://127.0.0.1.example.com/', 'http://localhost.example.com', 'grpcs://triton:8001', 'http://[::ffff:10.0.0.1]/', 'http://[::2]/', 'not a url', '']) {
      expect(isLoopbackUrl(url), url).toBe(false);
    }
  });
});
