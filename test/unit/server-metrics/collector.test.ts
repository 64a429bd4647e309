import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { createCollector } from '../../../src/server-metrics/collector.js';
import { describeDiscovery, discover, metricsUrlFor } from '../../../src/server-metrics/discover.js';
import { formatLabels, rawRows } from '../../../src/server-metrics/raw-rows.js';
import type { Scrape } from '../../../src/server-metrics/types.js';
import { startSimulator } from '../../../src/simulator/server.js';
import type { RunningSimulator } from '../../../src/simulator/types.js';
import { startFakeServer, type FakeServer } from '../../helpers/fake-openai.js';
import { post } from '../../helpers/sim-client.js';

let sim: RunningSimulator | undefined;
let fake: FakeServer | undefined;
afterEach(async () => {
  await sim?.close();
  await fake?.close();
  sim = fake = undefined;
});

describe('createCollector', () => {
  it('summarises the source that answers and warns once about the one that does not', async () => {
    sim = await startSimulator({ max_batch: 2, ttft_ms: 20, itl_ms: 5, jitter: 0, stop_probability: 0 });
    fake = await startFakeServer((_req, res) => void res.writeHead(404).end('404 page not found'));
    const missing = `${fake.baseUrl.replace(/\/v1$/, '')}/metrics`;
    const warnings: string[] = [];
    const scrapes: Scrape[] = [];
    const collector = createCollector({
      sources: [
        { url: `${sim.origin}/metrics`, intervalMs: 25, timeoutMs: 1000 },
        { url: missing, intervalMs: 25, timeoutMs: 1000 },
      ],
      onWarning: (w) => warnings.push(w),
      onScrape: (s) => scrapes.push(s),
    });
    const body = { model: 'sim-7b', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 40 };
    for (let cellNo = 0; cellNo < 2; cellNo++) {
      const cell = await collector.beginCell();
      const start = performance.now();
      await Promise.all(Array.from({ length: 6 }, () => post(`${sim?.baseUrl}/chat/completions`, body)));
      const end = performance.now();
      const m = await cell.finish({ start, end });
      // 6 requests, 2 slots: 2 running throughout, 4 then 2 then 0 waiting.
      expect(m.summary.server_running_max).toBe(2);
      expect(m.summary.server_waiting_max).toBe(4);
      expect(m.summary.server_running_mean).toBeGreaterThan(1.5);
      expect(m.summary.server_requests_per_s).toBeGreaterThan(0);
      expect(m.sources.map((s) => [s.ok > 2, s.failed])).toEqual([
        [true, 0],
        [false, m.sources[1].failed],
      ]);
      expect(m.sources[1].failed).toBeGreaterThan(0);
      expect(m.sources[0].timelines.server_running?.length).toBe(m.sources[0].ok);
      expect(m.sources[0].timelines.server_running?.[0][0]).toBeLessThanOrEqual(0);
      expect(m.sources[1].errors).toEqual(['HTTP 404 Not Found']);
    }
    expect(warnings).toEqual([`metrics: ${missing}: HTTP 404 Not Found; the run goes on (later failures are counted in run.json)`]);
    expect(scrapes.some((s) => s.ok) && scrapes.some((s) => !s.ok)).toBe(true);
  });
});

describe('discover (metrics: auto)', () => {
  it("finds the simulator's vLLM metrics beside /v1", async () => {
    sim = await startSimulator();
    const d = await discover(sim.baseUrl, 1000);
    expect(d).toMatchObject({ found: true, url: `${sim.origin}/metrics`, families: ['vllm'] });
    expect(describeDiscovery(d)).toMatch(/^metrics: auto found http:\/\/127\.0\.0\.1:\d+\/metrics \(vllm: \d+ mapped metrics\)$/);
  });

  it('says why there is none', async () => {
    fake = await startFakeServer((_req, res) => void res.writeHead(404).end());
    const d = await discover(fake.baseUrl, 1000);
    expect(d).toEqual({ found: false, url: `${fake.baseUrl.replace(/\/v1$/, '')}/metrics`, reason: 'HTTP 404 Not Found' });
    expect(describeDiscovery(d)).toContain('auto found no Prometheus endpoint at');
    expect(describeDiscovery(d)).toContain('(HTTP 404 Not Found); the run goes on without server metrics');
  });

  it('puts /metrics at the server root, credentials kept for use and masked when shown', () => {
    expect(metricsUrlFor('http://h:8000/v1')).toBe('http://h:8000/metrics');
    expect(metricsUrlFor('http://h:8000/v1/')).toBe('http://h:8000/metrics');
    expect(metricsUrlFor('http://h:8080')).toBe('http://h:8080/metrics');
    // Triton over gRPC: its metrics are HTTP on port 8002.
    expect(metricsUrlFor('grpc://h:8001')).toBe('http://h:8002/metrics');
    expect(metricsUrlFor('grpcs://h')).toBe('https://h:8002/metrics');
    expect(metricsUrlFor('https://u:p@h/proxy/v1?x=1')).toBe('https://u:p@h/proxy/metrics');
    expect(describeDiscovery({ found: false, url: 'https://u:secret@h/metrics', reason: 'HTTP 401' })).not.toContain('secret');
  });
});

describe('rawRows', () => {
  it('writes one row per sample, and one with the reason for a failed scrape', () => {
    const ok: Scrape = {
      ok: true,
      url: 'http://h/metrics',
      phase: 'during',
      sentAt: 10,
      at: 20,
      samples: [
        { name: 'vllm:num_requests_running', labels: { engine: '0', model_name: 'a "b"' }, value: 8 },
        { name: 'x_bucket', labels: { le: '+Inf' }, value: Infinity },
      ],
    };
    expect(rawRows('c1', ok, Date.UTC(2026, 0, 1))).toEqual([
      { cell: 'c1', source: 'http://h/metrics', phase: 'during', time: '2026-01-01T00:00:00.020Z', metric: 'vllm:num_requests_running', labels: 'engine="0",model_name="a \\"b\\""', value: 8, error: '' },
      { cell: 'c1', source: 'http://h/metrics', phase: 'during', time: '2026-01-01T00:00:00.020Z', metric: 'x_bucket', labels: 'le="+Inf"', value: '+Inf', error: '' },
    ]);
    const failed: Scrape = { ok: false, url: 'http://h/metrics', phase: 'after', sentAt: 0, at: 1000, error: 'HTTP 404' };
    expect(rawRows('c1', failed, 0)).toEqual([{ cell: 'c1', source: 'http://h/metrics', phase: 'after', time: '1970-01-01T00:00:01.000Z', metric: '', labels: '', value: '', error: 'HTTP 404' }]);
    expect(formatLabels({})).toBe('');
  });
});
