/**
 * A parsed YAML file that remembers where every node came from, so that any problem found
 * later (by zod, by interpolation, by the planner) can name file:line:col. Values set by
 * `--set` have no line; problems under them name the flag instead.
 */
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  visit,
  type Document,
  type Node,
  type YAMLError,
} from 'yaml';
import { UserError } from '../errors.js';
import { FileProblem, readTextFile } from '../text-file.js';

/** A spec is a page of YAML; 16 MB is far past any real one, and far below trouble. */
const MAX_SPEC_BYTES = 16 * 2 ** 20;

export type YamlPath = readonly (string | number)[];

export interface YamlSource {
  /** The file name as the user gave it, used in every message. */
  file: string;
  /** The file's text. */
  text: string;
  doc: Document;
  /**
   * `file:line:col` of the node at `path` (its key with `which: 'key'`), or of its nearest
   * existing parent; `--set <flag>` when the value came from that flag.
   */
  locate(path: YamlPath, which?: 'key' | 'value'): string;
  /** `file:line:col` of a character offset in the file. */
  at(offset: number): string;
  /** Records that `path` was replaced by `--set <text>`. */
  markOverride(path: YamlPath, text: string): void;
}

export function readYaml(file: string): YamlSource {
  let text: string;
  try {
    text = readTextFile(file, MAX_SPEC_BYTES);
  } catch (e) {
    if (!(e instanceof FileProblem)) throw e;
    const why =
      e.code === 'ENOENT'
        ? 'no such file'
        : e.code === 'EISDIR'
          ? 'it is a folder, not a file'
          : e.code === 'EACCES'
            ? 'permission denied'
            : `the file ${e.why}`;
    throw new UserError(`${file}: cannot read the spec: ${why}`);
  }
  return parseYaml(text, file);
}

export function parseYaml(text: string, file: string): YamlSource {
  const lineCounter = new LineCounter();
  // merge: `<<: *defaults` merge keys, which YAML 1.2 dropped but configs still use.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true });
  const pos = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return `${file}:${line}:${col}`;
  };
  const problems: string[] = [];
  const linesSeen = new Set<number>();
  const unquoted = doc.errors.length > 0 ? unquotedVarInFlow(text, doc.errors[0].pos[0]) : undefined;
  // One unquoted ${VAR:-4} inside `{ ... }` trips a chain of errors to the end of the
  // file; the one thing to say is where to put the quotes.
  if (unquoted) {
    throw new UserError(
      `${pos(unquoted.offset)}: ${unquoted.text} inside a { } or [ ] must be quoted: write "${unquoted.text}" (there YAML reads { and } as brackets)`,
    );
  }
  for (const err of doc.errors) {
    const opener = /Missing closing|must be sufficiently indented and end with/.test(err.message)
      ? unclosedOpener(text, err.pos[0])
      : undefined;
    const offset = opener?.offset ?? err.pos[0];
    // One mistake often trips several rules on the same line; the first says it best.
    const line = lineCounter.linePos(offset).line;
    if (linesSeen.has(line)) continue;
    linesSeen.add(line);
    problems.push(`${pos(offset)}: ${opener ? openerText(opener.char) : yamlErrorText(err, text)}`);
  }
  if (problems.length === 0) {
    visit(doc, {
      Alias(_key, node, path) {
        const at = node.range ? pos(node.range[0]) : `${file}:1:1`;
        const target = node.resolve(doc);
        if (!target) problems.push(`${at}: alias *${node.source} has no anchor &${node.source} before it`);
        else if (path.includes(target as never)) {
          // JavaScript could hold the cycle, but nothing after it could walk it.
          problems.push(`${at}: alias *${node.source} is inside the value its anchor &${node.source} names, which makes an endless value; copy the values instead`);
        }
      },
      Pair(_key, pair) {
        if (isScalar(pair.key) && pair.key.value === '__proto__') {
          // JavaScript objects drop it silently: refuse it rather than lose an axis.
          const at = offsetOf(pair.key);
          problems.push(`${at !== undefined ? pos(at) : `${file}:1:1`}: the key '__proto__' is not allowed (JavaScript cannot keep it); rename it`);
        } else if (isMap(pair.key) || isSeq(pair.key)) {
          const at = offsetOf(pair.key);
          problems.push(`${at !== undefined ? pos(at) : `${file}:1:1`}: a list or mapping cannot be a key; keys are plain text (quote it: "[a, b]": ...)`);
        }
      },
    });
  }
  if (problems.length > 0) throw new UserError(problems.join('\n'), problems);

  const overrides: { path: YamlPath; text: string }[] = [];
  const locate = (path: YamlPath, which: 'key' | 'value' = 'value'): string => {
    let flag: { path: YamlPath; text: string } | undefined;
    for (const o of overrides) {
      if (o.path.length <= path.length && o.path.every((seg, i) => String(seg) === String(path[i]))) {
        if (!flag || o.path.length >= flag.path.length) flag = o;
      }
    }
    if (flag) return `--set ${flag.text}`;
    let node: unknown = doc.contents;
    let at = offsetOf(node) ?? 0;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i];
      const isLast = i === path.length - 1;
      if (isAlias(node)) node = node.resolve(doc);
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) break;
        // A key that --set created has no place in the file: the flag that made it is the place.
        if (offsetOf(pair.key) === undefined) {
          const maker = overrides.find((o) => o.path.length > i && path.slice(0, i + 1).every((s, j) => String(s) === String(o.path[j])));
          if (maker) return `--set ${maker.text}`;
        }
        const valueAt = offsetOf(pair.value);
        // An empty value (`key:` and nothing) has no text of its own: point at the key.
        const emptyValue = isScalar(pair.value) && pair.value.value === null && pair.value.source === '';
        at = (which === 'key' && isLast) || emptyValue || valueAt === undefined ? (offsetOf(pair.key) ?? at) : valueAt;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
        node = node.items[seg];
        at = offsetOf(node) ?? at;
      } else {
        break;
      }
    }
    return pos(at);
  };
  return {
    file,
    text,
    doc,
    locate,
    at: pos,
    markOverride: (path, flagText) => overrides.push({ path: [...path], text: flagText }),
  };
}

function offsetOf(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : undefined;
}

/** The yaml library's message, rephrased to say what to do where we can. */
function yamlErrorText(err: YAMLError, text: string): string {
  const first = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
  switch (err.code) {
    case 'TAB_AS_INDENT':
      return 'a tab is used for indentation; YAML allows only spaces there';
    case 'DUPLICATE_KEY': {
      const key = /^["']?([^"':\n]*)/.exec(text.slice(err.pos[0]))?.[1]?.trim();
      return `duplicate key${key ? ` '${key}'` : ''}: a key may appear only once in a mapping; remove or merge one of them`;
    }
    case 'MULTIPLE_DOCS':
      return "the spec must be a single YAML document; remove the '---' separator (or split the file in two)";
    case 'BLOCK_AS_IMPLICIT_KEY':
      return `invalid YAML: ${first}; quote a value that contains ': '`;
    default:
      return `invalid YAML: ${first}`;
  }
}

/**
 * The first `${...}` outside quotes inside a flow collection (`{ a: ${X:-4} }`), at or
 * before where the parser failed: YAML cannot read it there unquoted.
 */
export function unquotedVarInFlow(text: string, failedAt: number): { offset: number; text: string } | undefined {
  for (const m of text.matchAll(/\$\{[^}\n]*\}/g)) {
    if (m.index > failedAt) break;
    const open = unclosedOpener(text, m.index);
    const lineStart = text.lastIndexOf('\n', m.index) + 1;
    if (text.slice(lineStart, m.index).includes('#')) continue;
    if (open && (open.char === '{' || open.char === '[')) return { offset: m.index, text: m[0] };
  }
  return undefined;
}

/**
 * The innermost bracket or quote still open at `upto`: where the user must add the
 * closing character, which is more useful than where the parser gave up.
 */
export function unclosedOpener(text: string, upto: number): { offset: number; char: string } | undefined {
  const stack: { offset: number; char: string }[] = [];
  let quote: { offset: number; char: string } | undefined;
  for (let i = 0; i < upto && i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (quote.char === '"' && c === '\\') i++;
      else if (c === quote.char) {
        if (c === "'" && text[i + 1] === "'") i++;
        else quote = undefined;
      }
      continue;
    }
    const prev = i === 0 ? '\n' : text[i - 1];
    if (c === '#' && /\s/.test(prev)) {
      while (i < upto && text[i] !== '\n') i++;
    } else if ((c === '"' || c === "'") && /[\s:[{,-]/.test(prev)) {
      quote = { offset: i, char: c };
    } else if ((c === '[' || c === '{') && /[\s:[{,-]/.test(prev)) {
      stack.push({ offset: i, char: c });
    } else if ((c === ']' || c === '}') && stack.length > 0) {
      stack.pop();
    }
  }
  return quote ?? stack[stack.length - 1];
}

function openerText(char: string): string {
  if (char === '[') return "this '[' is never closed; end the list with ']'";
  if (char === '{') return "this '{' is never closed; end the mapping with '}'";
  return `this quote (${char}) is never closed; add the closing ${char} at the end of the value`;
}
