import { describe, expect, it } from 'vitest';
import { mergeServerMetricsCsv } from '../../../../src/results/exporters/server-metrics-csv.js';

const HEADER = 'cell,source,phase,time,metric,labels,value,error\n';

describe('mergeServerMetricsCsv', () => {
  it('groups rows by cell in plan order, keeps them as written, and drops a torn last row', () => {
    const a = `${HEADER}"c=2,m=x",http://h/metrics,during,2026-01-01T00:00:01.000Z,vllm:num_requests_running,"model_name=""m""",2,\n`;
    const b =
      `${HEADER}c=1,http://h/metrics,before,2026-01-01T00:00:00.000Z,vllm:num_requests_running,,0,\n` +
      `c=1,http://h/metrics,after,2026-01-01T00:00:00.500Z,,,,scrape failed: HTTP 503\n` +
      `c=1,http://h/metr`;
    const merged = mergeServerMetricsCsv([a, undefined, b], ['c=1', 'c=2,m=x']);
    expect(merged).toBe(
      HEADER +
        `c=1,http://h/metrics,before,2026-01-01T00:00:00.000Z,vllm:num_requests_running,,0,\n` +
        `c=1,http://h/metrics,after,2026-01-01T00:00:00.500Z,,,,scrape failed: HTTP 503\n` +
        `"c=2,m=x",http://h/metrics,during,2026-01-01T00:00:01.000Z,vllm:num_requests_running,"model_name=""m""",2,\n`,
    );
  });

  it('is undefined when no shard scraped', () => {
    expect(mergeServerMetricsCsv([undefined, undefined], ['c=1'])).toBeUndefined();
  });
});
