import { describe, expect, it } from 'vitest';
import {
  buildLlmRequest,
  detectLayout,
  fitShape,
  layoutMetadata,
  layoutProblems,
  llmResponse,
  readLlmRequest,
  readLlmResponse,
  type LlmRequest,
} from '../../../src/grpc/llm-layouts.js';
import type { ModelInferRequest } from '../../../src/grpc/kserve.js';
import { decodeRaw } from '../../../src/grpc/tensors.js';

/** Each input as name -> { datatype, shape, values }. */
function inputs(req: ModelInferRequest) {
  return Object.fromEntries(
    req.inputs.map((t, i) => [t.name, { datatype: t.datatype, shape: t.shape, values: decodeRaw(t.datatype, req.raw_input_contents?.[i] ?? Buffer.alloc(0)) }]),
  );
}

describe('trtllm layout (TensorRT-LLM ensemble)', () => {
  it('sends one batched tensor per param, spec names mapped to the ensemble names', () => {
    const r = buildLlmRequest({
      layout: 'trtllm',
      model: { name: 'ensemble' },
      prompt: 'Hello',
      stream: true,
      params: { max_tokens: 64, temperature: 0.7, top_k: 5, stop: ['\n\n', 'END'], seed: 7 },
    });
    expect(r.problem).toBeUndefined();
    expect(r.request?.model_name).toBe('ensemble');
    expect(inputs(r.request as ModelInferRequest)).toEqual({
      text_input: { datatype: 'BYTES', shape: [1, 1], values: ['Hello'] },
      stream: { datatype: 'BOOL', shape: [1, 1], values: [true] },
      max_tokens: { datatype: 'INT32', shape: [1, 1], values: [64] },
      temperature: { datatype: 'FP32', shape: [1, 1], values: [expect.closeTo(0.7, 5)] },
      top_k: { datatype: 'INT32', shape: [1, 1], values: [5] },
      stop_words: { datatype: 'BYTES', shape: [1, 2], values: ['\n\n', 'END'] },
      random_seed: { datatype: 'UINT64', shape: [1, 1], values: [7] },
    });
  });

  it('needs max_tokens', () => {
    const r = buildLlmRequest({ layout: 'trtllm', model: { name: 'e' }, prompt: 'x', stream: true, params: {} });
    expect(r.problem).toMatch(/trtllm layout needs max_tokens/);
  });

  it("takes datatypes and shapes from the model's metadata, and names a tensor the model lacks", () => {
    const meta = layoutMetadata('ensemble', 'trtllm');
    meta.inputs = meta.inputs.filter((t) => t.name !== 'top_k');
    meta.inputs.find((t) => t.name === 'temperature')!.datatype = 'FP16';
    const ok = buildLlmRequest({ layout: 'trtllm', model: { name: 'ensemble' }, prompt: 'x', stream: false, params: { max_tokens: 8, temperature: 1 }, metadata: meta });
    expect(inputs(ok.request as ModelInferRequest).temperature.datatype).toBe('FP16');
    const bad = buildLlmRequest({ layout: 'trtllm', model: { name: 'ensemble' }, prompt: 'x', stream: false, params: { max_tokens: 8, top_k: 3 }, metadata: meta });
    expect(bad.problem).toMatch(/^model 'ensemble' has no input tensor 'top_k'; its inputs: text_input \(BYTES\), max_tokens \(INT32\), stream \(BOOL\)/);
  });

  it('leaves out stream when the model has no such input', () => {
    const meta = layoutMetadata('e', 'trtllm');
    meta.inputs = meta.inputs.filter((t) => t.name !== 'stream');
    const r = buildLlmRequest({ layout: 'trtllm', model: { name: 'e' }, prompt: 'x', stream: true, params: { max_tokens: 1 }, metadata: meta });
    expect(Object.keys(inputs(r.request as ModelInferRequest))).toEqual(['text_input', 'max_tokens']);
  });
});

describe('vllm layout (Triton vLLM backend)', () => {
  it('sends the params as one JSON string and asks for the extra outputs the model declares', () => {
    const r = buildLlmRequest({
      layout: 'vllm',
      model: { name: 'vllm_model', version: '2' },
      prompt: 'Hi',
      stream: true,
      params: { max_tokens: 32, temperature: 0, stop: ['\n'] },
      metadata: layoutMetadata('vllm_model', 'vllm'),
    });
    const got = inputs(r.request as ModelInferRequest);
    expect(r.request?.model_version).toBe('2');
    expect(got.text_input).toEqual({ datatype: 'BYTES', shape: [1], values: ['Hi'] });
    expect(JSON.parse(String(got.sampling_parameters.values?.[0]))).toEqual({ max_tokens: 32, temperature: 0, stop: ['\n'] });
    expect(got.exclude_input_in_output.values).toEqual([true]);
    expect(got.return_num_output_tokens.values).toEqual([true]);
    expect(got.return_finish_reason.values).toEqual([true]);
  });

  it('asks for no extra outputs without metadata (older backends reject unknown inputs)', () => {
    const r = buildLlmRequest({ layout: 'vllm', model: { name: 'm' }, prompt: 'Hi', stream: false, params: {} });
    expect(Object.keys(inputs(r.request as ModelInferRequest))).toEqual(['text_input', 'stream', 'exclude_input_in_output']);
  });
});

describe('layout detection and checks', () => {
  it('tells the layouts apart from metadata', () => {
    expect(detectLayout(layoutMetadata('a', 'vllm'))).toBe('vllm');
    expect(detectLayout(layoutMetadata('b', 'trtllm'))).toBe('trtllm');
    expect(detectLayout({ name: 'c', versions: [], platform: 'onnxruntime_onnx', inputs: [{ name: 'x', datatype: 'FP32', shape: [1] }], outputs: [] })).toBeUndefined();
  });

  it("names a tensor the layout needs that the model lacks, with the model's inputs", () => {
    const meta = { name: 'ens', versions: ['1'], platform: 'ensemble', inputs: [{ name: 'INPUT_0', datatype: 'BYTES', shape: [-1, -1] }], outputs: [{ name: 'OUTPUT_0', datatype: 'BYTES', shape: [-1] }] };
    expect(layoutProblems('trtllm', meta)).toEqual([
      "model 'ens' has no input tensor 'text_input', which the trtllm layout needs; its inputs: INPUT_0 (BYTES)",
      "model 'ens' has no input tensor 'max_tokens', which the trtllm layout needs; its inputs: INPUT_0 (BYTES)",
      "model 'ens' has no output tensor 'text_output'; its outputs: OUTPUT_0 (BYTES)",
    ]);
    expect(layoutProblems('trtllm', meta, { text_input: 'INPUT_0', text_output: 'OUTPUT_0' })).toHaveLength(1);
    expect(layoutProblems('vllm', layoutMetadata('v', 'vllm'))).toEqual([]);
  });

  it('fits declared shapes to the number of values', () => {
    expect(fitShape([-1, 1], 1)).toEqual([1, 1]);
    expect(fitShape([-1, -1], 3)).toEqual([1, 3]);
    expect(fitShape([1], 1)).toEqual([1]);
    expect(fitShape([1], 2)).toBeUndefined();
    expect(fitShape([-1, 2], 3)).toBeUndefined();
  });
});

describe('the server side', () => {
  it('reads back what the client built, in both layouts', () => {
    const t = buildLlmRequest({ layout: 'trtllm', model: { name: 'e' }, prompt: 'P', stream: true, params: { max_tokens: 4, stop: ['x'], seed: 3 } });
    expect(readLlmRequest(t.request as ModelInferRequest)).toMatchObject({ layout: 'trtllm', prompt: 'P', stream: true, params: { max_tokens: 4, stop: ['x'], seed: 3 } });
    const v = buildLlmRequest({ layout: 'vllm', model: { name: 'v' }, prompt: 'Q', stream: false, params: { max_tokens: 9 }, metadata: layoutMetadata('v', 'vllm') });
    const read = readLlmRequest(v.request as ModelInferRequest) as LlmRequest;
    expect(read).toMatchObject({ layout: 'vllm', prompt: 'Q', stream: false, params: { max_tokens: 9 } });
    expect(read.wants).toEqual({ finishReason: true, inputTokens: true, outputTokens: true });
    expect(readLlmRequest({ model_name: 'x', inputs: [] })).toEqual({ error: "input 'text_input' is missing (inputs: none)" });
  });

  it('reads a response as Triton sends it', () => {
    const res = llmResponse({ model: 'v', text: 'Hel', final: false, layout: 'vllm', finishReason: 'None', completionTokens: 1, promptTokens: 5 });
    expect(readLlmResponse(res.infer_response)).toEqual({ text: 'Hel', final: false, hasText: true, completionTokens: 1, promptTokens: 5 });
    const end = llmResponse({ model: 'v', final: true, layout: 'trtllm' });
    expect(readLlmResponse(end.infer_response)).toEqual({ final: true, hasText: false });
    const broken = llmResponse({ model: 'v', text: 'x', final: true, layout: 'vllm' });
    broken.infer_response!.raw_output_contents[0] = Buffer.from([9, 0, 0, 0, 0x41]);
    expect(() => readLlmResponse(broken.infer_response)).toThrow("unreadable 'text_output' tensor");
  });
});
