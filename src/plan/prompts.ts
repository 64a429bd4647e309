/**
 * The prompt list, resolved: inline strings, chat `messages` arrays, and files (.txt one
 * prompt per line, .jsonl with `prompt` or `messages` per line, .csv with a `prompt`
 * column). Relative paths resolve against the spec's folder.
 */
import { readFileSync } from 'node:fs';
import { extname, isAbsolute, resolve } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { UserError } from '../errors.js';
import type { ChatMessage, PromptEntry } from '../spec/schema.js';
import type { Prompt } from './types.js';

export interface PromptContext {
  /** Folder of the spec. */
  dir: string;
  /** `file:line:col` of prompts[i] in the spec. */
  locate: (index: number) => string;
}

export function resolvePrompts(entries: readonly PromptEntry[], ctx: PromptContext): Prompt[] {
  const out: Prompt[] = [];
  const problems: string[] = [];
  entries.forEach((entry, i) => {
    const add = (messages: ChatMessage[], origin: string) =>
      out.push({ id: out.length, messages, text: messagesText(messages), origin });
    if (typeof entry === 'string') add([{ role: 'user', content: entry }], `prompts[${i}]`);
    else if ('prompt' in entry) add([{ role: 'user', content: entry.prompt }], `prompts[${i}]`);
    else if ('messages' in entry) add(entry.messages, `prompts[${i}]`);
    else {
      try {
        for (const p of readPromptFile(entry.file, ctx.dir)) add(p.messages, p.origin);
      } catch (e) {
        if (!(e instanceof UserError)) throw e;
        problems.push(`${ctx.locate(i)}: ${e.message}`);
      }
    }
  });
  if (problems.length > 0) throw new UserError(problems.join('\n'), problems);
  if (out.length === 0) throw new UserError(`${ctx.locate(0)}: the prompt list is empty; add a prompt or a non-empty file`);
  return out;
}

interface FilePrompt {
  messages: ChatMessage[];
  origin: string;
}

export function readPromptFile(file: string, dir: string): FilePrompt[] {
  const path = isAbsolute(file) ? file : resolve(dir, file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(
      code === 'ENOENT'
        ? `prompt file '${file}' not found (looked at ${path}); paths are relative to the spec's folder`
        : `cannot read prompt file '${file}': ${(e as Error).message}`,
    );
  }
  const ext = extname(path).toLowerCase();
  let prompts: FilePrompt[];
  if (ext === '.txt') prompts = fromTxt(text, file);
  else if (ext === '.jsonl' || ext === '.ndjson') prompts = fromJsonl(text, file);
  else if (ext === '.csv') prompts = fromCsv(text, file);
  else throw new UserError(`prompt file '${file}': unsupported extension '${ext}'; use .txt, .jsonl or .csv`);
  if (prompts.length === 0) throw new UserError(`prompt file '${file}' has no prompts`);
  return prompts;
}

function user(text: string): ChatMessage[] {
  return [{ role: 'user', content: text }];
}

function fromTxt(text: string, file: string): FilePrompt[] {
  const out: FilePrompt[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() !== '') out.push({ messages: user(line), origin: `${file}:${i + 1}` });
  });
  return out;
}

function fromJsonl(text: string, file: string): FilePrompt[] {
  const out: FilePrompt[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${file}:${i + 1}`;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch (e) {
      throw new UserError(`${where}: not valid JSON (${(e as Error).message})`);
    }
    const o = obj as { prompt?: unknown; messages?: unknown };
    if (typeof o?.prompt === 'string' && o.prompt !== '') out.push({ messages: user(o.prompt), origin: where });
    else if (Array.isArray(o?.messages) && o.messages.length > 0 && o.messages.every(isMessage)) {
      out.push({ messages: o.messages as ChatMessage[], origin: where });
    } else {
      throw new UserError(`${where}: each line needs "prompt" (a string) or "messages" (a list of {role, content})`);
    }
  });
  return out;
}

function fromCsv(text: string, file: string): FilePrompt[] {
  let rows: Record<string, string>[];
  try {
    rows = parseCsv(text, { columns: true, skip_empty_lines: true, bom: true, relax_column_count: true });
  } catch (e) {
    throw new UserError(`${file}: not valid CSV (${(e as Error).message})`);
  }
  if (rows.length > 0 && !('prompt' in rows[0])) {
    throw new UserError(`${file}: no 'prompt' column (columns: ${Object.keys(rows[0]).join(', ')})`);
  }
  return rows
    .map((r, i) => ({ messages: user(r.prompt ?? ''), origin: `${file}:${i + 2}` }))
    .filter((p) => (p.messages[0].content as string).trim() !== '');
}

function isMessage(m: unknown): boolean {
  return typeof m === 'object' && m !== null && typeof (m as { role?: unknown }).role === 'string';
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
