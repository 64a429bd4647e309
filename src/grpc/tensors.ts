/**
 * Tensor data in and out of KServe v2 messages. Inputs go as raw_input_contents (what
 * Triton's own clients send, and the only way for FP16/BF16); outputs are read from
 * raw_output_contents (what Triton sends) or from typed contents (what other servers may
 * send). Raw data is little-endian and row-major; a BYTES element is a 4-byte little-endian
 * length followed by its bytes.
 */
import type { InferParameter, InferTensor, InferTensorContents, ModelInferRequest, ModelInferResponse } from './kserve.js';

/** One tensor element as JavaScript sees it; BYTES elements are UTF-8 text. */
export type TensorValue = string | number | boolean;

interface Layout {
  bytes: number;
  write(b: Buffer, v: TensorValue, at: number): void;
  read(b: Buffer, at: number): TensorValue;
  contents: keyof InferTensorContents;
}

const num = (v: TensorValue): number => Number(v);
const int = (v: TensorValue): number => Math.trunc(num(v));
const big = (v: TensorValue): bigint => BigInt(int(v));

/** Fixed-size datatypes: element size, raw codec and the typed-contents field. */
const FIXED: Record<string, Layout> = {
  BOOL: { bytes: 1, write: (b, v, at) => b.writeUInt8(truthy(v) ? 1 : 0, at), read: (b, at) => b[at] !== 0, contents: 'bool_contents' },
  INT8: { bytes: 1, write: (b, v, at) => b.writeInt8(int(v), at), read: (b, at) => b.readInt8(at), contents: 'int_contents' },
  INT16: { bytes: 2, write: (b, v, at) => b.writeInt16LE(int(v), at), read: (b, at) => b.readInt16LE(at), contents: 'int_contents' },
  INT32: { bytes: 4, write: (b, v, at) => b.writeInt32LE(int(v), at), read: (b, at) => b.readInt32LE(at), contents: 'int_contents' },
  INT64: { bytes: 8, write: (b, v, at) => b.writeBigInt64LE(big(v), at), read: (b, at) => Number(b.readBigInt64LE(at)), contents: 'int64_contents' },
  UINT8: { bytes: 1, write: (b, v, at) => b.writeUInt8(int(v), at), read: (b, at) => b.readUInt8(at), contents: 'uint_contents' },
  UINT16: { bytes: 2, write: (b, v, at) => b.writeUInt16LE(int(v), at), read: (b, at) => b.readUInt16LE(at), contents: 'uint_contents' },
  UINT32: { bytes: 4, write: (b, v, at) => b.writeUInt32LE(int(v), at), read: (b, at) => b.readUInt32LE(at), contents: 'uint_contents' },
  UINT64: { bytes: 8, write: (b, v, at) => b.writeBigUInt64LE(big(v), at), read: (b, at) => Number(b.readBigUInt64LE(at)), contents: 'uint64_contents' },
  FP16: { bytes: 2, write: (b, v, at) => b.writeUInt16LE(toHalf(num(v)), at), read: (b, at) => fromHalf(b.readUInt16LE(at)), contents: 'fp32_contents' },
  BF16: { bytes: 2, write: (b, v, at) => b.writeUInt16LE(toBf16(num(v)), at), read: (b, at) => fromBf16(b.readUInt16LE(at)), contents: 'fp32_contents' },
  FP32: { bytes: 4, write: (b, v, at) => b.writeFloatLE(num(v), at), read: (b, at) => b.readFloatLE(at), contents: 'fp32_contents' },
  FP64: { bytes: 8, write: (b, v, at) => b.writeDoubleLE(num(v), at), read: (b, at) => b.readDoubleLE(at), contents: 'fp64_contents' },
};

/** Every datatype the protocol names. */
export const DATATYPES: readonly string[] = [...Object.keys(FIXED), 'BYTES'];

export function isDatatype(s: string): boolean {
  return DATATYPES.includes(s);
}

function truthy(v: TensorValue): boolean {
  return typeof v === 'string' ? v === 'true' || v === '1' : Boolean(v);
}

/** Raw little-endian bytes of `values` as `datatype`. Throws on an unknown datatype. */
export function encodeRaw(datatype: string, values: readonly TensorValue[]): Buffer {
  if (datatype === 'BYTES') {
    const parts: Buffer[] = [];
    for (const v of values) {
      const data = Buffer.from(String(v), 'utf8');
      const len = Buffer.allocUnsafe(4);
      len.writeUInt32LE(data.length, 0);
      parts.push(len, data);
    }
    return Buffer.concat(parts);
  }
  const layout = FIXED[datatype];
  if (!layout) throw new Error(`unknown tensor datatype '${datatype}'`);
  const out = Buffer.alloc(layout.bytes * values.length);
  values.forEach((v, i) => layout.write(out, v, i * layout.bytes));
  return out;
}

/** Elements of raw tensor data; undefined for an unknown datatype or data of the wrong size. */
export function decodeRaw(datatype: string, raw: Buffer): TensorValue[] | undefined {
  if (datatype === 'BYTES') {
    const out: string[] = [];
    let at = 0;
    while (at + 4 <= raw.length) {
      const len = raw.readUInt32LE(at);
      at += 4;
      if (at + len > raw.length) return undefined;
      out.push(raw.toString('utf8', at, at + len));
      at += len;
    }
    return at === raw.length ? out : undefined;
  }
  const layout = FIXED[datatype];
  if (!layout || raw.length % layout.bytes !== 0) return undefined;
  const out: TensorValue[] = [];
  for (let at = 0; at < raw.length; at += layout.bytes) out.push(layout.read(raw, at));
  return out;
}

/** Elements of a tensor's typed contents (BYTES as UTF-8 text). */
export function decodeContents(datatype: string, contents: InferTensorContents | null | undefined): TensorValue[] | undefined {
  if (!contents) return undefined;
  if (datatype === 'BYTES') return contents.bytes_contents?.map((b) => Buffer.from(b).toString('utf8'));
  const field = FIXED[datatype]?.contents;
  return field ? (contents[field] as TensorValue[] | undefined) : undefined;
}

/** Number of elements of a shape (1 for a scalar's empty shape). */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

/** The input tensors of a request, with their data as raw_input_contents in the same order. */
export function withInputs(
  req: Omit<ModelInferRequest, 'inputs' | 'raw_input_contents'>,
  inputs: readonly { name: string; datatype: string; shape: number[]; values: readonly TensorValue[] }[],
): ModelInferRequest {
  return {
    ...req,
    inputs: inputs.map(({ name, datatype, shape }) => ({ name, datatype, shape })),
    raw_input_contents: inputs.map((t) => encodeRaw(t.datatype, t.values)),
  };
}

/** A tensor's elements by name, from either side of the protocol (raw or typed contents). */
export function tensorValues(
  tensors: readonly InferTensor[],
  raw: readonly Buffer[] | undefined,
  name: string,
): TensorValue[] | undefined {
  const i = tensors.findIndex((t) => t.name === name);
  if (i < 0) return undefined;
  const t = tensors[i];
  const data = raw && raw.length > 0 ? raw[i] : undefined;
  return data ? decodeRaw(t.datatype, Buffer.from(data)) : decodeContents(t.datatype, t.contents);
}

/** An output tensor's elements by name; undefined when the response has no such output. */
export function outputValues(res: ModelInferResponse, name: string): TensorValue[] | undefined {
  return tensorValues(res.outputs, res.raw_output_contents, name);
}

/** The value of a decoded parameter, whichever field carries it. */
export function parameterValue(p: InferParameter | undefined): string | number | boolean | undefined {
  if (!p) return undefined;
  const field = p.parameter_choice;
  if (field) return p[field];
  return p.bool_param ?? p.int64_param ?? p.string_param ?? p.double_param ?? p.uint64_param;
}

/** A parameter holding `v`: integers as int64, other numbers as double. */
export function toParameter(v: string | number | boolean): InferParameter {
  if (typeof v === 'boolean') return { bool_param: v };
  if (typeof v === 'string') return { string_param: v };
  return Number.isInteger(v) ? { int64_param: v } : { double_param: v };
}

// IEEE 754 half precision, round to nearest even.
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function toHalf(v: number): number {
  f32[0] = v;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    return sign | (half + (rest > mid || (rest === mid && half & 1) ? 1 : 0));
  }
  const rest = mant & 0x1fff;
  mant >>>= 13;
  if (rest > 0x1000 || (rest === 0x1000 && mant & 1)) {
    mant++;
    if (mant === 0x400) {
      mant = 0;
      e++;
      if (e >= 0x1f) return sign | 0x7c00;
    }
  }
  return sign | (e << 10) | mant;
}

function fromHalf(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? Number.NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

function toBf16(v: number): number {
  f32[0] = v;
  const x = u32[0];
  if ((x & 0x7fffffff) > 0x7f800000) return (x >>> 16) | 0x40;
  return (x + 0x7fff + ((x >>> 16) & 1)) >>> 16;
}

function fromBf16(b: number): number {
  u32[0] = b << 16;
  return f32[0];
}
