/**
 * A lean path for the token chunks of a stream. In one stream, every token chunk is the
 * same JSON but for the token's text (`{"id":"chatcmpl-1",...,"delta":{"content":"tok"},...}`),
 * so after one is decoded in full, the text of the next is the string literal between the
 * same prefix and suffix: no JSON.parse and no object tree per chunk, and the text is the
 * only string built. The template is verified once, by decoding the chunk with a sentinel
 * text in place of the token: a chunk that matches it decodes, by construction, exactly as
 * the full decoder would decode it. Anything else (the role chunk, the finish and usage
 * chunks, an error, a server whose chunks vary) takes the full decoder.
 *
 * Only for decoders that keep no state across events: verification decodes a made-up event.
 */
import type { StreamDelta, StreamEvent } from './types.js';

type Decode = (ev: StreamEvent) => StreamDelta | undefined;
type Field = 'text' | 'reasoning';

interface Template {
  field: Field;
  event: string | undefined;
  prefix: string;
  suffix: string;
}

/** Decodes to this text, and to nothing a real token would: the decoder must put it back as is. */
const SENTINEL = '\u0000llm-sweep\u0000';
const SENTINEL_LITERAL = JSON.stringify(SENTINEL);
/** Chunks a stream may try to learn a template from before it gives up (chunks that vary). */
const MAX_LEARN = 3;
const QUOTE = 34;
const BACKSLASH = 92;

/** `decode` with the template path in front; one per stream (the template holds its id). */
export function withChunkTemplates(decode: Decode): Decode {
  const templates: Template[] = [];
  let learning = MAX_LEARN;
  return (ev) => {
    for (const t of templates) {
      if (t.event !== ev.event) continue;
      const value = match(t, ev.data);
      if (value !== undefined) return t.field === 'text' ? { text: value } : { reasoning: value };
    }
    const d = decode(ev);
    const field = d && learning > 0 ? plainField(d) : undefined;
    if (field && templates.length < 2) {
      learning--;
      const t = learn(ev, field, d![field]!, decode);
      if (t) templates.push(t);
    }
    return d;
  };
}

/** The one field of a delta that holds only non-empty text or only reasoning, else undefined. */
function plainField(d: StreamDelta): Field | undefined {
  let field: Field | undefined;
  for (const k in d) {
    const v = (d as Record<string, unknown>)[k];
    if (v === undefined) continue;
    if ((k !== 'text' && k !== 'reasoning') || field !== undefined || typeof v !== 'string' || v === '') return undefined;
    field = k;
  }
  return field;
}

/** The token text of `data` when it fits the template; undefined when the full decoder must look. */
function match(t: Template, data: string): string | undefined {
  const end = data.length - t.suffix.length;
  // At least `"x"` between prefix and suffix.
  // substring + === rather than startsWith/endsWith: V8 compares a cut of the chunk text
  // with a string several times faster than it runs startsWith over it (~40 vs ~120 ns here).
  if (end - t.prefix.length < 3 || data.substring(0, t.prefix.length) !== t.prefix || data.substring(end) !== t.suffix) return undefined;
  const from = t.prefix.length;
  if (data.charCodeAt(from) !== QUOTE || data.charCodeAt(end - 1) !== QUOTE) return undefined;
  for (let i = from + 1; i < end - 1; i++) {
    const c = data.charCodeAt(i);
    // An escape: let JSON.parse read the literal (it throws if it is not one string).
    if (c === BACKSLASH) return literal(data.slice(from, end));
    // A quote inside, or a control character JSON does not allow raw: not this template.
    if (c === QUOTE || c < 0x20) return undefined;
  }
  return data.slice(from + 1, end - 1);
}

function literal(text: string): string | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'string' && v !== '' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Finds the literal of `value` in `ev.data` and checks that the decoder reads a sentinel there as it read the token. */
function learn(ev: StreamEvent, field: Field, value: string, decode: Decode): Template | undefined {
  const data = ev.data;
  for (const [start, end] of valueLiterals(data)) {
    if (literal(data.slice(start, end)) !== value) continue;
    const prefix = data.slice(0, start);
    const suffix = data.slice(end);
    let d: StreamDelta | undefined;
    try {
      d = decode({ event: ev.event, data: prefix + SENTINEL_LITERAL + suffix });
    } catch {
      continue;
    }
    if (d && plainField(d) === field && d[field] === SENTINEL) return { field, event: ev.event, prefix, suffix };
  }
  return undefined;
}

/** [start, end) of each JSON string literal in `data` that is a value (not followed by `:`). */
function* valueLiterals(data: string): Generator<[number, number]> {
  let i = data.indexOf('"');
  while (i !== -1) {
    let j = i + 1;
    while (j < data.length && data.charCodeAt(j) !== QUOTE) j += data.charCodeAt(j) === BACKSLASH ? 2 : 1;
    if (j >= data.length) return;
    let k = j + 1;
    while (k < data.length && (data[k] === ' ' || data[k] === '\t')) k++;
    if (data[k] !== ':') yield [i, j + 1];
    i = data.indexOf('"', j + 1);
  }
}
