/**
 * NVIDIA Triton Inference Server, generate extension (KServe-style URLs):
 *   POST {base}/v2/models/{model}[/versions/{v}]/generate         one JSON object
 *   POST {base}/v2/models/{model}[/versions/{v}]/generate_stream  SSE, one object per `data:`
 * The request is `{"text_input": ..., "parameters": {...}}`; responses carry `text_output`.
 * Field names belong to the model, not to Triton: ensembles name their tensors as they
 * like, so every name is configurable in target.triton, and params can go inside
 * `parameters` (vLLM backend) or at the top level, where Triton maps them to input tensors
 * (TensorRT-LLM ensembles: max_tokens, temperature, ...). The vLLM backend also returns
 * finish_reason, num_input_tokens and num_output_tokens (per response, so summed over a
 * stream) when asked with return_finish_reason / return_num_input_tokens /
 * return_num_output_tokens.
 * A stream has no end marker: it is complete when the server closes it cleanly.
 * Wire format: https://github.com/triton-inference-server/server/blob/main/docs/protocol/extension_generate.md
 * vLLM backend outputs: https://github.com/triton-inference-server/vllm_backend#additional-outputs
 */
import { z } from 'zod';
import { targetSchemaFor } from '../spec/target.js';
import { errorText, jsonErrorMessage } from './errors.js';
import { bearerHeaders, isObject, joinUrl, num, parseEvent, requireKey } from './shared.js';
import type { BuildContext, Completion, Provider, ProviderRequest, StreamDelta, StreamEvent, Usage } from './types.js';

const tritonSchema = z
  .strictObject({
    text_input: z.string().min(1).default('text_input').describe('Name of the prompt field (input tensor); ensembles may call it otherwise.'),
    text_output: z.string().min(1).default('text_output').describe('Name of the output text field in each response or stream event.'),
    params_in: z
      .enum(['parameters', 'body'])
      .default('parameters')
      .describe(
        "Where request params go: inside the 'parameters' object (vLLM backend), or as top-level fields that Triton maps to input tensors (TensorRT-LLM ensembles).",
      ),
    finish_reason: z.string().min(1).default('finish_reason').describe('Output field with the finish reason, when the model returns one.'),
    prompt_tokens: z.string().min(1).default('num_input_tokens').describe('Output field with the prompt token count, when the model returns one.'),
    completion_tokens: z
      .string()
      .min(1)
      .default('num_output_tokens')
      .describe('Output field with the number of tokens in each response (summed over a stream), when the model returns one.'),
    model_version: z.string().min(1).optional().describe('Model version: the URL becomes /v2/models/{model}/versions/{version}/generate.'),
  })
  .describe('triton: field names of the generate extension, which depend on the model or ensemble.');

export const tritonTarget = targetSchemaFor('triton', "NVIDIA Triton's generate extension ({base}/v2/models/{model}/generate[_stream]).", {
  triton: tritonSchema.optional(),
});
type TritonTarget = z.output<typeof tritonTarget>;

/** target.triton with its defaults filled in. */
export type TritonFields = z.output<typeof tritonSchema>;

export const TRITON_DEFAULTS: TritonFields = tritonSchema.parse({});

/** One output tensor's value: a scalar, or a list of one element per batch entry. */
function first(v: unknown): unknown {
  return Array.isArray(v) ? v[0] : v;
}

function outputText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.join('');
  return undefined;
}

/** The vLLM backend sends str(None) until the sequence finishes. */
function finishOf(v: unknown): string | undefined {
  const s = first(v);
  return typeof s === 'string' && s !== '' && s !== 'None' && s !== 'null' ? s : undefined;
}

export function createTriton(fields: TritonFields): Provider<'triton', TritonTarget> {
  const build = (ctx: BuildContext<TritonTarget>): ProviderRequest => {
    const { model, ...params } = ctx.cell.body;
    const version = fields.model_version ? `/versions/${encodeURIComponent(fields.model_version)}` : '';
    const path = `/v2/models/${encodeURIComponent(String(model ?? ''))}${version}/${ctx.stream ? 'generate_stream' : 'generate'}`;
    const body: Record<string, unknown> = { [fields.text_input]: ctx.prompt.text };
    // Backends decide streaming from a `stream` input too (the vLLM backend answers once without it).
    const values = { ...params, stream: ctx.stream };
    if (fields.params_in === 'parameters') body.parameters = values;
    else Object.assign(body, values);
    return { url: joinUrl(ctx.target.base_url, path), headers: bearerHeaders(ctx.target), body };
  };

  const read = (o: Record<string, unknown>, completionSoFar: number): StreamDelta => {
    const delta: StreamDelta = {};
    const text = outputText(o[fields.text_output]);
    if (text) delta.text = text;
    const finish = finishOf(o[fields.finish_reason]);
    if (finish) delta.finishReason = finish;
    const usage: Usage = {};
    const prompt = num(first(o[fields.prompt_tokens]));
    if (prompt !== undefined) usage.prompt_tokens = prompt;
    const completion = num(first(o[fields.completion_tokens]));
    if (completion !== undefined) usage.completion_tokens = completionSoFar + completion;
    if (Object.keys(usage).length > 0) delta.usage = usage;
    return delta;
  };

  const streamDecoder = () => {
    let completion = 0;
    return (ev: StreamEvent): StreamDelta | undefined => {
      const o = parseEvent(ev.data);
      if (!o) return undefined;
      if (o.error !== undefined && o.error !== null) return { error: errorText(o.error) };
      const delta = read(o, completion);
      completion = delta.usage?.completion_tokens ?? completion;
      // No end marker exists: any event may be the last, and a clean close completes the
      // stream (a cut connection is still a network error).
      delta.done = true;
      return delta;
    };
  };

  const parseResponse = (body: unknown): Completion => {
    if (!isObject(body) || !Object.hasOwn(body, fields.text_output)) {
      throw new Error(`response has no '${fields.text_output}' (set target.triton.text_output to the model's output name)`);
    }
    const d = read(body, 0);
    return { text: d.text ?? '', usage: d.usage, finishReason: d.finishReason };
  };

  return {
    kind: 'triton',
    target: tritonTarget,
    baseUrl: 'root',
    simulator: true,
    paths: ['/generate', '/generate_stream'],
    maxTokens: ['max_tokens', 'max_new_tokens'],
    framing: 'sse',
    units: { max_tokens: 'tokens', max_new_tokens: 'tokens', top_k: 'tokens' },
    build,
    streamDecoder,
    parseResponse,
    errorMessage: jsonErrorMessage,
    // Inputs are whatever the model declares; only the model name is required (it is in the URL).
    checkParams: (keys) => requireKey('triton', keys, 'model', 'it is the model name in /v2/models/{model}/generate'),
    configure: (target) => createTriton({ ...TRITON_DEFAULTS, ...target.triton }),
  };
}

export const triton = createTriton(TRITON_DEFAULTS);
