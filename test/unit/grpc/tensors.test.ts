import { describe, expect, it } from 'vitest';
import { decodeContents, decodeRaw, encodeRaw, outputValues, parameterValue, toParameter, withInputs } from '../../../src/grpc/tensors.js';
import { kserveService } from '../../../src/grpc/kserve.js';

describe('raw tensor data', () => {
  it('lays out BYTES elements as a 4-byte little-endian length and the bytes', () => {
    const raw = encodeRaw('BYTES', ['hi', 'é']);
    expect([...raw]).toEqual([2, 0, 0, 0, 0x68, 0x69, 2, 0, 0, 0, 0xc3, 0xa9]);
    expect(decodeRaw('BYTES', raw)).toEqual(['hi', 'é']);
    expect(decodeRaw('BYTES', Buffer.from([5, 0, 0, 0, 0x68]))).toBeUndefined(); // cut short
  });

  it('round-trips every fixed-size datatype little-endian', () => {
    const cases: [string, (number | boolean)[], number][] = [
      ['BOOL', [true, false], 1],
      ['INT8', [-3, 7], 1],
      ['INT16', [-300, 7], 2],
      ['INT32', [-70000, 64], 4],
      ['INT64', [-(2 ** 40), 5], 8],
      ['UINT8', [255, 0], 1],
      ['UINT16', [65535, 1], 2],
      ['UINT32', [4e9, 2], 4],
      ['UINT64', [2 ** 40, 3], 8],
      ['FP32', [0.5, -2.25], 4],
      ['FP64', [0.1, 1e300], 8],
    ];
    for (const [dt, values, size] of cases) {
      const raw = encodeRaw(dt, values);
      expect(raw.length, dt).toBe(size * values.length);
      expect(decodeRaw(dt, raw), dt).toEqual(values);
    }
    expect([...encodeRaw('INT32', [1])]).toEqual([1, 0, 0, 0]);
    expect(decodeRaw('INT32', Buffer.alloc(3))).toBeUndefined();
  });

  it('encodes FP16 and BF16 by IEEE rounding', () => {
    expect(encodeRaw('FP16', [1]).readUInt16LE(0)).toBe(0x3c00);
    expect(encodeRaw('FP16', [65504]).readUInt16LE(0)).toBe(0x7bff);
    expect(encodeRaw('FP16', [0.1]).readUInt16LE(0)).toBe(0x2e66);
    expect(encodeRaw('FP16', [1e6]).readUInt16LE(0)).toBe(0x7c00);
    expect(encodeRaw('BF16', [1]).readUInt16LE(0)).toBe(0x3f80);
    expect(decodeRaw('FP16', encodeRaw('FP16', [0.7]))?.[0]).toBeCloseTo(0.7, 3);
    expect(decodeRaw('BF16', encodeRaw('BF16', [0.7]))?.[0]).toBeCloseTo(0.7, 2);
  });

  it('throws on an unknown datatype when encoding, gives undefined when decoding', () => {
    expect(() => encodeRaw('FP8', [1])).toThrow(/unknown tensor datatype 'FP8'/);
    expect(decodeRaw('FP8', Buffer.alloc(1))).toBeUndefined();
  });
});

describe('typed contents and messages', () => {
  it('reads typed contents by datatype', () => {
    expect(decodeContents('BYTES', { bytes_contents: [Buffer.from('a'), Buffer.from('b')] })).toEqual(['a', 'b']);
    expect(decodeContents('UINT32', { uint_contents: [3] })).toEqual([3]);
    expect(decodeContents('FP32', null)).toBeUndefined();
  });

  it('puts inputs in raw_input_contents in order, and survives the protobuf round trip', () => {
    const req = withInputs({ model_name: 'm' }, [
      { name: 'text_input', datatype: 'BYTES', shape: [1, 1], values: ['hello'] },
      { name: 'max_tokens', datatype: 'INT32', shape: [1, 1], values: [16] },
    ]);
    expect(req.inputs.map((t) => t.name)).toEqual(['text_input', 'max_tokens']);
    const { requestSerialize, requestDeserialize } = kserveService().ModelInfer;
    const back = requestDeserialize(requestSerialize(req));
    expect(back.inputs[1]).toMatchObject({ name: 'max_tokens', datatype: 'INT32', shape: [1, 1] });
    expect(decodeRaw('INT32', back.raw_input_contents![1])).toEqual([16]);
  });

  it('reads an output from raw contents or typed contents', () => {
    const base = { model_name: 'm', model_version: '1', id: '', parameters: {} };
    const raw = { ...base, outputs: [{ name: 'text_output', datatype: 'BYTES', shape: [1] }], raw_output_contents: [encodeRaw('BYTES', ['Hi'])] };
    expect(outputValues(raw, 'text_output')).toEqual(['Hi']);
    const typed = { ...base, outputs: [{ name: 'text_output', datatype: 'BYTES', shape: [1], contents: { bytes_contents: [Buffer.from('Yo')] } }], raw_output_contents: [] };
    expect(outputValues(typed, 'text_output')).toEqual(['Yo']);
    expect(outputValues(typed, 'nope')).toBeUndefined();
  });

  it('reads and writes parameters of each kind', () => {
    expect(toParameter(true)).toEqual({ bool_param: true });
    expect(toParameter(3)).toEqual({ int64_param: 3 });
    expect(toParameter(0.5)).toEqual({ double_param: 0.5 });
    expect(toParameter('x')).toEqual({ string_param: 'x' });
    expect(parameterValue({ bool_param: false, int64_param: 0, string_param: '', parameter_choice: 'bool_param' })).toBe(false);
    expect(parameterValue({ string_param: 'v' })).toBe('v');
    expect(parameterValue(undefined)).toBeUndefined();
  });
});
