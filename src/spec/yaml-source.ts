/**
 * A parsed YAML file that remembers where every node came from, so that any problem found
 * later (by zod, by interpolation, by the planner) can name file:line:col.
 */
import { readFileSync } from 'node:fs';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { UserError } from '../errors.js';

export type YamlPath = readonly (string | number)[];

export interface YamlSource {
  /** The file name as the user gave it, used in every message. */
  file: string;
  doc: Document;
  /** `file:line:col` of the node at `path`, or of its nearest existing parent. */
  locate(path: YamlPath, which?: 'key' | 'value'): string;
  /** `file:line:col` of a character offset in the file. */
  at(offset: number): string;
}

export function readYaml(file: string): YamlSource {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a file' : String(e);
    throw new UserError(`${file}: cannot read the spec: ${why}`);
  }
  return parseYaml(text, file);
}

export function parseYaml(text: string, file: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const pos = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return `${file}:${line}:${col}`;
  };
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((err) => `${pos(err.pos[0])}: invalid YAML: ${firstLine(err.message)}`);
    throw new UserError(problems.join('\n'), problems);
  }
  const locate = (path: YamlPath, which: 'key' | 'value' = 'value'): string => {
    let node: unknown = doc.contents;
    let at = offsetOf(node) ?? 0;
    for (const seg of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) break;
        const isLast = seg === path[path.length - 1];
        at = offsetOf(which === 'key' && isLast ? pair.key : (pair.value ?? pair.key)) ?? offsetOf(pair.key) ?? at;
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
  return { file, doc, locate, at: pos };
}

function offsetOf(node: unknown): number | undefined {
  const range = (node as Node | null)?.range;
  return range ? range[0] : undefined;
}

function firstLine(s: string): string {
  return s.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}
