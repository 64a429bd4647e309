/** Every kind of check, by its `type`: a missing one is a compile error. */
import type { CheckType } from '../schema.js';
import { finishReason } from './finish-reason.js';
import { json, jsonSchema } from './json.js';
import type { CheckKind, SpecOf } from './kind.js';
import { maxLength, minLength } from './length.js';
import { regex } from './regex.js';
import { similar } from './similar.js';
import { contains, equals, icontains, notContains, startsWith } from './text.js';

export const KINDS = {
  contains,
  icontains,
  'not-contains': notContains,
  equals,
  'starts-with': startsWith,
  regex,
  json,
  'json-schema': jsonSchema,
  'max-length': maxLength,
  'min-length': minLength,
  'finish-reason': finishReason,
  similar,
} satisfies { [T in CheckType]: CheckKind<SpecOf<T>> };
