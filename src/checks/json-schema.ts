/**
 * JSON Schema validation with ajv (the most used validator, maintained, draft-07 to 2020-12)
 * plus ajv-formats, so `format: email` validates instead of being refused. The draft comes
 * from the schema's `$schema` (2020-12 when it has none). Strict mode is on: an unknown
 * keyword (a typo such as `requried`) is a problem at validate time, not a schema that
 * silently accepts everything. Ajv never logs: its logger is off.
 */
import { createRequire } from 'node:module';
import type { Ajv, Options, ValidateFunction } from 'ajv';
import type { Ajv2019 } from 'ajv/dist/2019.js';
import type { Ajv2020 } from 'ajv/dist/2020.js';

type AjvInstance = Ajv | Ajv2019 | Ajv2020;
type Draft = '07' | '2019-09' | '2020-12';

// ajv and ajv-formats are required at the first compile, not imported: most runs have no
// json_schema check, and loading them costs every run ~1 MB of heap kept and ~8 MB resident.
// ajv-formats is CommonJS whose module.exports is the plugin; require gives it directly.
const require = createRequire(import.meta.url);

const OPTIONS: Options = { strict: true, strictTypes: false, strictTuples: false, allErrors: false, logger: false };
const instances = new Map<Draft, AjvInstance>();

function ajvFor(draft: Draft): AjvInstance {
  let ajv = instances.get(draft);
  if (!ajv) {
    ajv =
      draft === '07'
        ? new (require('ajv') as typeof import('ajv')).Ajv(OPTIONS)
        : draft === '2019-09'
          ? new (require('ajv/dist/2019.js') as typeof import('ajv/dist/2019.js')).Ajv2019(OPTIONS)
          : new (require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js')).Ajv2020(OPTIONS);
    (require('ajv-formats') as (ajv: AjvInstance) => AjvInstance)(ajv);
    instances.set(draft, ajv);
  }
  return ajv;
}

/** The draft a `$schema` URI names; a message for one ajv cannot validate. */
function draftOf(schema: Record<string, unknown>): Draft | { problem: string } {
  const uri = schema.$schema;
  if (uri === undefined) return '2020-12';
  if (typeof uri !== 'string') return { problem: '$schema must be a string URI' };
  if (/draft-0[67]\/schema/.test(uri)) return '07';
  if (uri.includes('2019-09')) return '2019-09';
  if (uri.includes('2020-12')) return '2020-12';
  return { problem: `$schema '${uri}' is not a draft this tool validates; use draft-07, 2019-09 or 2020-12 (or leave $schema out for 2020-12)` };
}

/** A compiled schema: `validate(data)` gives undefined when valid, else the first error as text. */
export interface SchemaValidator {
  validate(data: unknown): string | undefined;
}

/** Compiles a schema; a string is the reason it cannot be used. */
export function compileJsonSchema(schema: Record<string, unknown>): SchemaValidator | string {
  const draft = draftOf(schema);
  if (typeof draft !== 'string') return draft.problem;
  const ajv = ajvFor(draft);
  let validate: ValidateFunction;
  try {
    // Every compile gets its own copy: ajv caches by $id, and two checks may share one.
    validate = ajv.compile(structuredClone(schema));
  } catch (e) {
    return (e as Error).message;
  } finally {
    if (typeof schema.$id === 'string') ajv.removeSchema(schema.$id);
  }
  return {
    validate: (data) => (validate(data) ? undefined : ajv.errorsText(validate.errors, { dataVar: 'answer' })),
  };
}
