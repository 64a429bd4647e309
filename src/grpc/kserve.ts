/**
 * The KServe v2 gRPC protocol as data: the service definition loaded from
 * proto/kserve-v2.proto (shipped in the package beside dist/), and TypeScript shapes of its
 * messages as @grpc/proto-loader gives them (field names as in the .proto, int64 as numbers,
 * bytes as Buffers, a oneof's chosen field named by `parameter_choice`).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { MethodDefinition } from '@grpc/proto-loader';

/** The service's full name: the first part of every method path. */
export const SERVICE_NAME = 'inference.GRPCInferenceService';

/** proto/ at the package root: two levels up from src/grpc/ and from dist/grpc/ alike. */
export function protoPath(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../proto/kserve-v2.proto');
}

/** One parameter value; exactly one field is set (`parameter_choice` names it when decoded). */
export interface InferParameter {
  bool_param?: boolean;
  int64_param?: number;
  string_param?: string;
  double_param?: number;
  uint64_param?: number;
  parameter_choice?: 'bool_param' | 'int64_param' | 'string_param' | 'double_param' | 'uint64_param';
}

export type Parameters = Record<string, InferParameter>;

/** Typed contents of a tensor, flattened row-major; the field matches the datatype. */
export interface InferTensorContents {
  bool_contents?: boolean[];
  int_contents?: number[];
  int64_contents?: number[];
  uint_contents?: number[];
  uint64_contents?: number[];
  fp32_contents?: number[];
  fp64_contents?: number[];
  bytes_contents?: Buffer[];
}

export interface InferTensor {
  name: string;
  /** KServe datatype: BOOL, INT32, FP32, BYTES, ... */
  datatype: string;
  /** Dimensions; their product is the number of elements. */
  shape: number[];
  parameters?: Parameters;
  contents?: InferTensorContents | null;
}

export interface ModelInferRequest {
  model_name: string;
  model_version?: string;
  id?: string;
  parameters?: Parameters;
  inputs: InferTensor[];
  outputs?: { name: string; parameters?: Parameters }[];
  raw_input_contents?: Buffer[];
}

export interface ModelInferResponse {
  model_name: string;
  model_version: string;
  id: string;
  parameters: Parameters;
  outputs: InferTensor[];
  /** One entry per output, in the order of `outputs`, when the server sends raw contents (Triton does). */
  raw_output_contents: Buffer[];
}

export interface ModelStreamInferResponse {
  /** Non-empty when the request failed. */
  error_message: string;
  infer_response: ModelInferResponse | null;
}

export interface TensorMetadata {
  name: string;
  datatype: string;
  /** -1 marks a variable dimension (a batching model's first dimension included). */
  shape: number[];
}

export interface ModelMetadataResponse {
  name: string;
  versions: string[];
  platform: string;
  inputs: TensorMetadata[];
  outputs: TensorMetadata[];
}

export interface ModelRef {
  name: string;
  /** Empty: the server's version policy chooses. */
  version?: string;
}

/** Request and response type of every RPC llm-sweep uses. */
export interface KserveMethods {
  ServerLive: MethodDefinition<Record<string, never>, { live: boolean }>;
  ModelReady: MethodDefinition<ModelRef, { ready: boolean }>;
  ModelMetadata: MethodDefinition<ModelRef, ModelMetadataResponse>;
  ModelInfer: MethodDefinition<ModelInferRequest, ModelInferResponse>;
  ModelStreamInfer: MethodDefinition<ModelInferRequest, ModelStreamInferResponse>;
}

let loaded: KserveMethods | undefined;

/** The service definition (serializers and paths of each RPC), loaded once. */
export function kserveService(): KserveMethods {
  if (loaded) return loaded;
  // Required here, not imported: only a triton-grpc target needs protobufjs, and every run
  // (and each worker thread) would otherwise load and keep it.
  const { loadSync } = createRequire(import.meta.url)('@grpc/proto-loader') as typeof import('@grpc/proto-loader');
  const pkg = loadSync(protoPath(), { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true });
  loaded = pkg[SERVICE_NAME] as unknown as KserveMethods;
  return loaded;
}
