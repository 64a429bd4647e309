/** The contract every kind of check implements (one file per kind, registered in index.ts). */
import type { CheckSpec, CheckType } from '../schema.js';
import type { CheckTest, CompileContext } from '../types.js';

export interface CheckKind<S extends CheckSpec = CheckSpec> {
  /**
   * True for kinds whose value is given either as `value` (the same for every prompt) or as
   * `column` (per prompt); compile.ts makes sure exactly one of the two is there.
   */
  perPrompt: boolean;
  /** The default name, from the spec entry (e.g. `contains "Paris"`). */
  label(spec: S): string;
  /** Compiles what is fixed; throws CheckSpecError for a value that cannot work. */
  compile(spec: S, ctx: CompileContext): CheckTest;
}

/** The spec entry of one type. */
export type SpecOf<T extends CheckType> = Extract<CheckSpec, { type: T }>;

/** `"text"`, cut to a readable length for names and reasons. */
export function quote(text: string, max = 40): string {
  const flat = text.replace(/\s+/g, ' ');
  return JSON.stringify(flat.length > max ? `${flat.slice(0, max - 1)}…` : flat);
}

/** The label of a value-or-column check: `contains "Paris"` or `contains column expected`. */
export function valueLabel(verb: string, spec: { value?: string; column?: string }): string {
  return spec.column !== undefined ? `${verb} column ${spec.column}` : `${verb} ${quote(spec.value ?? '')}`;
}
