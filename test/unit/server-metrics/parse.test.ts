import { describe, expect, it } from 'vitest';
import { parsePrometheus, PromParseError } from '../../../src/server-metrics/parse.js';
import { llamaRecording, vllmSample } from './fixtures.js';

describe('parsePrometheus', () => {
  it('reads every sample of the llama.cpp recording', () => {
    const samples = parsePrometheus(llamaRecording);
    expect(samples).toHaveLength(15);
    expect(samples.find((s) => s.name === 'llamacpp:prompt_tokens_total')).toEqual({ name: 'llamacpp:prompt_tokens_total', labels: {}, value: 72 });
    expect(samples.find((s) => s.name === 'llamacpp:prompt_tokens_cached_total')?.value).toBe(138);
    expect(samples.find((s) => s.name === 'llamacpp:prompt_seconds_total')?.value).toBe(0.001441);
    // The last line of the file, which the library would drop without a trailing newline.
    expect(samples.at(-1)).toEqual({ name: 'llamacpp:n_busy_slots_per_decode', labels: {}, value: 1 });
  });

  it('keeps every series of a labelled histogram, with _sum and _count', () => {
    const samples = parsePrometheus(vllmSample);
    const ttft = samples.filter((s) => s.name.startsWith('vllm:time_to_first_token_seconds'));
    expect(ttft.filter((s) => s.name.endsWith('_bucket'))).toHaveLength(11);
    expect(ttft.find((s) => s.name === 'vllm:time_to_first_token_seconds_sum')).toEqual({
      name: 'vllm:time_to_first_token_seconds_sum',
      labels: { engine: '0', model_name: 'meta-llama/Llama-3.1-8B-Instruct' },
      value: 9.5,
    });
    expect(ttft.find((s) => s.name === 'vllm:time_to_first_token_seconds_count')?.value).toBe(100);
    expect(ttft.find((s) => s.labels.le === '+Inf')?.value).toBe(100);
    const success = samples.filter((s) => s.name === 'vllm:request_success_total');
    expect(success.map((s) => [s.labels.finished_reason, s.value])).toEqual([
      ['stop', 60],
      ['length', 40],
      ['abort', 0],
    ]);
    expect(samples.find((s) => s.name === 'vllm:time_to_first_token_seconds_created')?.value).toBe(1.7648e9);
  });

  it('reads escapes, special values, timestamps, CRLF and a HELP line with no text', () => {
    const text = [
      '# HELP bare',
      '# TYPE odd gauge',
      'odd{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9',
      'weird{problem="division by zero"} +Inf -3982045\r',
      'neg -Inf',
      'nan NaN',
      'plain 12.47',
    ].join('\n');
    const samples = parsePrometheus(text);
    expect(samples[0].labels).toEqual({ path: 'C:\\DIR\\FILE.TXT', error: 'Cannot find file:\n"FILE.TXT"' });
    expect(samples[0].value).toBe(1.458255915e9);
    expect(samples[1].value).toBe(Infinity);
    expect(samples[2].value).toBe(-Infinity);
    expect(samples[3].value).toBeNaN();
    expect(samples[4]).toEqual({ name: 'plain', labels: {}, value: 12.47 });
  });

  it('treats an empty text as no samples', () => {
    expect(parsePrometheus('')).toEqual([]);
    expect(parsePrometheus('# just a comment\n\n')).toEqual([]);
  });

  it.each([
    ['an HTML page', '<html><body><h1>Not Found</h1></body></html>\n', '"<html><body><h1>Not Found</h1></body></html>"'],
    ['JSON', '{"error":{"message":"not found"}}', '"{\\"error\\":{\\"message\\":\\"not found\\"}}"'],
    ['JSON with no name', '{"status":"ok"}', '"{\\"status\\":\\"ok\\"}"'],
    ['labels with no name', '{job="x"} 1', '"{job=\\"x\\"} 1"'],
    ["Go's 404 text", '404 page not found\n', '"404 page not found"'],
    ['a health answer', 'OK', '"OK"'],
    ['a bad value', 'foo 12abc', '"foo 12abc"'],
  ])('rejects %s, quoting the line', (_what, text, quoted) => {
    expect(() => parsePrometheus(text)).toThrow(PromParseError);
    expect(() => parsePrometheus(text)).toThrow(`not Prometheus text: ${quoted}`);
  });
});
