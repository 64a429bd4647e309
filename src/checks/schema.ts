/**
 * The `checks:` list as the spec writes it: one entry per check, `type` naming the kind.
 * Whether `value` or `column` is given (exactly one, for the kinds that take either) is
 * checked by compile.ts, so the message can name the fix.
 */
import { z } from 'zod';

const scalar = z
  .union([z.string(), z.number(), z.boolean()])
  .transform((v) => String(v))
  .describe('The text to look for, the same for every prompt.');

const column = z.string().min(1).describe('Dataset column holding the value per prompt (e.g. expected), instead of value.');

const common = {
  name: z.string().min(1).optional().describe('Label in results and reports; default: made from the type and value.'),
  in: z
    .enum(['answer', 'reasoning', 'both'])
    .default('answer')
    .describe('What the check reads: the answer (default), the reasoning text the server sent apart, or both.'),
};

const textKind = <T extends string>(type: T, what: string) =>
  z
    .strictObject({ type: z.literal(type).describe(`The kind of check: ${type}.`), value: scalar.optional(), column: column.optional(), ...common })
    .describe(what);

const lengthKind = <T extends string>(type: T, what: string) =>
  z
    .strictObject({
      type: z.literal(type).describe(`The kind of check: ${type}.`),
      value: z.number().int().min(0).describe('The limit, in `unit`s.'),
      unit: z
        .enum(['chars', 'tokens'])
        .default('chars')
        .describe('chars (Unicode code points) or tokens (counted with the built-in tokenizer estimate).'),
      ...common,
    })
    .describe(what);

export const CHECK_TYPES = [
  'contains',
  'icontains',
  'not-contains',
  'equals',
  'starts-with',
  'regex',
  'json',
  'json-schema',
  'max-length',
  'min-length',
  'finish-reason',
  'similar',
] as const;
export type CheckType = (typeof CHECK_TYPES)[number];

export const checkSchema = z
  .discriminatedUnion('type', [
    textKind('contains', 'Passes when the answer contains the value (case-sensitive).'),
    textKind('icontains', 'Passes when the answer contains the value, ignoring case.'),
    textKind('not-contains', 'Passes when the answer does not contain the value (case-sensitive).'),
    z
      .strictObject({
        type: z.literal('equals').describe('The kind of check: equals.'),
        value: scalar.optional(),
        column: column.optional(),
        trim: z.boolean().default(true).describe('Ignore whitespace around the answer and the value (default true).'),
        ...common,
      })
      .describe('Passes when the answer is exactly the value.'),
    textKind('starts-with', 'Passes when the answer starts with the value (after leading whitespace).'),
    z
      .strictObject({
        type: z.literal('regex').describe('The kind of check: regex.'),
        value: z.string().optional().describe('A JavaScript regular expression, e.g. "^\\\\d+$".'),
        column: column.optional(),
        flags: z
          .string()
          .regex(/^[dgimsuvy]*$/, 'regex flags are letters of d, g, i, m, s, u, v, y')
          .optional()
          .describe('Regular expression flags, e.g. i (ignore case), m (^ and $ per line), s (. matches newlines).'),
        ...common,
      })
      .describe('Passes when the regular expression matches somewhere in the answer.'),
    z.strictObject({ type: z.literal('json').describe('The kind of check: json.'), ...common }).describe('Passes when the whole answer (trimmed) parses as JSON.'),
    z
      .strictObject({
        type: z.literal('json-schema').describe('The kind of check: json-schema.'),
        schema: z.record(z.string(), z.unknown()).optional().describe('The JSON Schema, inline (draft-07, 2019-09 or 2020-12 by $schema; default 2020-12).'),
        schema_file: z.string().min(1).optional().describe("A .json file with the JSON Schema, relative to the spec's folder."),
        ...common,
      })
      .describe('Passes when the answer parses as JSON and the JSON Schema accepts it (validated with ajv).'),
    lengthKind('max-length', 'Passes when the answer is at most value chars or tokens long.'),
    lengthKind('min-length', 'Passes when the answer is at least value chars or tokens long.'),
    z
      .strictObject({
        type: z.literal('finish-reason').describe('The kind of check: finish-reason.'),
        value: z
          .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
          .describe('The finish reason(s) that pass, e.g. stop (or [stop, end_turn]).'),
        ...common,
      })
      .describe("Passes when the server's finish_reason is one of the values."),
    z
      .strictObject({
        type: z.literal('similar').describe('The kind of check: similar.'),
        value: scalar.optional().describe('The reference answer, the same for every prompt.'),
        column: column.optional(),
        metric: z
          .enum(['rouge-l', 'f1'])
          .default('rouge-l')
          .describe('rouge-l: longest common subsequence of words (F-measure); f1: word overlap as in SQuAD.'),
        threshold: z.number().min(0).max(1).describe('Lowest score that passes, 0 to 1.'),
        ...common,
      })
      .describe('Passes when the answer scores at least threshold against the reference by word overlap.'),
  ])
  .describe('One check, applied to every successful answer.');

export type CheckSpec = z.output<typeof checkSchema>;

export const checksSchema = z
  .array(checkSchema)
  .describe('Quality checks applied to every successful answer; each request row gets checks_passed / checks_total. See docs/checks.md.');
