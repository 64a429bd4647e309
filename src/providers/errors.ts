/** Error texts every provider shares: a short, one-line message from an error body or event. */

/** The text of an `error` value: its message when it has one, else the value as JSON. */
export function errorText(err: unknown): string {
  if (typeof err === 'string') return err;
  if (err && typeof err === 'object') {
    const o = err as { message?: unknown };
    if (typeof o.message === 'string') return o.message;
    return JSON.stringify(err);
  }
  return String(err);
}

/**
 * `HTTP <status>: <message>` from an error response: the JSON error's message (`error`,
 * `message` or `detail`), an HTML page's title, or the text itself.
 */
export function jsonErrorMessage(status: number, bodyText: string): string {
  const text = bodyText.trim();
  if (text.startsWith('{')) {
    try {
      const o = JSON.parse(text) as { error?: unknown; message?: unknown; detail?: unknown };
      const msg = o.error !== undefined ? errorText(o.error) : (o.message ?? o.detail);
      if (msg !== undefined) return `HTTP ${status}: ${oneLine(typeof msg === 'string' ? msg : JSON.stringify(msg))}`;
    } catch {
      // not JSON after all; fall through to the text
    }
  }
  if (/^<(!doctype|html)/i.test(text)) {
    const title = /<title>([^<]*)<\/title>/i.exec(text)?.[1];
    return `HTTP ${status}${title ? `: ${oneLine(title)}` : ' (HTML error page)'}`;
  }
  return text ? `HTTP ${status}: ${oneLine(text)}` : `HTTP ${status}`;
}

function oneLine(s: string): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 197)}...` : flat;
}
