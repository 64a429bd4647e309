/**
 * NVIDIA Triton Inference Server over gRPC: the KServe v2 protocol with Triton's decoupled
 * streaming (ModelStreamInfer), the route NVIDIA's own benchmark (GenAI-Perf, AIPerf) takes.
 * base_url is grpc://host:8001 (grpcs:// for TLS). Before a model's first request the runner
 * asks Triton whether it is ready and for its metadata; the tensor layout is target.triton.
 * layout, or detected from that metadata:
 *   trtllm  TensorRT-LLM's ensemble: text_input, max_tokens, stream, temperature, top_p,
 *           top_k, stop_words, random_seed, ... each its own input tensor -> text_output
 *   vllm    Triton's vLLM backend: text_input, stream, sampling_parameters (the params as one
 *           JSON string), exclude_input_in_output -> text_output, and finish_reason /
 *           num_input_tokens / num_output_tokens when the model declares the return_* inputs.
 * Every streamed response is a chunk, timed on arrival like an SSE event; the last is marked
 * triton_final_response; an error_message in the stream is an error row. Output tokens come
 * from num_output_tokens where the model sends it, else they are estimated and marked.
 * The tensor layouts themselves are in grpc/llm-layouts.ts (the simulator reads them too).
 */
import { z } from 'zod';
import type { ModelMetadataResponse, ModelRef } from '../grpc/kserve.js';
import { buildLlmRequest, detectLayout, layoutProblems, LAYOUTS, listTensors, readLlmResponse, type LayoutName, type TensorNames } from '../grpc/llm-layouts.js';
import { parseGrpcUrl } from '../grpc/wire.js';
import { targetSchemaFor } from '../spec/target.js';
import { requireKey } from './shared.js';
import type { GrpcModelCodec, GrpcProvider, StreamDelta, Usage } from './types.js';

const tritonGrpcSchema = z
  .strictObject({
    layout: z
      .enum(['auto', ...LAYOUTS])
      .default('auto')
      .describe(
        "Tensor layout of the model: trtllm (TensorRT-LLM ensemble: one input tensor per parameter), vllm (vLLM backend: parameters as JSON in sampling_parameters), or auto: detected from the model's metadata.",
      ),
    text_input: z.string().min(1).default('text_input').describe('Name of the prompt input tensor; ensembles may call it otherwise.'),
    text_output: z.string().min(1).default('text_output').describe('Name of the output tensor with the text.'),
    model_version: z.string().min(1).optional().describe("Model version to call; the server's version policy picks one when unset."),
    deadline_ms: z
      .number()
      .positive()
      .optional()
      .describe('gRPC deadline of every call (sent as grpc-timeout), ms; none when unset: the read timeout still ends a stalled call.'),
  })
  .describe('triton (gRPC): the tensor layout and names of the model, its version, a call deadline.');

function isGrpcBase(s: string): boolean {
  return s === 'builtin' || parseGrpcUrl(s) !== undefined;
}

export const tritonGrpcTarget = targetSchemaFor('triton-grpc', "NVIDIA Triton's KServe v2 gRPC API (grpc://host:8001), streamed with ModelStreamInfer.", {
  base_url: z
    .string()
    .min(1)
    .refine(isGrpcBase, {
      error: (issue) =>
        /^https?:\/\//i.test(String(issue.input))
          ? "triton-grpc speaks gRPC: base_url is grpc://host:8001 (grpcs:// for TLS); for Triton's HTTP port use provider: triton"
          : 'must be a grpc:// or grpcs:// address such as grpc://localhost:8001 (no path), or builtin',
    })
    .describe("Triton's gRPC address, grpc://host:port (port 8001 when left out) or grpcs://host:port for TLS (port 443 when left out); 'builtin' spawns the bundled simulator."),
  triton: tritonGrpcSchema.optional(),
});
type TritonGrpcTarget = z.output<typeof tritonGrpcTarget>;

const DEFAULTS = tritonGrpcSchema.parse({});

/** What a request sends as sampling params: the cell's body but the model name. */
function paramsOf(body: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const { model: _model, ...params } = body;
  return params;
}

function forModel(target: TritonGrpcTarget, model: ModelRef, metadata: ModelMetadataResponse | undefined): GrpcModelCodec<TritonGrpcTarget> | { problem: string } {
  const fields = { ...DEFAULTS, ...target.triton };
  const names: TensorNames = { text_input: fields.text_input, text_output: fields.text_output };
  const named = `model '${model.name}'`;
  let layout: LayoutName;
  if (fields.layout !== 'auto') layout = fields.layout;
  else if (!metadata) {
    return { problem: `${target.base_url} does not answer ModelMetadata, so the tensor layout of ${named} is unknown: set target.triton.layout to trtllm or vllm` };
  } else {
    const found = detectLayout(metadata);
    if (!found) {
      return {
        problem:
          `cannot tell the tensor layout of ${named} from its inputs (${listTensors(metadata.inputs)}): ` +
          'set target.triton.layout to trtllm (TensorRT-LLM ensemble) or vllm (vLLM backend), and target.triton.text_input/text_output to its tensor names',
      };
    }
    layout = found;
  }
  if (metadata) {
    const problems = layoutProblems(layout, metadata, names);
    if (problems.length > 0) return { problem: `${problems.join('; ')} (target.triton.text_input/text_output name the text tensors)` };
  }
  return {
    build: (ctx) => buildLlmRequest({ layout, model, prompt: ctx.prompt.text, stream: ctx.stream, params: paramsOf(ctx.cell.body), metadata, names }),
    decoder: () => {
      // num_output_tokens counts each response's tokens: summed over the stream.
      let completion = 0;
      return (res) => {
        const out = readLlmResponse(res.infer_response, names);
        const delta: StreamDelta = {};
        if (out.text) delta.text = out.text;
        if (out.finishReason) delta.finishReason = out.finishReason;
        const usage: Usage = {};
        if (out.promptTokens !== undefined) usage.prompt_tokens = out.promptTokens;
        if (out.completionTokens !== undefined) usage.completion_tokens = completion += out.completionTokens;
        if (usage.prompt_tokens !== undefined || usage.completion_tokens !== undefined) delta.usage = usage;
        if (out.final) delta.done = true;
        return delta;
      };
    },
  };
}

export const tritonGrpc: GrpcProvider<'triton-grpc', TritonGrpcTarget> = {
  kind: 'triton-grpc',
  transport: 'grpc',
  target: tritonGrpcTarget,
  baseUrl: undefined,
  paths: [],
  maxTokens: ['max_tokens'],
  simulator: true,
  units: { max_tokens: 'tokens', top_k: 'tokens' },
  modelOf: (cell, target) => ({ name: String(cell.body.model ?? ''), version: target.triton?.model_version }),
  forModel,
  deadlineMs: (target) => target.triton?.deadline_ms,
  checkParams: (keys, target) => [
    ...requireKey('triton-grpc', keys, 'model', 'it is the model name Triton serves'),
    ...(target.triton?.layout === 'trtllm' ? requireKey('triton-grpc', keys, 'max_tokens', "TensorRT-LLM's ensemble requires the max_tokens input") : []),
  ],
};
