/** json (the answer parses) and json-schema (it parses and the schema accepts it). */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { compileJsonSchema } from '../json-schema.js';
import { CheckSpecError, type Outcome } from '../types.js';
import type { CheckKind, SpecOf } from './kind.js';

export const json: CheckKind<SpecOf<'json'>> = {
  perPrompt: false,
  label: () => 'json',
  compile: () => (text) => {
    const parsed = parseJson(text);
    return 'reason' in parsed ? parsed : { pass: true };
  },
};

export const jsonSchema: CheckKind<SpecOf<'json-schema'>> = {
  perPrompt: false,
  label: (spec) => (spec.schema_file !== undefined ? `json-schema ${spec.schema_file}` : 'json-schema'),
  compile: (spec, ctx) => {
    const [schema, at] = schemaOf(spec, ctx.dir);
    const validator = compileJsonSchema(schema);
    if (typeof validator === 'string') throw new CheckSpecError(at, `invalid JSON Schema: ${validator}`);
    return (text) => {
      const parsed = parseJson(text);
      if ('reason' in parsed) return parsed;
      const error = validator.validate(parsed.value);
      return error === undefined ? { pass: true } : { pass: false, reason: `schema: ${error}` };
    };
  },
};

function schemaOf(spec: SpecOf<'json-schema'>, dir: string): [Record<string, unknown>, string[]] {
  if ((spec.schema === undefined) === (spec.schema_file === undefined)) {
    throw new CheckSpecError([], 'give the JSON Schema as schema (inline) or schema_file (a .json file), one of the two');
  }
  if (spec.schema !== undefined) return [spec.schema, ['schema']];
  const file = spec.schema_file as string;
  let text: string;
  try {
    text = readFileSync(isAbsolute(file) ? file : resolve(dir, file), 'utf8').replace(/^\uFEFF/, '');
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? "not found (paths are relative to the spec's folder)" : (e as Error).message;
    throw new CheckSpecError(['schema_file'], `JSON Schema file '${file}': ${why}`);
  }
  let schema: unknown;
  try {
    schema = JSON.parse(text);
  } catch (e) {
    throw new CheckSpecError(['schema_file'], `JSON Schema file '${file}' is not JSON: ${(e as Error).message}`);
  }
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw new CheckSpecError(['schema_file'], `JSON Schema file '${file}' must hold an object`);
  }
  return [schema as Record<string, unknown>, ['schema_file']];
}

function parseJson(text: string): { value: unknown } | (Outcome & { reason: string }) {
  try {
    return { value: JSON.parse(text.trim()) };
  } catch (e) {
    return { pass: false, reason: `not JSON: ${(e as Error).message}` };
  }
}
