/** The one test every room needs when it reads untyped JSON (bodies, stream events, specs). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A JSON.parse error's message without V8's position text ("unexpected ','", "Expected ',' or '}' after property value"). */
export function jsonErrorMessage(e: unknown): string {
  return (e as Error).message
    .replace(/\s*\(line \d+ column \d+\)/, '')
    .replace(/ in JSON at position \d+/, '')
    .replace(/^Unexpected token '(.)', ".*" is not valid JSON$/, "unexpected '$1'");
}

/** 1-based line and column of a JSON.parse error in `text`, from V8's "at position N" (or "line L column C"). */
export function jsonErrorPosition(text: string, e: unknown): { line: number; col: number } {
  const message = (e as Error).message;
  const lc = /\(line (\d+) column (\d+)\)/.exec(message);
  if (lc) return { line: Number(lc[1]), col: Number(lc[2]) };
  const pos = /at position (\d+)/.exec(message);
  if (!pos) return { line: 1, col: 1 };
  const before = text.slice(0, Number(pos[1]));
  return { line: before.split('\n').length, col: Number(pos[1]) - before.lastIndexOf('\n') };
}
