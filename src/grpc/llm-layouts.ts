/**
 * The two tensor layouts that Triton LLM deployments use, both directions: a client builds a
 * ModelInferRequest from a prompt and sampling params, a server (the simulator, the test
 * fakes) reads one back, and responses carry the text as a BYTES `text_output`.
 *
 *   trtllm  TensorRT-LLM's ensemble (tensorrtllm_backend all_models/inflight_batcher_llm):
 *           one input tensor per parameter — text_input, max_tokens (required), stream,
 *           temperature, top_p, top_k, stop_words, random_seed, ... — batched, so every
 *           shape starts with a batch dimension of 1.
 *   vllm    Triton's vLLM backend: text_input, stream, exclude_input_in_output and the
 *           sampling params as one JSON string in sampling_parameters; not batched. It also
 *           returns finish_reason, num_input_tokens and num_output_tokens (per response)
 *           when asked with return_finish_reason / return_num_input_tokens /
 *           return_num_output_tokens.
 *
 * Datatypes and shapes come from the model's metadata when the server gave it, else from the
 * tables below (the layouts' published model configs).
 * https://github.com/triton-inference-server/tensorrtllm_backend/blob/main/all_models/inflight_batcher_llm/ensemble/config.pbtxt
 * https://github.com/triton-inference-server/vllm_backend/blob/main/src/model.py
 */
import type { InferTensor, ModelInferRequest, ModelMetadataResponse, ModelRef, ModelStreamInferResponse, Parameters, TensorMetadata } from './kserve.js';
import { elementCount, encodeRaw, outputValues, parameterValue, tensorValues, withInputs, type TensorValue } from './tensors.js';

export const LAYOUTS = ['trtllm', 'vllm'] as const;
export type LayoutName = (typeof LAYOUTS)[number];

/** One tensor of a model config: dims without the batch dimension, -1 for a variable one. */
export interface TensorDecl {
  name: string;
  datatype: string;
  dims: number[];
  optional: boolean;
}

export interface LlmLayout {
  name: LayoutName;
  /** max_batch_size > 0 in the model config: shapes get a leading batch dimension. */
  batched: boolean;
  inputs: TensorDecl[];
  outputs: TensorDecl[];
  /** Param names that the layout spells otherwise (stop -> stop_words), so one sweep fits every provider. */
  aliases: Record<string, string>;
}

const t = (name: string, datatype: string, dims: number[], optional = true): TensorDecl => ({ name, datatype, dims, optional });

export const LLM_LAYOUTS: Readonly<Record<LayoutName, LlmLayout>> = {
  trtllm: {
    name: 'trtllm',
    batched: true,
    inputs: [
      t('text_input', 'BYTES', [1], false),
      t('max_tokens', 'INT32', [1], false),
      t('stream', 'BOOL', [1]),
      t('temperature', 'FP32', [1]),
      t('top_p', 'FP32', [1]),
      t('top_k', 'INT32', [1]),
      t('stop_words', 'BYTES', [-1]),
      t('bad_words', 'BYTES', [-1]),
      t('end_id', 'INT32', [1]),
      t('pad_id', 'INT32', [1]),
      t('random_seed', 'UINT64', [1]),
      t('beam_width', 'INT32', [1]),
      t('length_penalty', 'FP32', [1]),
      t('repetition_penalty', 'FP32', [1]),
      t('presence_penalty', 'FP32', [1]),
      t('frequency_penalty', 'FP32', [1]),
      t('min_length', 'INT32', [1]),
      t('return_log_probs', 'BOOL', [1]),
    ],
    outputs: [t('text_output', 'BYTES', [-1], false)],
    aliases: { stop: 'stop_words', seed: 'random_seed', min_tokens: 'min_length' },
  },
  vllm: {
    name: 'vllm',
    batched: false,
    inputs: [
      t('text_input', 'BYTES', [1], false),
      t('stream', 'BOOL', [1]),
      t('sampling_parameters', 'BYTES', [1]),
      t('exclude_input_in_output', 'BOOL', [1]),
      t('return_finish_reason', 'BOOL', [1]),
      t('return_num_input_tokens', 'BOOL', [1]),
      t('return_num_output_tokens', 'BOOL', [1]),
    ],
    outputs: [
      t('text_output', 'BYTES', [-1], false),
      t('finish_reason', 'BYTES', [-1]),
      t('num_input_tokens', 'UINT32', [1]),
      t('num_output_tokens', 'UINT32', [-1]),
    ],
    aliases: {},
  },
};

/** Tensor names a deployment may have renamed (ensembles name their tensors as they like). */
export interface TensorNames {
  text_input: string;
  text_output: string;
}

export const DEFAULT_NAMES: TensorNames = { text_input: 'text_input', text_output: 'text_output' };

/** The model's tensors as "name (DATATYPE)", for messages. */
export function listTensors(tensors: readonly TensorMetadata[]): string {
  return tensors.length === 0 ? '(none)' : tensors.map((x) => `${x.name} (${x.datatype})`).join(', ');
}

/**
 * The layout a model's metadata shows: a sampling_parameters input is the vLLM backend, a
 * max_tokens input (or the ensemble platform) TensorRT-LLM. Undefined when neither fits.
 */
export function detectLayout(meta: ModelMetadataResponse): LayoutName | undefined {
  const names = new Set(meta.inputs.map((x) => x.name));
  if (names.has('sampling_parameters')) return 'vllm';
  if (names.has('max_tokens') || meta.platform === 'ensemble' || meta.platform === 'tensorrt_llm') return 'trtllm';
  return undefined;
}

/**
 * What is wrong between a layout and the model's metadata: a tensor the layout needs that
 * the model lacks, named with the model's actual tensors. Empty when they fit.
 */
export function layoutProblems(layout: LayoutName, meta: ModelMetadataResponse, names: TensorNames = DEFAULT_NAMES): string[] {
  const problems: string[] = [];
  const inputs = new Set(meta.inputs.map((x) => x.name));
  const outputs = new Set(meta.outputs.map((x) => x.name));
  const needed = [names.text_input, ...LLM_LAYOUTS[layout].inputs.filter((x) => !x.optional && x.name !== 'text_input').map((x) => x.name)];
  for (const name of needed) {
    if (!inputs.has(name)) {
      problems.push(`model '${meta.name}' has no input tensor '${name}', which the ${layout} layout needs; its inputs: ${listTensors(meta.inputs)}`);
    }
  }
  if (meta.outputs.length > 0 && !outputs.has(names.text_output)) {
    problems.push(`model '${meta.name}' has no output tensor '${names.text_output}'; its outputs: ${listTensors(meta.outputs)}`);
  }
  return problems;
}

export interface BuildInput {
  layout: LayoutName;
  model: ModelRef;
  prompt: string;
  stream: boolean;
  /** Sampling params by their spec names (max_tokens, temperature, stop, ...); `model` is left out. */
  params: Readonly<Record<string, unknown>>;
  /** The model's metadata: datatypes and shapes, and which optional inputs exist. */
  metadata?: ModelMetadataResponse;
  names?: TensorNames;
  /** Request id, echoed by the server. */
  id?: string;
}

export type BuildResult = { request: ModelInferRequest; problem?: undefined } | { problem: string; request?: undefined };

/** The ModelInferRequest for one prompt in a layout, or the problem that prevents it. */
export function buildLlmRequest(input: BuildInput): BuildResult {
  const layout = LLM_LAYOUTS[input.layout];
  const names = input.names ?? DEFAULT_NAMES;
  const meta = input.metadata;
  const tensors: { name: string; datatype: string; shape: number[]; values: TensorValue[] }[] = [];

  /** Declares tensor `name` (our name in the layout table, `wire` on the model) holding `values`. */
  const add = (name: string, values: TensorValue[], wire = name, optional = true): string | undefined => {
    const fromMeta = meta?.inputs.find((x) => x.name === wire);
    if (meta && !fromMeta) {
      if (optional) return undefined;
      return `model '${meta.name}' has no input tensor '${wire}'; its inputs: ${listTensors(meta.inputs)}`;
    }
    const decl = layout.inputs.find((x) => x.name === name);
    const declared = fromMeta?.shape ?? (decl ? (layout.batched ? [-1, ...decl.dims] : decl.dims) : [-1]);
    const datatype = fromMeta?.datatype ?? decl?.datatype ?? inferDatatype(values);
    const shape = fitShape(declared, values.length);
    if (!shape) return `input '${wire}' of shape [${declared.join(', ')}] cannot hold ${values.length} value(s)`;
    tensors.push({ name: wire, datatype, shape, values });
    return undefined;
  };

  const problem = add('text_input', [input.prompt], names.text_input, false);
  if (problem) return { problem };
  add('stream', [input.stream]);

  if (input.layout === 'vllm') {
    const sampling: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(input.params)) if (k !== 'model' && v !== undefined) sampling[k] = v;
    if (Object.keys(sampling).length > 0) {
      const p = add('sampling_parameters', [JSON.stringify(sampling)]);
      if (p) return { problem: p };
      if (meta && !meta.inputs.some((x) => x.name === 'sampling_parameters')) {
        return { problem: `model '${meta.name}' has no input tensor 'sampling_parameters' for params ${Object.keys(sampling).join(', ')}; its inputs: ${listTensors(meta.inputs)}` };
      }
    }
    add('exclude_input_in_output', [true]);
    // Older vLLM backends reject inputs they do not declare: ask only a model that lists them.
    if (meta) for (const ask of ['return_finish_reason', 'return_num_input_tokens', 'return_num_output_tokens']) add(ask, [true]);
  } else {
    if (input.params.max_tokens === undefined) {
      return { problem: "the trtllm layout needs max_tokens (TensorRT-LLM's ensemble requires it): set it in params or the matrix" };
    }
    for (const [k, v] of Object.entries(input.params)) {
      if (k === 'model' || v === undefined) continue;
      const name = layout.aliases[k] ?? k;
      const values = toValues(v);
      if (!values) return { problem: `param '${k}' must be a number, string, boolean or a list of them for the trtllm layout` };
      const p = add(name, values, name, false);
      if (p) return { problem: k === name ? p : p.replace(`'${name}'`, `'${name}' (for param '${k}')`) };
    }
  }

  const request = withInputs(
    { model_name: input.model.name, model_version: input.model.version ?? '', id: input.id ?? '', outputs: [] },
    tensors,
  );
  return { request };
}

/**
 * A declared shape filled in for `count` elements: every -1 becomes 1 but the last, which
 * takes what is left. Undefined when the shape cannot hold `count` elements.
 */
export function fitShape(declared: readonly number[], count: number): number[] | undefined {
  const shape = declared.length === 0 ? [] : [...declared];
  const last = shape.lastIndexOf(-1);
  for (let i = 0; i < shape.length; i++) if (shape[i] === -1 && i !== last) shape[i] = 1;
  if (last >= 0) {
    const rest = elementCount(shape.filter((_, i) => i !== last));
    if (rest === 0 || count % rest !== 0) return undefined;
    shape[last] = count / rest;
  }
  return elementCount(shape) === count ? shape : undefined;
}

function toValues(v: unknown): TensorValue[] | undefined {
  const list = Array.isArray(v) ? v : [v];
  return list.every((x) => typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') ? (list as TensorValue[]) : undefined;
}

function inferDatatype(values: readonly TensorValue[]): string {
  const x = values[0];
  if (typeof x === 'boolean') return 'BOOL';
  if (typeof x === 'number') return values.every((n) => Number.isInteger(n)) ? 'INT32' : 'FP32';
  return 'BYTES';
}

/** What one response of either layout carries. */
export interface LlmOutput {
  /** Output text of this response (a delta when streamed). */
  text?: string;
  finishReason?: string;
  promptTokens?: number;
  /** Tokens in this response (vLLM's num_output_tokens). */
  completionTokens?: number;
  /** Flagged triton_final_response. */
  final: boolean;
  /** False when the response has no `text_output` tensor at all. */
  hasText: boolean;
}

function joined(values: TensorValue[] | undefined): string | undefined {
  return values?.map(String).join('');
}

function firstNumber(values: TensorValue[] | undefined): number | undefined {
  const n = values?.[0];
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}

/** Reads one response (a streamed chunk or a whole answer) of either layout. Throws on an unreadable text tensor. */
export function readLlmResponse(res: ModelStreamInferResponse['infer_response'], names: TensorNames = DEFAULT_NAMES): LlmOutput {
  if (!res) return { final: false, hasText: false };
  const text = outputValues(res, names.text_output);
  if (text === undefined && res.outputs.some((x) => x.name === names.text_output)) {
    throw new Error(`unreadable '${names.text_output}' tensor in the response`);
  }
  const out: LlmOutput = { final: parameterValue(res.parameters?.triton_final_response) === true, hasText: text !== undefined };
  const s = joined(text);
  if (s) out.text = s;
  // The vLLM backend sends str(None) until the sequence finishes.
  const finish = joined(outputValues(res, 'finish_reason'));
  if (finish && finish !== 'None' && finish !== 'null') out.finishReason = finish;
  const prompt = firstNumber(outputValues(res, 'num_input_tokens'));
  if (prompt !== undefined) out.promptTokens = prompt;
  const completion = firstNumber(outputValues(res, 'num_output_tokens'));
  if (completion !== undefined) out.completionTokens = completion;
  return out;
}

// --- The server side: what the simulator and the test fakes use. ---

/** A request as a server reads it, whichever layout it came in. */
export interface LlmRequest {
  layout: LayoutName;
  prompt: string;
  stream: boolean;
  /** Sampling params by spec names (stop_words read back as stop, random_seed as seed). */
  params: Record<string, unknown>;
  /** vLLM's return_* asks. */
  wants: { finishReason: boolean; inputTokens: boolean; outputTokens: boolean };
  /** Request parameters (triton_enable_empty_final_response, ...). */
  parameters: Parameters;
}

/** Reads a ModelInferRequest of either layout; an error text for a request no layout fits. */
export function readLlmRequest(req: ModelInferRequest, names: TensorNames = DEFAULT_NAMES): LlmRequest | { error: string } {
  const value = (name: string) => tensorValues(req.inputs, req.raw_input_contents, name);
  const prompt = value(names.text_input);
  if (!prompt) return { error: `input '${names.text_input}' is missing (inputs: ${req.inputs.map((x) => x.name).join(', ') || 'none'})` };
  const flag = (name: string) => value(name)?.[0] === true;
  const sampling = value('sampling_parameters');
  const layout: LayoutName = sampling !== undefined || value('exclude_input_in_output') !== undefined ? 'vllm' : 'trtllm';
  const params: Record<string, unknown> = {};
  if (sampling) {
    try {
      Object.assign(params, JSON.parse(String(sampling[0] ?? '{}')) as Record<string, unknown>);
    } catch {
      return { error: `sampling_parameters is not JSON: ${String(sampling[0]).slice(0, 80)}` };
    }
  } else {
    const reverse = Object.fromEntries(Object.entries(LLM_LAYOUTS.trtllm.aliases).map(([k, v]) => [v, k]));
    for (const tensor of req.inputs) {
      if (tensor.name === names.text_input || tensor.name === 'stream') continue;
      const v = value(tensor.name);
      if (!v) return { error: `input '${tensor.name}' has unreadable contents` };
      params[reverse[tensor.name] ?? tensor.name] = isList(tensor) ? v : v[0];
    }
  }
  return {
    layout,
    prompt: String(prompt[0] ?? ''),
    stream: flag('stream'),
    params,
    wants: { finishReason: flag('return_finish_reason'), inputTokens: flag('return_num_input_tokens'), outputTokens: flag('return_num_output_tokens') },
    parameters: req.parameters ?? {},
  };
}

function isList(tensor: InferTensor): boolean {
  return tensor.name === 'stop_words' || tensor.name === 'bad_words' || elementCount(tensor.shape) > 1;
}

export interface LlmResponseInput {
  model: string;
  version?: string;
  id?: string;
  /** Omitted for an empty final response. */
  text?: string;
  final: boolean;
  finishReason?: string;
  promptTokens?: number;
  completionTokens?: number;
  layout: LayoutName;
  names?: TensorNames;
}

/** One response as Triton sends it: raw_output_contents, triton_final_response set. */
export function llmResponse(r: LlmResponseInput): ModelStreamInferResponse {
  const names = r.names ?? DEFAULT_NAMES;
  const batch = LLM_LAYOUTS[r.layout].batched ? [1] : [];
  const outputs: { name: string; datatype: string; shape: number[]; values: TensorValue[] }[] = [];
  if (r.text !== undefined) outputs.push({ name: names.text_output, datatype: 'BYTES', shape: [...batch, 1], values: [r.text] });
  if (r.finishReason !== undefined) outputs.push({ name: 'finish_reason', datatype: 'BYTES', shape: [1], values: [r.finishReason] });
  if (r.promptTokens !== undefined) outputs.push({ name: 'num_input_tokens', datatype: 'UINT32', shape: [1], values: [r.promptTokens] });
  if (r.completionTokens !== undefined) outputs.push({ name: 'num_output_tokens', datatype: 'UINT32', shape: [1], values: [r.completionTokens] });
  return {
    error_message: '',
    infer_response: {
      model_name: r.model,
      model_version: r.version ?? '1',
      id: r.id ?? '',
      parameters: { triton_final_response: { bool_param: r.final } },
      outputs: outputs.map(({ name, datatype, shape }) => ({ name, datatype, shape })),
      raw_output_contents: outputs.map((o) => encodeRaw(o.datatype, o.values)),
    },
  };
}

/** A model's metadata in a layout, as a server declares it (batched shapes start with -1). */
export function layoutMetadata(model: string, layout: LayoutName, platform = layout === 'trtllm' ? 'ensemble' : 'vllm'): ModelMetadataResponse {
  const l = LLM_LAYOUTS[layout];
  const meta = (x: TensorDecl): TensorMetadata => ({ name: x.name, datatype: x.datatype, shape: l.batched ? [-1, ...x.dims] : x.dims });
  return { name: model, versions: ['1'], platform, inputs: l.inputs.map(meta), outputs: l.outputs.map(meta) };
}
