import { z } from 'zod';
import { specSchema } from './schema.js';

/** JSON Schema of the spec as a user writes it (defaults make keys optional). */
export function specJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(specSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  // One endpoint or named ones: exactly one of target and targets (spec/target-checks.ts).
  schema.oneOf = [{ required: ['target'] }, { required: ['targets'] }];
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://github.com/llm-sweep/llm-sweep/schema/spec.json',
    title: 'llm-sweep sweep spec',
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$schema')),
  };
}
