import { describe, expect, it } from 'vitest';
import { OUTPUT_CONTROL, outputLengthFields, SERVER_FAMILIES } from '../../../../src/plan/workloads/output-length.js';

describe('output length per server family', () => {
  it('asks vLLM and SGLang for exactly n with min_tokens and ignore_eos; llama.cpp with ignore_eos', () => {
    expect(outputLengthFields('vllm', 128)).toEqual({ max_tokens: 128, min_tokens: 128, ignore_eos: true });
    expect(outputLengthFields('sglang', 128)).toEqual({ max_tokens: 128, min_tokens: 128, ignore_eos: true });
    expect(outputLengthFields('llama.cpp', 128)).toEqual({ max_tokens: 128, ignore_eos: true });
    expect(outputLengthFields('builtin', 128)).toEqual({ max_tokens: 128, ignore_eos: true });
  });

  it('only caps where the API has no such switch (ignore_eos would be a 400 on OpenAI)', () => {
    for (const f of ['tgi', 'ollama', 'openai', 'anthropic', 'triton'] as const) {
      expect(outputLengthFields(f, 64)).toEqual({ max_tokens: 64 });
      expect(OUTPUT_CONTROL[f].exactness).toBe('at most');
    }
    expect(SERVER_FAMILIES.filter((f) => OUTPUT_CONTROL[f].exactness === 'exact')).toEqual(['vllm', 'sglang', 'llama.cpp', 'builtin']);
  });
});
