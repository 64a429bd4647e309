/**
 * The prompt list, resolved: inline strings, `{ prompt }`, chat `{ messages }`, and files:
 * .txt (one prompt per non-blank line), .jsonl (one JSON value per line: a string,
 * `{"prompt": ...}` or `{"messages": [...]}`), .csv (a `prompt` column). Relative paths
 * resolve against the spec's folder. A UTF-8 BOM and CRLF line ends are accepted; blank
 * lines are skipped. Problems inside a file are reported as `file:line:col`; a file that
 * cannot be read at the spec line of its `file:` entry.
 */
import { extname, isAbsolute, resolve } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { UserError } from '../errors.js';
import { jsonErrorMessage, jsonErrorPosition } from '../json.js';
import { FileProblem, readTextFile } from '../text-file.js';
import { promptEntrySchema, type ChatMessage, type PromptEntry } from '../spec/schema.js';
import { nearest } from '../spec/suggest.js';
import type { Prompt } from './types.js';

export interface PromptContext {
  /** Folder of the spec: relative prompt files resolve against it. */
  dir: string;
  /** `file:line:col` of prompts[i] in the spec (of its `file:` value when `key` is 'file'). */
  locate: (index: number, key?: 'file') => string;
  /** How to name a prompt file in messages; by default as written in the spec. */
  display?: (file: string) => string;
}

export interface PromptResult {
  prompts: Prompt[];
  /** `file:line:col: message`, one per problem. */
  problems: string[];
}

/**
 * Largest prompt file read, bytes. Prompts are held in memory (and their request bodies
 * built from them), so a file of gigabytes is a mistake, not a workload.
 */
export const MAX_PROMPT_FILE_BYTES = 256 * 2 ** 20;

/** Most problems reported per prompt file; a broken file would otherwise flood the terminal. */
const MAX_PROBLEMS_PER_FILE = 10;

/** Resolves the prompt list; throws a UserError listing every problem. */
export function resolvePrompts(entries: readonly PromptEntry[], ctx: PromptContext): Prompt[] {
  const { prompts, problems } = collectPrompts(entries, ctx);
  if (problems.length > 0) throw new UserError(problems.join('\n'), problems);
  return prompts;
}

/**
 * Like resolvePrompts, but returns the problems. Entries of the wrong shape are skipped
 * (the schema reports them), so this can run on a spec that failed validation.
 */
export function collectPrompts(entries: readonly unknown[], ctx: PromptContext): PromptResult {
  const prompts: Prompt[] = [];
  const problems: string[] = [];
  const add = (messages: ChatMessage[], origin: string, vars?: Record<string, unknown>) =>
    prompts.push({ id: prompts.length, messages, text: messagesText(messages), origin, vars });
  entries.forEach((entry, i) => {
    if (typeof entry === 'string') {
      if (entry !== '') add(user(entry), `prompts[${i}]`);
      return;
    }
    // Entries of the wrong shape are the schema's to report.
    if (!promptEntrySchema.safeParse(entry).success) return;
    const e = entry as Record<string, unknown>;
    const vars = e.vars as Record<string, unknown> | undefined;
    if (typeof e.prompt === 'string') add(user(e.prompt), `prompts[${i}]`, vars);
    else if (Array.isArray(e.messages)) {
      const bad = messagesProblem(e.messages);
      if (bad) problems.push(`${ctx.locate(i)}: prompts[${i}].${bad}`);
      else add(e.messages as ChatMessage[], `prompts[${i}]`, vars);
    } else if (typeof e.file === 'string' && e.file !== '') {
      const r = readPrompts(e.file, ctx, i);
      for (const p of r.prompts) add(p.messages, p.origin, p.vars);
      problems.push(...r.problems);
    }
  });
  return { prompts, problems };
}

interface FilePrompt {
  messages: ChatMessage[];
  /** `file:line`, the file as written in the spec. */
  origin: string;
  /** The row's other fields (JSONL keys, CSV columns), for checks that read a column. */
  vars?: Record<string, unknown>;
}

/** A row's fields besides the prompt itself; undefined when it has none. */
function otherFields(o: Record<string, unknown>, prompt: string): Record<string, unknown> | undefined {
  let vars: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(o)) if (k !== prompt && k !== 'messages') (vars ??= {})[k] = v;
  return vars;
}

/** Reads one prompt file; throws a UserError listing every problem in it. */
export function readPromptFile(file: string, dir: string): FilePrompt[] {
  const r = readPrompts(file, { dir, locate: () => file });
  if (r.problems.length > 0) throw new UserError(r.problems.join('\n'), r.problems);
  return r.prompts;
}

function readPrompts(file: string, ctx: PromptContext, index: number | undefined = undefined): { prompts: FilePrompt[]; problems: string[] } {
  const path = isAbsolute(file) ? file : resolve(ctx.dir, file);
  const entryAt = index === undefined ? file : ctx.locate(index, 'file');
  const shown = ctx.display?.(file) ?? file;
  let text: string;
  try {
    text = readTextFile(path, MAX_PROMPT_FILE_BYTES);
  } catch (e) {
    if (!(e instanceof FileProblem)) throw e;
    const why =
      e.code === 'ENOENT'
        ? `prompt file '${file}' not found (looked for ${shown}); paths are relative to the spec's folder`
        : e.code === 'EISDIR'
          ? `prompt file '${file}' is a folder; give a .txt, .jsonl or .csv file`
          : e.code === 'ENOTREG'
            ? `prompt file '${file}' ${e.why}; give a .txt, .jsonl or .csv file`
            : e.code === 'EFBIG'
              ? `prompt file '${file}' ${e.why.replace(/; (.*) at most$/, `; prompt files may be at most $1`)}: split it, or sample the prompts you need`
              : `cannot read prompt file '${file}': it ${e.why}`;
    return { prompts: [], problems: [`${entryAt}: ${why}`] };
  }
  const ext = extname(path).toLowerCase();
  const parser = ext === '.txt' ? fromTxt : ext === '.jsonl' || ext === '.ndjson' ? fromJsonl : ext === '.csv' ? fromCsv : undefined;
  if (!parser) {
    return {
      prompts: [],
      problems: [`${entryAt}: prompt file '${file}' has extension '${ext || '(none)'}'; use .txt (one prompt per line), .jsonl or .csv`],
    };
  }
  const r = parser(text, file, shown);
  if (r.problems.length > MAX_PROBLEMS_PER_FILE) {
    const more = r.problems.length - MAX_PROBLEMS_PER_FILE;
    r.problems = [...r.problems.slice(0, MAX_PROBLEMS_PER_FILE), `${shown}: ... and ${more} more problem${more === 1 ? '' : 's'} in this file`];
  }
  if (r.problems.length === 0 && r.prompts.length === 0) {
    r.problems.push(`${entryAt}: prompt file '${file}' has no prompts (blank lines are skipped)`);
  }
  return r;
}

function user(text: string): ChatMessage[] {
  return [{ role: 'user', content: text }];
}

function lines(text: string): string[] {
  return text.split(/\r?\n/);
}

type Parser = (text: string, file: string, shown: string) => { prompts: FilePrompt[]; problems: string[] };

const fromTxt: Parser = (text, file) => {
  const prompts: FilePrompt[] = [];
  lines(text).forEach((line, i) => {
    if (line.trim() !== '') prompts.push({ messages: user(line), origin: `${file}:${i + 1}` });
  });
  return { prompts, problems: [] };
};

const fromJsonl: Parser = (text, file, shown) => {
  const prompts: FilePrompt[] = [];
  const problems: string[] = [];
  lines(text).forEach((line, i) => {
    if (line.trim() === '') return;
    const lineNo = i + 1;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      const { col } = jsonErrorPosition(line, e);
      problems.push(`${shown}:${lineNo}:${col}: not valid JSON: ${jsonErrorMessage(e)}; each line must be one JSON value`);
      return;
    }
    const at = `${shown}:${lineNo}:1`;
    const origin = `${file}:${lineNo}`;
    if (typeof value === 'string' && value !== '') {
      prompts.push({ messages: user(value), origin });
      return;
    }
    const o = value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
    if (o && 'prompt' in o && 'messages' in o) {
      problems.push(`${at}: a line has either "prompt" or "messages", not both`);
    } else if (o && typeof o.prompt === 'string' && o.prompt !== '') {
      prompts.push({ messages: user(o.prompt), origin, vars: otherFields(o, 'prompt') });
    } else if (o && Array.isArray(o.messages)) {
      const bad = messagesProblem(o.messages);
      if (bad) problems.push(`${at}: ${bad}`);
      else prompts.push({ messages: o.messages as ChatMessage[], origin, vars: otherFields(o, 'prompt') });
    } else {
      const keys = o ? Object.keys(o) : [];
      const guess = keys.map((k) => nearest(k, ['prompt', 'messages'])).find(Boolean);
      problems.push(
        `${at}: each line needs "prompt" (non-empty text) or "messages" (a list of {role, content})` +
          (o ? `; found ${keys.length > 0 ? keys.map((k) => `"${k}"`).join(', ') : 'an empty object'}` : '') +
          (guess && !keys.includes(guess) ? ` — did you mean "${guess}"?` : ''),
      );
    }
  });
  return { prompts, problems };
};

const fromCsv: Parser = (text, file, shown) => {
  let rows: { record: Record<string, string>; raw: string }[];
  try {
    rows = parseCsv(text, {
      columns: true,
      skip_empty_lines: true,
      relax_column_count: true,
      info: true,
      raw: true,
    }) as unknown as typeof rows;
  } catch (e) {
    const line = (e as { lines?: number }).lines;
    return { prompts: [], problems: [`${shown}:${line ?? 1}:1: not valid CSV: ${(e as Error).message}`] };
  }
  if (rows.length === 0) return { prompts: [], problems: [] };
  const columns = Object.keys(rows[0].record);
  const column = columns.includes('prompt') ? 'prompt' : columns.find((c) => c.trim().toLowerCase() === 'prompt');
  if (column === undefined) {
    const guess = nearest('prompt', columns);
    return {
      prompts: [],
      problems: [
        `${shown}:1:1: no 'prompt' column (the header has: ${columns.join(', ')})${guess ? ` — did you mean to name '${guess}' prompt?` : ''}; the first line must name the columns`,
      ],
    };
  }
  const prompts: FilePrompt[] = [];
  // csv-parse's line count is off for CRLF inside quotes; find each record's raw text instead.
  // Line breaks are counted from where the last record was found, so the whole file is
  // scanned once (counting from the start for every row made 40,000 rows take 28 s).
  let cursor = 0;
  let line = 1;
  let counted = 0;
  for (const row of rows) {
    const core = row.raw.replace(/^[\r\n]+/, '');
    const found = text.indexOf(core, cursor);
    const start = found < 0 ? cursor : found;
    for (let i = text.indexOf('\n', counted); i !== -1 && i < start; i = text.indexOf('\n', i + 1)) line++;
    counted = Math.max(counted, start);
    if (found >= 0) cursor = found + core.length;
    const value = row.record[column] ?? '';
    if (value.trim() === '') continue;
    prompts.push({ messages: user(value), origin: `${file}:${line}`, vars: otherFields(row.record, column) });
  }
  return { prompts, problems: [] };
};

/** Why a messages list is not a chat conversation, or undefined when it is. */
function messagesProblem(messages: unknown[]): string | undefined {
  if (messages.length === 0) return 'messages is an empty list; give at least one {role, content}';
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i] as Record<string, unknown> | null;
    if (!m || typeof m !== 'object' || Array.isArray(m)) return `messages[${i}] must be a mapping {role, content}`;
    if (typeof m.role !== 'string' || m.role === '') return `messages[${i}] needs a "role" (system, user, assistant, ...)`;
    const c = m.content;
    if (!(typeof c === 'string' || Array.isArray(c) || (c === null && m.role === 'assistant'))) {
      return `messages[${i}] needs a "content" (text, or a list of content parts)`;
    }
  }
  return undefined;
}

/** Messages flattened to one text, for completion endpoints and token estimates. */
export function messagesText(messages: readonly ChatMessage[]): string {
  return messages
    .map((m) => (typeof m.content === 'string' ? m.content : contentText(m.content)))
    .join('\n');
}

function contentText(content: unknown): string {
  if (!Array.isArray(content)) return content == null ? '' : JSON.stringify(content);
  return content
    .map((part) => (typeof part === 'object' && part && 'text' in part ? String((part as { text: unknown }).text) : ''))
    .join('');
}
